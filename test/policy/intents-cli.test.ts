/**
 * Intents as people meet them, through the real CLI against the simulator: a change that breaks an
 * intent fails `validate` (exit 1) at the intent's line naming the deciding rule, the markdown plan
 * shows the intents table with the change that breaks it, `apply` refuses the plan (exit 3, no
 * write) unless the intent is overridden by name with a reason that the audit log keeps, and
 * `drift` / `lint --live` then report the intent the live rules break.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"

let sim: SimulatorHandle
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(() => sim.close())

// the simulator's MGMT VLAN is opt1 (10.0.10.1/24); the LAN 192.168.1.0/24 holds the servers
const RULES = `aliases:
  - name: servers
    type: network
    content: [192.168.1.0/28]
rules:
  - name: mgmt-no-server-ssh
    interface: opt1
    action: block
    protocol: tcp
    source: 10.0.10.0/24
    destination: { address: servers, port: 22 }
`
const BREAKING = `  - name: jump-host-ssh
    interface: opt1
    action: pass
    protocol: tcp
    source: 10.0.10.5
    destination: { address: servers, port: 22 }
`
const INTENTS = `# what must stay true whatever the rules say
intents:
  - name: mgmt-never-ssh-servers
    from: 10.0.10.0/24
    to: servers
    protocol: tcp
    port: 22
    interface: opt1
    expect: block
`

const tree = (broken: boolean) => {
  const root = mkdtempSync(join(tmpdir(), "intents-cli-"))
  const dir = join(root, "desired")
  mkdirSync(dir)
  writeFileSync(join(dir, "20-rules.yaml"), broken ? RULES.replace("rules:\n", `rules:\n${BREAKING}`) : RULES)
  writeFileSync(join(dir, "90-intents.yaml"), INTENTS)
  return { dir, dataDir: join(root, "data") }
}

const writes = () =>
  sim.requests.entries.filter((e) => e.method === "POST" && /(add|set|del)_|reconfigure|apply|revert/.test(e.endpoint))

describe("intents through the CLI", () => {
  it("validate passes a tree that keeps its intents and fails one whose change breaks an intent", async () => {
    const good = tree(false)
    const ok = await runCli(["validate", "--dir", good.dir], { sim, dataDir: good.dataDir })
    expect(ok.code, ok.stdout).toBe(0)

    const bad = tree(true)
    const failed = await runCli(["validate", "--dir", bad.dir], { sim, dataDir: bad.dataDir })
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(
      /90-intents\.yaml:3:5: error\[intent-violated\]: intent "mgmt-never-ssh-servers" is violated: .*passed by rule "jump-host-ssh" \(20-rules\.yaml:6:5\)/
    )
    const json = await runCli(["validate", "--dir", bad.dir, "--json"], { sim, dataDir: bad.dataDir })
    expect(JSON.parse(json.stdout).issues).toContainEqual(
      expect.objectContaining({ code: "intent-violated", kind: "intent", name: "mgmt-never-ssh-servers", line: 3 })
    )
  }, 60_000)

  it(
    "plan shows the intents table; apply refuses (exit 3, no write) until overridden with an audited reason",
    async () => {
      const { dataDir, dir } = tree(true)
      const markdown = await runCli(["plan", "--dir", dir, "--format", "markdown"], { sim, dataDir })
      expect(markdown.code, markdown.stderr).toBe(0)
      expect(markdown.stdout).toContain("**Intents**: 0 held, 1 violated, 0 unknown")
      expect(markdown.stdout).toMatch(
        /\| mgmt-never-ssh-servers \| block \| ❌ violated \| .*broken by create rule jump-host-ssh \(20-rules\.yaml:6:5\) \|/
      )
      const text = await runCli(["plan", "--dir", dir], { sim, dataDir })
      expect(text.stdout).toContain("Intents: 0 held, 1 violated, 0 unknown.")

      const github = await runCli(["plan", "--dir", dir, "--format", "github"], { sim, dataDir })
      expect(github.stdout).toMatch(
        /::error file=[^,]*90-intents\.yaml,line=3,col=5,title=intent violated%3A mgmt-never-ssh-servers::/
      )

      sim.requests.clear()
      const planFile = join(dataDir, "..", "plan.json")
      await runCli(["plan", "--dir", dir, "--out", planFile], { sim, dataDir })
      const saved = await runCli(["apply", "--dir", dir, "--plan", planFile, "--auto-approve"], { sim, dataDir })
      expect(saved.code, saved.stderr).toBe(3)
      expect(saved.stderr).toContain("intent \"mgmt-never-ssh-servers\"")
      const refused = await runCli(["apply", "--dir", dir, "--auto-approve"], { sim, dataDir })
      expect(refused.code, refused.stderr).toBe(3)
      expect(refused.stderr).toMatch(
        /apply refused: plan \w+ violates an intent: intent "mgmt-never-ssh-servers" \(90-intents\.yaml:3:5\)/
      )
      expect(refused.stderr).toContain("broken by create rule jump-host-ssh")
      expect(writes()).toEqual([])

      const noReason = await runCli(
        ["apply", "--dir", dir, "--auto-approve", "--override-intent", "mgmt-never-ssh-servers"],
        { sim, dataDir }
      )
      expect(noReason.code).toBe(1)
      expect(noReason.stderr).toContain("--override-intent needs --reason")
      const wrongName = await runCli(
        ["apply", "--dir", dir, "--auto-approve", "--override-intent", "other", "--reason", "x"],
        { sim, dataDir }
      )
      expect(wrongName.code).toBe(3)
      expect(writes()).toEqual([])

      const applied = await runCli(
        [
          "apply",
          "--dir",
          dir,
          "--auto-approve",
          "--override-intent",
          "mgmt-never-ssh-servers",
          "--reason",
          "jump host for the migration, change 4711"
        ],
        { sim, dataDir }
      )
      expect(applied.code, applied.stderr).toBe(0)
      expect(applied.stderr).toContain("violates intent(s) mgmt-never-ssh-servers on purpose")
      const audit = readFileSync(join(dataDir, "audit.log"), "utf8")
      expect(audit).toContain("intent mgmt-never-ssh-servers overridden: jump host for the migration, change 4711")

      // the live rules now break it: drift and lint --live say so
      const drift = await runCli(["drift", "--dir", dir], { sim, dataDir })
      expect(drift.code).toBe(2)
      expect(drift.stdout).toContain("Intents on the live rules: 0 held, 1 violated, 0 unknown.")
      const lint = await runCli(["lint", "--live", "--dir", dir, "--json"], { sim, dataDir })
      expect(lint.code).toBe(2)
      expect(JSON.parse(lint.stdout).sites[0].findings).toContainEqual(
        expect.objectContaining({ code: "intent-violated", name: "mgmt-never-ssh-servers", related: ["jump-host-ssh"] })
      )
    },
    120_000
  )
})

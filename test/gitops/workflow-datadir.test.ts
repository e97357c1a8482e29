/**
 * Why the apply job keeps DATA_DIR on the runner (gitops-apply.yml, DATA_DIR from
 * vars.OPNSENSE_DATA_DIR): an apply killed in the middle (runner restarted, job timed out) leaves
 * its journal there, and the next apply run recovers it first. A DATA_DIR that starts empty on
 * every run (the workspace of a fresh job) never sees that journal. The CLI as the job runs it,
 * against the simulator over HTTPS; the kill is a real SIGKILL while a write hangs.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { TREE } from "../e2e/harness.ts"
import { runCli, simulatorEnv } from "../support/cli.ts"
import { makeRepo, type Repo } from "./repo.ts"

let sim: SimulatorHandle
let repo: Repo
let runner: string

beforeAll(async () => {
  sim = await startSimulator({ version: "26.7" })
  repo = makeRepo(sim, { tree: TREE })
  runner = mkdtempSync(join(tmpdir(), "runner-data-"))
  const bootstrap = await runCli(["apply", "--auto-approve"], { sim, dataDir: runner, cwd: repo.root })
  expect(bootstrap.code, bootstrap.stderr).toBe(0)
}, 60_000)
afterAll(async () => {
  await sim.close()
  repo.close()
  rmSync(runner, { recursive: true, force: true })
})

const cli = (dataDir: string, ...args: ReadonlyArray<string>) => runCli(args, { sim, dataDir, cwd: repo.root })

/** the apply job's step, killed with SIGKILL once its first VLAN write is hanging on the firewall */
const killedApply = async (dataDir: string) => {
  const writes = () => sim.requests.count((e) => e.endpoint.includes("vlan_settings/set"))
  const before = writes()
  sim.faults.hangNext(1, "/api/interfaces/vlan_settings/set")
  const child = execFile(
    process.execPath,
    [resolve("src/index.ts"), "apply", "--plan", "plan.json", "--auto-approve"],
    {
      cwd: repo.root,
      env: {
        PATH: process.env["PATH"] ?? "",
        ...simulatorEnv(sim),
        DATA_DIR: dataDir,
        USER: "ci-bot",
        CACHE_DEFAULT_TTL: "0"
      }
    }
  )
  const exited = new Promise<void>((done) => child.on("exit", () => done()))
  for (let i = 0; i < 300 && writes() === before; i++) await new Promise((r) => setTimeout(r, 50))
  expect(writes()).toBeGreaterThan(before)
  child.kill("SIGKILL")
  await exited
  sim.faults.reset()
}

describe("DATA_DIR kept on the runner", () => {
  it("the next apply run recovers a killed apply's journal; a fresh DATA_DIR would not see it", async () => {
    const text = repo.read("desired-state/10-network.yaml")
    expect(text).toContain("description: IoT devices")
    repo.write(
      "desired-state/10-network.yaml",
      text.replace("description: IoT devices", "description: IoT devices (killed)")
    )
    repo.git("commit", "--quiet", "-am", "Describe the IoT VLAN")
    const planDir = mkdtempSync(join(tmpdir(), "plan-data-"))
    expect((await cli(planDir, "plan", "--out", "plan.json", "--detailed-exitcode")).code).toBe(2)

    await killedApply(runner)
    expect(readdirSync(join(runner, "journal")).length).toBeGreaterThan(0)

    // an empty DATA_DIR (what every run had before) knows of no interrupted apply
    const fresh = await cli(planDir, "plan")
    expect(fresh.stdout + fresh.stderr).not.toContain("interrupted apply")
    const kept = await cli(runner, "plan")
    expect(kept.stdout + kept.stderr).toContain("an interrupted apply")

    // the next run on the same runner recovers it, then applies
    const next = await cli(runner, "apply", "--plan", "plan.json", "--auto-approve", "--json")
    expect(next.stdout + next.stderr).toContain("recovered the interrupted apply")
    expect(next.code, next.stderr).toBe(0)
    expect([...sim.state.vlans.values()].some((v) => (v["descr"] ?? "").includes("(killed)"))).toBe(true)
    const after = await cli(runner, "plan", "--detailed-exitcode")
    expect(after.stdout + after.stderr).not.toContain("interrupted apply")
    expect(after.code).toBe(0)
    expect(existsSync(join(runner, "audit.log"))).toBe(true)
    // one audit log across the runs: the bootstrap's entry and this apply's
    const audit = readFileSync(join(runner, "audit.log"), "utf8").trim().split("\n")
    expect(audit.length).toBeGreaterThanOrEqual(2)
    rmSync(planDir, { recursive: true, force: true })
  })
})

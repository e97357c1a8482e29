/**
 * The steps of .github/workflows/gitops-plan.yml and gitops-apply.yml, run as the workflows run
 * them (the same CLI commands, from the repository root, one DATA_DIR per job) in a temporary git
 * repository, against a simulator reached over HTTPS through OPNSENSE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Plan } from "../../src/Domain/Plan.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { TREE } from "../e2e/harness.ts"
import { setAliasContentOutOfBand } from "../support/firewall.ts"
import { makeRepo, type Repo, stable } from "./repo.ts"

let sim: SimulatorHandle
let repo: Repo

beforeAll(async () => {
  sim = await startSimulator({ version: "26.7" })
  repo = makeRepo(sim, { tree: TREE })
  // the firewall starts out as main describes it
  const bootstrap = await repo.job("bootstrap")("apply", "--auto-approve")
  expect(bootstrap.code, bootstrap.stderr).toBe(0)
}, 60_000)
afterAll(async () => {
  await sim.close()
  repo.close()
})

const editFile = (path: string, from: string, to: string) => {
  const text = repo.read(path)
  expect(text).toContain(from)
  repo.write(path, text.replace(from, to))
}

describe("pull request → merge → apply", () => {
  it("a branch with a YAML change: validate and lint pass, plan exits 2 and renders the golden comment", async () => {
    repo.git("checkout", "--quiet", "-b", "pr-1")
    editFile(
      "desired-state/20-rules.yaml",
      "destination: { address: dns_servers, port: 53 }",
      "destination: { address: dns_servers, port: 853 }"
    )
    editFile(
      "desired-state/20-rules.yaml",
      "  - name: icmp-everywhere\n    interface: [lan, wan]\n    action: pass\n    protocol: icmp\n    direction: in\n",
      ""
    )
    editFile(
      "desired-state/10-network.yaml",
      "aliases:\n",
      "aliases:\n  - name: ntp_servers\n    type: host\n    content: [10.0.0.123]\n    description: Time <and> | pipes\n"
    )
    repo.git("commit", "--quiet", "-am", "DNS over TLS for IoT; no more ICMP; NTP servers")
    const ci = repo.job("pr-1")

    const validate = await ci("validate", "--format", "github")
    expect(validate.stdout).not.toContain("::error")
    expect(validate.code).toBe(0)
    const lint = await ci("lint", "--format", "github")
    expect(lint.stdout).not.toContain("::error")
    expect([0, 2]).toContain(lint.code)

    const plan = await ci("plan", "--out", "plan.json", "--format", "markdown", "--detailed-exitcode")
    expect(plan.code, plan.stderr).toBe(2)
    await expect(stable(plan.stdout)).toMatchFileSnapshot("golden/pr-plan.md")
    const saved: Plan = JSON.parse(repo.read("plan.json"))
    expect(saved.summary).toEqual({ create: 1, update: 1, delete: 1 })
    expect(plan.stdout).toContain(saved.planId)
  })

  it("after the merge the apply job applies the reviewed plan (exit 0) and the re-plan is empty", async () => {
    repo.git("checkout", "--quiet", "main")
    repo.git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #1", "pr-1")
    const ci = repo.job("apply-1")
    const apply = await ci("apply", "--plan", "plan.json", "--auto-approve", "--json")
    expect(apply.code, apply.stderr).toBe(0)
    expect(JSON.parse(apply.stdout)).toMatchObject({ result: "applied", verification: { clean: true } })
    const rule = [...sim.state.rules.values()].find((r) => (r["description"] ?? "").includes("IoT may resolve names"))
    expect(rule?.["destination_port"]).toBe("853")

    const replan = await repo.job("after-apply-1")("plan", "--detailed-exitcode")
    expect(replan.stdout).toContain("No changes.")
    expect(replan.code).toBe(0)
  })

  it("a plan that went stale before the merge is refused (exit 3), nothing applied, and re-planned", async () => {
    repo.git("checkout", "--quiet", "-b", "pr-2")
    editFile("desired-state/10-network.yaml", "description: IoT devices", "description: IoT devices (cameras)")
    repo.git("commit", "--quiet", "-am", "Describe the IoT VLAN")
    const reviewed = await repo.job("pr-2")("plan", "--out", "plan.json", "--format", "markdown", "--detailed-exitcode")
    expect(reviewed.code).toBe(2)

    await setAliasContentOutOfBand(sim, "dns_servers", ["10.0.0.99"])
    repo.git("checkout", "--quiet", "main")
    repo.git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #2", "pr-2")
    const ci = repo.job("apply-2")
    const stale = await ci("apply", "--plan", "plan.json", "--auto-approve")
    expect(stale.code).toBe(3)
    expect(stale.stderr).toContain("changed since plan")
    expect([...sim.state.vlans.values()].some((v) => (v["descr"] ?? "").includes("cameras"))).toBe(false)

    // the workflow's "Refused — re-plan with the read-only key" step
    const replan = await ci("plan", "--format", "markdown")
    expect(replan.code).toBe(0)
    expect(replan.stdout).toMatch(/\*\*0 to create, 2 to update, 0 to delete\*\*/)
    expect(replan.stdout).toContain("~ alias dns_servers")
    expect(replan.stdout).toContain("~ vlan iot")

    // reviewed again, applied, settled
    const again = await repo.job("pr-2-again")("plan", "--out", "plan.json", "--detailed-exitcode")
    expect(again.code).toBe(2)
    expect((await repo.job("apply-2-again")("apply", "--plan", "plan.json", "--auto-approve")).code).toBe(0)
    expect((await repo.job("after-apply-2")("plan", "--detailed-exitcode")).code).toBe(0)
  })
})

describe("the reviewed plan is the only thing applied", () => {
  it("refuses (exit 3) a plan whose branch is not what main holds after the merge, and applies nothing", async () => {
    repo.git("checkout", "--quiet", "-b", "pr-3")
    editFile("desired-state/10-network.yaml", "    tag: 40\n    priority: 1\n", "    tag: 40\n    priority: 2\n")
    repo.git("commit", "--quiet", "-am", "Guest VLAN priority 2")
    expect((await repo.job("pr-3")("plan", "--out", "plan.json", "--detailed-exitcode")).code).toBe(2)
    // meanwhile another pull request lands on main
    repo.git("checkout", "--quiet", "main")
    editFile(
      "desired-state/10-network.yaml",
      "description: Everything inside",
      "description: Everything inside (all nets)"
    )
    repo.git("commit", "--quiet", "-am", "Describe internal_nets")
    repo.git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #3", "pr-3")

    // the action is the third path segment: `routing/settings/get` is a read
    const writes = () =>
      sim.requests.count((e) =>
        /^\/api\/[^/]+\/[^/]+\/(add|set|del|toggle|apply|reconfigure)\w*(\/|$)/.test(e.endpoint)
      )
    const before = writes()
    expect(before).toBeGreaterThan(0) // the earlier applies wrote through these endpoints
    const r = await repo.job("apply-3")("apply", "--plan", "plan.json", "--auto-approve")
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("desired state changed since plan")
    expect(writes()).toBe(before)
    expect([...sim.state.vlans.values()].find((v) => v["tag"] === "40")?.["pcp"]).toBe("1")
  })
})

describe("validate --format github", () => {
  it("prints one annotation per problem with the file, line and column the runner resolves", async () => {
    repo.git("checkout", "--quiet", "-b", "pr-bad")
    repo.write(
      "desired-state/30-bad.yaml",
      [
        "rules:",
        "  - name: to-nowhere",
        "    interface: lan",
        "    action: pass",
        "    source: no_such_alias",
        "  - name: odd-action",
        "    interface: lan",
        "    action: allow, please",
        ""
      ].join("\n")
    )
    repo.git("add", "desired-state/30-bad.yaml")
    repo.git("commit", "--quiet", "-m", "broken on purpose")
    const r = await repo.job("pr-bad")("validate", "--format", "github")
    expect(r.code).toBe(1)
    const annotations = r.stdout.split("\n").filter((l) => l.startsWith("::"))
    expect(annotations).toHaveLength(2)
    expect(annotations[0]).toMatch(
      /^::error file=desired-state\/30-bad\.yaml,line=5,col=13,title=validate%3A unknown-alias::"no_such_alias" .*\(rule "to-nowhere"\)%0Ahint: /
    )
    // the value's ", " is data after "::", so it stays as it is; in properties it would be %2C
    expect(annotations[1]).toMatch(
      /^::error file=desired-state\/30-bad\.yaml,line=8,col=13,title=validate%3A invalid-value::"allow, please" is not one of/
    )
    repo.git("checkout", "--quiet", "main")
  })
})

/**
 * Adoption of a firewall that was configured by hand: `import` writes its objects as YAML in the
 * repository layout, and the plan that follows is empty — at once when the working tree is written
 * (the inventory is recorded), and after the adoption branch is merged and applied when it was
 * committed on a branch (the merged plan only adds ownership markers).
 */
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Plan } from "../../src/Domain/Plan.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { post } from "../simulator/helpers.ts"
import { makeRepo, type Repo } from "./repo.ts"

/**
 * The kinds these tests adopt: the sandbox's other objects (its WAN gateway, interface
 * assignments and port forward) are imported by the tests of their own kinds.
 */
const CORE_KINDS = ["--kind", "vlan,alias,rule"] as const

let sim: SimulatorHandle
let repo: Repo

beforeAll(async () => {
  // the simulator's realistic pre-existing objects: 1 VLAN, 3 aliases, 3 rules, plus read-only ones
  sim = await startSimulator({ version: "26.7" })
  repo = makeRepo(sim)
})
afterAll(async () => {
  await sim.close()
  repo.close()
})

const today = new Date().toISOString().slice(0, 10).replace(/-/g, "")

describe("import --commit", () => {
  it("commits the YAML on a new branch (author from config) and leaves the checkout untouched", async () => {
    const r = await repo.job("adopt")("import", "--commit", ...CORE_KINDS)
    expect(r.code, r.stderr).toBe(0)
    const branch = `adopt-default-${today}`
    expect(r.stdout).toMatch(new RegExp(`^committed [0-9a-f]{12} on branch ${branch}: `))
    expect(repo.git("rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("main")
    expect(repo.git("status", "--porcelain").trim()).toBe("")
    expect(repo.git("ls-tree", "-r", "--name-only", branch).trim().split("\n").sort()).toEqual([
      ".gitignore",
      "desired-state/aliases.yaml",
      "desired-state/rules.yaml",
      "desired-state/vlans.yaml"
    ])
    expect(repo.git("log", "-1", "--format=%an <%ae>%n%s", branch).trim()).toBe(
      "opnsense-mcp <bot@example.org>\nAdopt the live objects of site default"
    )
  })

  it("refuses a branch that exists and leaves nothing behind", async () => {
    const before = repo.git("for-each-ref", "--format=%(refname)")
    const r = await repo.job("adopt-again")("import", "--branch", `adopt-default-${today}`)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("already exists")
    expect(repo.git("for-each-ref", "--format=%(refname)")).toBe(before)
    expect(repo.git("worktree", "list").trim().split("\n")).toHaveLength(1)
  })

  it("merged, its plan only adopts (no create, no delete); applied, every later plan is empty", async () => {
    repo.git("merge", "--quiet", "--ff-only", `adopt-default-${today}`)
    const pr = repo.job("adoption-pr")
    expect((await pr("validate", "--format", "github")).code).toBe(0)
    const planned = await pr("plan", "--out", "plan.json", "--json", "--detailed-exitcode")
    expect(planned.code, planned.stderr).toBe(2)
    const plan: Plan = JSON.parse(planned.stdout)
    expect(plan.summary).toEqual({ create: 0, update: 7, delete: 0 })
    expect(plan.changes.every((c) => c.reason?.startsWith("adopt") === true)).toBe(true)
    expect(plan.changes.every((c) => c.diff?.every((d) => d.path === "owner") === true)).toBe(true)

    const applied = await repo.job("adoption-apply")("apply", "--plan", "plan.json", "--auto-approve")
    expect(applied.code, applied.stderr).toBe(0)
    // a fresh DATA_DIR, as in the next CI run: the markers carry the identity
    const next = await repo.job("next-pr")("plan", "--detailed-exitcode")
    expect(next.stdout).toContain("No changes.")
    expect(next.code).toBe(0)
  })
})

describe("import --out", () => {
  it("writes the repository layout and the first plan of that tree is empty", async () => {
    const local = repo.job("workstation")
    const r = await local("import", "--out", "adopted", "--dir", "adopted", ...CORE_KINDS)
    expect(r.code, r.stderr).toBe(0)
    expect(readdirSync(join(repo.root, "adopted")).sort()).toEqual(["aliases.yaml", "rules.yaml", "vlans.yaml"])
    expect(repo.read("adopted/rules.yaml")).toMatch(/^# Imported from the live firewall/)
    const plan = await local("plan", "--dir", "adopted", "--detailed-exitcode")
    expect(plan.stdout).toContain("No changes.")
    expect(plan.code).toBe(0)
  })

  it("into another folder, or to stdout, records nothing: the desired state's next plan deletes nothing", async () => {
    // an object made by hand on the firewall, which the desired state does not name
    const added = await post(sim, "/api/firewall/alias/add_item", {
      alias: { name: "made_by_hand", type: "host", content: "192.0.2.99" }
    })
    expect(added.body.result).toBe("saved")
    const stray = repo.job("stray")
    const before: Plan = JSON.parse((await stray("plan", "--json")).stdout)
    expect((await stray("import", "--out", "elsewhere")).code).toBe(0)
    expect((await stray("import")).code).toBe(0)
    const after: Plan = JSON.parse((await stray("plan", "--json")).stdout)
    expect(after.summary.delete).toBe(before.summary.delete)
    expect(after.changes.some((c) => c.name === "made_by_hand")).toBe(false)
    expect(after.changes.filter((c) => c.action === "delete")).toEqual(
      before.changes.filter((c) => c.action === "delete")
    )
  })

  it("puts a named site's files in its folder from sites.yaml", async () => {
    repo.write("multi/sites.yaml", "sites:\n  - name: edge\n    path: edge\n")
    repo.write("multi/edge/.keep", "")
    const r = await repo.job("multi")("import", "--site", "edge", "--out", "multi", "--dir", "multi", "--kind", "vlan")
    expect(r.code, r.stderr).toBe(0)
    expect(readdirSync(join(repo.root, "multi", "edge")).sort()).toEqual([".keep", "vlans.yaml"])
  })
})

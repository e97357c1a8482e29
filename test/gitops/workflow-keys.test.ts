/**
 * The plan key docs/gitops.md documents ("Read-only key"): the privileges it lists are enough for
 * the plan and drift steps, and what they do and do not prevent, against the simulator's ACL
 * (privilege → URL patterns as in opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/*\/ACL/ACL.xml).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { TREE } from "../e2e/harness.ts"
import { runCli } from "../support/cli.ts"
import { makeRepo, type Repo } from "./repo.ts"

/** the privileges docs/gitops.md lists for the read-only key */
const PLAN_KEY_PRIVILEGES = [
  "page-firewall-aliases",
  "page-filter-api",
  "page-interfaces-vlan-edit",
  "page-system-status",
  "page-interfaces-overview",
  "page-firewall-categories",
  "page-filter-snat-api",
  "page-firewall-nat-1-1-edit",
  "page-system-firmware-manualupdate",
  // host overrides and their aliases; query forwarding (domain overrides) is only under the whole of Unbound
  "page-services-dnsresolver-overrides",
  "page-services-unbound",
  // port forwards, interface assignments, Kea DHCP, gateways and static routes
  "page-firewall-nat-portforward-edit",
  "page-interfaces-assignnetworkports",
  "page-dhcp-kea-v4",
  "page-system-gateways",
  "page-system-staticroutes"
]

let sim: SimulatorHandle
let repo: Repo

beforeAll(async () => {
  sim = await startSimulator({ version: "26.7" })
  sim.state.apiKeys.push({
    key: "plan-key",
    secret: "plan-secret",
    user: "gitops-plan",
    privileges: PLAN_KEY_PRIVILEGES
  })
  repo = makeRepo(sim, { tree: TREE })
}, 60_000)
afterAll(async () => {
  await sim.close()
  repo.close()
})

const withPlanKey = (name: string) => (...args: ReadonlyArray<string>) =>
  runCli(args, {
    sim,
    dataDir: `${repo.root}/.data/${name}`,
    cwd: repo.root,
    env: { OPNSENSE_API_KEY: "plan-key", OPNSENSE_API_SECRET: "plan-secret" }
  })

describe("the read-only plan key", () => {
  it("is enough for plan and drift", async () => {
    const plan = await withPlanKey("plan")("plan", "--out", "plan.json", "--detailed-exitcode")
    expect(plan.code, plan.stderr).toBe(2)
    const drift = await withPlanKey("drift")("drift")
    expect([0, 2], drift.stderr).toContain(drift.code)
  })

  it("an apply with it stops at the pre-apply backup, before any write (no Configuration History privilege)", async () => {
    // the action is the fourth segment (a controller may be named `settings`, as unbound's is)
    const writes = () =>
      sim.requests.count((e) =>
        /^\/api\/[^/]+\/[^/]+\/(add|set|del|toggle|apply|reconfigure)\w*(\/|$)/.test(e.endpoint)
      )
    const before = writes()
    const apply = await withPlanKey("apply")("apply", "--auto-approve")
    expect(apply.code).toBe(1)
    expect(apply.stderr).toContain("page-diagnostics-configurationhistory")
    expect(writes()).toBe(before)
  })
})

/**
 * The plan key docs/gitops.md documents ("Read-only key"): the privileges it lists are enough for
 * the plan and drift steps, those of kinds the site does not use can be left out, and what they do
 * and do not prevent, against the simulator's ACL
 * (privilege → URL patterns as in opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/*\/ACL/ACL.xml).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { TREE } from "../e2e/harness.ts"
import { runCli } from "../support/cli.ts"
import { makeRepo, type Repo } from "./repo.ts"

/**
 * The privileges docs/gitops.md says to always grant the read-only key: what the plan key held
 * before the NAT, DHCP, DNS and routing kinds existed, still enough for a site that declares none
 * of them
 */
const ALWAYS_PRIVILEGES = [
  "page-firewall-aliases",
  "page-filter-api",
  "page-interfaces-vlan-edit",
  "page-system-status",
  "page-interfaces-overview",
  "page-firewall-categories",
  "page-system-firmware-manualupdate"
]

/** every privilege docs/gitops.md lists for the read-only key */
const PLAN_KEY_PRIVILEGES = [
  ...ALWAYS_PRIVILEGES,
  "page-filter-snat-api",
  "page-firewall-nat-1-1-edit",
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
  sim.state.apiKeys.push({
    key: "filter-key",
    secret: "filter-secret",
    user: "gitops-plan",
    privileges: ALWAYS_PRIVILEGES
  })
  repo = makeRepo(sim, { tree: TREE })
}, 60_000)
afterAll(async () => {
  await sim.close()
  repo.close()
})

/** The CLI with an API key, in a DATA_DIR of its own per name. */
const withKey = (key: string) => (name: string) => (...args: ReadonlyArray<string>) =>
  runCli(args, {
    sim,
    dataDir: `${repo.root}/.data/${name}`,
    cwd: repo.root,
    env: { OPNSENSE_API_KEY: `${key}-key`, OPNSENSE_API_SECRET: `${key}-secret` }
  })
const withPlanKey = withKey("plan")
const withFilterKey = withKey("filter")

describe("the read-only plan key", () => {
  it("is enough for plan and drift", async () => {
    const plan = await withPlanKey("plan")("plan", "--out", "plan.json", "--detailed-exitcode")
    expect(plan.code, plan.stderr).toBe(2)
    const drift = await withPlanKey("drift")("drift")
    expect([0, 2], drift.stderr).toContain(drift.code)
  })

  it("needs the privileges of the NAT, DHCP, DNS and routing kinds only where the site uses them", async () => {
    // the site (vlans, aliases, rules) declares none of them: plan and drift go on and say what they did not read
    const plan = await withFilterKey("filter-plan")("plan", "--detailed-exitcode")
    expect(plan.code, plan.stderr).toBe(2)
    expect(plan.stdout).toContain(
      "warning: DHCP subnets were not read: the API key lacks the privilege \"page-dhcp-kea-v4 (Services: DHCP: Kea(v4))\"; " +
        "the site declares none, so none are planned and none on the firewall are touched"
    )
    expect(plan.stdout).toContain("port forwards were not read")
    // the lockout guard checks the management path on what was read: no "not certainly" on every plan
    expect(plan.stdout).not.toContain("not certainly")
    const json = await withFilterKey("filter-json")("plan", "--json")
    expect(JSON.parse(json.stdout)).toMatchObject({ unread: expect.arrayContaining(["port_forward", "host_override"]) })
    const drift = await withFilterKey("filter-drift")("drift")
    expect([0, 2], drift.stderr).toContain(drift.code)
    expect(drift.stdout).toContain(
      "Not compared: gateways were not read: the API key lacks the privilege \"page-system-gateways (System: Gateways)\"."
    )
    const lint = await withFilterKey("filter-lint")("lint", "--live")
    expect([0, 2], lint.stderr).toContain(lint.code)
    expect(lint.stdout).toContain(
      "info[kinds-not-read]: port forwards were not read: the API key lacks the privilege " +
        "\"page-firewall-nat-portforward-edit (Firewall: NAT: Destination NAT)\": the analysis goes on without them"
    )
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

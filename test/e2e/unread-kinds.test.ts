/**
 * An API key without the privilege of a kind the site does not use, against the simulator's ACL
 * (privilege → URL patterns as in opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Kea/ACL/ACL.xml: page-dhcp-kea-v4 holds api/kea/dhcpv4/*).
 * The snapshot holds the kind empty and names it; plan goes on with a warning when it could not
 * have changed anything of the kind, and fails with the PermissionError when it could; drift says
 * what it did not compare.
 */
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Opnsense } from "../../src/Opnsense.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import { PRIVILEGES } from "../../src/Simulator/Acl.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const KEA = "page-dhcp-kea-v4 (Services: DHCP: Kea(v4))"
const NETWORK = ["vlans:", "  - name: iot", "    parent: igb2", "    tag: 30", ""].join("\n")
const DHCP = [
  "dhcp_subnets:",
  "  - name: iot-dhcp",
  "    subnet: 10.30.0.0/24",
  "    pools: 10.30.0.100-10.30.0.199",
  ""
].join("\n")
const PRUNE = "sites:\n  - name: default\n    path: .\n    prune_unmanaged: true\n"

/** A harness whose firewall has a Kea subnet nobody manages, and a key with every privilege but Kea's. */
const start = async (files: Readonly<Record<string, string>>) => {
  h = await startHarness({
    version: "26.7",
    files,
    seed: { keaSubnets: [{ subnet: "10.99.0.0/24", description: "someone else's" }] }
  })
  h.sim.state.apiKeys.push({
    key: "no-kea",
    secret: "s",
    user: "planner",
    privileges: Object.keys(PRIVILEGES).filter((p) => !p.startsWith("page-dhcp-kea"))
  })
  return { harness: h, noKea: h.withKey("no-kea", "s") }
}

const write = (harness: Harness, name: string, text: string) => writeFileSync(join(harness.desiredDir, name), text)

describe("a key without the Kea privilege", () => {
  it("plans and applies a site with no DHCP, warning that DHCP was not read; a full key applies that plan", async () => {
    const { harness, noKea } = await start({ "network.yaml": NETWORK })
    const live = await Effect.runPromise(Effect.provide(Opnsense.use((c) => c.snapshot({ fresh: true })), noKea))
    expect(live.dhcp_subnets).toEqual([])
    expect(live.unreadable?.map((u) => [u.kind, u.privilege, u.endpoint])).toEqual([
      ["dhcp_subnet", KEA, "POST kea/dhcpv4/search_subnet"],
      ["dhcp_reservation", KEA, "POST kea/dhcpv4/search_reservation"]
    ])

    const plan = await Effect.runPromise(Effect.provide(Reconciler.use((r) => r.plan()), noKea))
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(["create vlan iot"])
    expect(plan.unread).toEqual(["dhcp_subnet", "dhcp_reservation"])
    expect(plan.warnings).toContain(
      `DHCP subnets were not read: the API key lacks the privilege "${KEA}"; the site declares none, so none are ` +
        "planned and none on the firewall are touched"
    )
    // the plan key's plan, applied with the write key that reads Kea: not stale, the subnet untouched
    const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
    expect(report.result).toBe("applied")
    expect([...harness.sim.state.keaSubnets.values()].map((s) => s["subnet"])).toEqual(["10.99.0.0/24"])
  })

  it("fails to plan a site that declares a DHCP subnet, naming the privilege, the kind and the line", async () => {
    const { noKea } = await start({ "network.yaml": NETWORK, "dhcp.yaml": DHCP })
    const error = await Effect.runPromise(Effect.flip(Effect.provide(Reconciler.use((r) => r.plan()), noKea)))
    expect(error._tag).toBe("PermissionError")
    expect(error.message).toContain(`the API user lacks the privilege ${KEA} needed for POST kea/dhcpv4/search_subnet`)
    expect(error.message).toContain(
      `site "default" declares 1 DHCP subnet (dhcp.yaml:2:5), so DHCP subnets must be read`
    )
  })

  it("fails to plan a site that prunes unmanaged objects", async () => {
    const { noKea } = await start({ "network.yaml": NETWORK, "sites.yaml": PRUNE })
    const error = await Effect.runPromise(Effect.flip(Effect.provide(Reconciler.use((r) => r.plan()), noKea)))
    expect(error._tag).toBe("PermissionError")
    expect(error.message).toContain(KEA)
    expect(error.message).toContain("prunes unmanaged objects (prune_unmanaged in sites.yaml), so DHCP subnets")
  })

  it("drift names DHCP as not compared instead of missing; plan refuses while state.json records a managed subnet", async () => {
    const { harness, noKea } = await start({ "network.yaml": NETWORK, "dhcp.yaml": DHCP })
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    expect((await run(harness, Reconciler.use((r) => r.apply(plan, { approve: true })))).result).toBe("applied")

    const drift = await Effect.runPromise(Effect.provide(Reconciler.use((r) => r.drift()), noKea))
    expect(drift.unreadable).toEqual([
      `DHCP subnets were not read: the API key lacks the privilege "${KEA}"`,
      `DHCP reservations were not read: the API key lacks the privilege "${KEA}"`
    ])
    expect(drift.missing).toEqual([])
    expect(drift.pending).toEqual([])
    expect(drift.hasDrift).toBe(false)
    const imported = await Effect.runPromise(
      Effect.provide(Reconciler.use((r) => r.importLive({ recordInventory: false })), noKea)
    )
    expect(imported.skipped).toContain(`DHCP subnets were not read: the API key lacks the privilege "${KEA}"`)

    // the site no longer declares the subnet: a plan must read Kea to delete it
    write(harness, "dhcp.yaml", "")
    const error = await Effect.runPromise(Effect.flip(Effect.provide(Reconciler.use((r) => r.plan()), noKea)))
    expect(error._tag).toBe("PermissionError")
    expect(error.message).toContain("state.json records 1 DHCP subnet of site \"default\" as managed (iot-dhcp)")
  })

  it("refuses to apply a plan that read DHCP: it cannot tell whether DHCP changed since", async () => {
    const { harness, noKea } = await start({ "network.yaml": NETWORK })
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    expect(plan.unread).toBeUndefined()
    const vlans = harness.sim.state.vlans.size
    const error = await Effect.runPromise(
      Effect.flip(Effect.provide(Reconciler.use((r) => r.apply(plan.planId, { approve: true })), noKea))
    )
    expect(error._tag).toBe("PermissionError")
    expect(error.message).toContain(KEA)
    expect(error.message).toContain("was made with a key that read them")
    expect(harness.sim.state.vlans.size).toBe(vlans)
  })
})

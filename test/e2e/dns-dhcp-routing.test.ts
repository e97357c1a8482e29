/**
 * The DNS, DHCP and routing kinds together, as a site adds them beside a new VLAN: the VLAN, its
 * DHCP subnet, two reservations, a host override, a gateway and a route plan in dependency order,
 * apply with one reconfigure per touched subsystem (VLAN, Kea, Unbound, routing) and re-plan
 * empty, on 26.1 and 26.7 emulation; importing the box afterwards gives YAML that plans empty.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Reconciler } from "../../src/Reconciler.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const SITE = `vlans:
  - name: lab
    parent: igb2
    tag: 50
    description: Lab

dhcp_subnets:
  - name: lab-dhcp
    subnet: 10.50.0.0/24
    pools: [10.50.0.100-10.50.0.199]
    routers: [10.50.0.1]
    dns_servers: [10.50.0.1]

dhcp_reservations:
  - name: scope
    subnet: lab-dhcp
    mac: 00:1b:a9:50:00:10
    ip: 10.50.0.10
    hostname: scope
  - name: analyser
    subnet: 10.50.0.0/24
    mac: 00:1b:a9:50:00:11
    ip: 10.50.0.11

host_overrides:
  - name: scope-dns
    host: scope
    domain: lab.lan
    address: 10.50.0.10
    aliases: [oscilloscope]

gateways:
  - name: LAB_GW
    interface: lan
    address: 192.168.1.254

routes:
  - name: lab-far
    network: 10.51.0.0/16
    gateway: LAB_GW
`

for (const version of ["26.1", "26.7"] as const) {
  describe(`a new VLAN with its DHCP, DNS name and route (${version})`, () => {
    it(
      "plans in dependency order, applies with one reconfigure per subsystem, re-plans empty, imports to an empty plan",
      async () => {
        h = await startHarness({ version, files: { "lab.yaml": SITE } })
        const harness = h
        const plan = await run(harness, Reconciler.use((r) => r.plan()))
        expect(plan.summary).toEqual({ create: 7, update: 0, delete: 0 })
        const order = plan.changes.map((c) => c.kind)
        // a subnet after the VLAN it serves, reservations after their subnet, a route after its gateway
        expect(order.indexOf("dhcp_subnet")).toBeGreaterThan(order.indexOf("vlan"))
        expect(order.lastIndexOf("dhcp_subnet")).toBeLessThan(order.indexOf("dhcp_reservation"))
        expect(order.indexOf("gateway")).toBeLessThan(order.indexOf("route"))

        harness.sim.requests.clear()
        const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
        expect(report.result).toBe("applied")
        expect(report.verification).toEqual({ clean: true, remaining: [] })
        expect([...report.reconfigured].sort()).toEqual(["kea", "routing", "unbound", "vlan"])
        for (
          const endpoint of [
            "/api/interfaces/vlan_settings/reconfigure",
            "/api/kea/service/reconfigure",
            "/api/unbound/service/reconfigure"
          ]
        ) {
          expect(harness.sim.requests.count(endpoint), endpoint).toBe(1)
        }
        // gateways and routes share configd's `interface routes configure`: one call for both
        expect(
          harness.sim.requests.count("/api/routes/routes/reconfigure") +
            harness.sim.requests.count("/api/routing/settings/reconfigure")
        ).toBe(1)
        expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

        // the box as it is now, imported into an empty desired state and its record: an empty plan
        const imported = await run(harness, Reconciler.use((r) => r.importLive()))
        for (const name of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, name))
        for (const file of imported.files) writeFileSync(join(harness.desiredDir, file.path), file.content)
        expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
      },
      60_000
    )
  })
}

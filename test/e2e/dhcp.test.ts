/**
 * Kea DHCPv4 subnets and reservations end to end against the simulator over HTTPS: a VLAN given its
 * DHCP subnet and two reservations plans, applies with one Kea reconfigure and re-plans empty;
 * changes and removals plan as updates and deletes in dependency order; an unmanaged subnet with
 * the same CIDR is adopted; importing a seeded box gives YAML that plans empty.
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
  - name: iot
    parent: igb2
    tag: 30
    description: IoT

dhcp_subnets:
  - name: iot-dhcp
    subnet: 10.30.0.0/24
    pools: 10.30.0.100-10.30.0.199
    routers: 10.30.0.1
    dns_servers: [10.30.0.1]
    description: IoT clients

dhcp_reservations:
  - name: printer
    subnet: iot-dhcp
    mac: AA:BB:CC:00:30:10
    ip: 10.30.0.10
    hostname: printer
  - name: camera
    subnet: 10.30.0.0/24
    mac: aa-bb-cc-00-30-11
    ip: 10.30.0.11
    description: Door camera
`

const write = (harness: Harness, name: string, text: string) => writeFileSync(join(harness.desiredDir, name), text)

for (const version of ["26.1", "26.7"] as const) {
  describe(`DHCP subnets and reservations (${version})`, () => {
    it("plan, apply with one Kea reconfigure, re-plan empty; update and delete in order", async () => {
      h = await startHarness({ version, files: { "site.yaml": SITE } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.summary).toEqual({ create: 4, update: 0, delete: 0 })
      expect(plan.changes.map((c) => `${c.kind} ${c.name}`)).toEqual([
        "vlan iot",
        "dhcp_subnet iot-dhcp",
        "dhcp_reservation printer",
        "dhcp_reservation camera"
      ])
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification).toEqual({ clean: true, remaining: [] })
      expect(harness.sim.requests.count("/api/kea/service/reconfigure")).toBe(1)
      const subnets = [...harness.sim.state.keaSubnets.values()]
      expect(
        subnets.map((s) => [s["subnet"], s["option_data.routers"], s["option_data_autocollect"], s["description"]])
      )
        .toEqual([["10.30.0.0/24", "10.30.0.1", "0", "IoT clients [gitops:iot-dhcp]"]])
      const reservations = [...harness.sim.state.keaReservations.values()]
      expect(reservations.map((r) => [r["hw_address"], r["ip_address"], r["description"]])).toEqual([
        ["aa:bb:cc:00:30:10", "10.30.0.10", "[gitops:printer]"],
        ["aa:bb:cc:00:30:11", "10.30.0.11", "Door camera [gitops:camera]"]
      ])
      // what Kea runs is what was configured
      expect(harness.sim.state.applied.keaReservations.size).toBe(2)
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

      write(
        harness,
        "site.yaml",
        SITE.replace("ip: 10.30.0.11", "ip: 10.30.0.12").replace("10.30.0.199", "10.30.0.150")
      )
      const changed = await run(harness, Reconciler.use((r) => r.plan()))
      expect(changed.changes.map((c) => [c.action, c.name, c.diff?.map((d) => d.path)])).toEqual([
        ["update", "iot-dhcp", ["pools"]],
        ["update", "camera", ["ip"]]
      ])
      harness.sim.requests.clear()
      expect((await run(harness, Reconciler.use((r) => r.apply(changed.planId, { approve: true })))).result).toBe(
        "applied"
      )
      expect(harness.sim.requests.count("/api/kea/service/reconfigure")).toBe(1)

      // the subnet goes with its reservations: reservations are deleted first (26.7 refuses a subnet in use)
      write(harness, "site.yaml", SITE.slice(0, SITE.indexOf("dhcp_subnets:")))
      const removal = await run(harness, Reconciler.use((r) => r.plan()))
      expect(removal.changes.map((c) => `${c.action} ${c.kind} ${c.name}`).sort()).toEqual([
        "delete dhcp_reservation camera",
        "delete dhcp_reservation printer",
        "delete dhcp_subnet iot-dhcp"
      ])
      harness.sim.requests.clear()
      const removed = await run(harness, Reconciler.use((r) => r.apply(removal.planId, { approve: true })))
      expect(removed.result).toBe("applied")
      const deletes = harness.sim.requests.entries.map((e) => e.endpoint).filter((e) => e.includes("/del_"))
      expect(deletes).toEqual([
        "/api/kea/dhcpv4/del_reservation",
        "/api/kea/dhcpv4/del_reservation",
        "/api/kea/dhcpv4/del_subnet"
      ])
      expect(harness.sim.requests.count("/api/kea/service/reconfigure")).toBe(1)
      expect(harness.sim.state.keaSubnets.size).toBe(0)
    })

    it("adopts an unmanaged subnet with the same CIDR and a reservation with the same MAC", async () => {
      h = await startHarness({
        version,
        files: { "site.yaml": SITE },
        seed: {
          keaSubnets: [{ subnet: "10.30.0.0/24", description: "hand-made" }],
          keaReservations: [{ subnet: "10.30.0.0/24", hw_address: "aa:bb:cc:00:30:10", ip_address: "10.30.0.10" }]
        }
      })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
        "create vlan iot",
        "update dhcp_subnet iot-dhcp",
        "update dhcp_reservation printer",
        "create dhcp_reservation camera"
      ])
      expect(plan.changes.filter((c) => c.action === "update").every((c) => c.reason?.startsWith("adopt"))).toBe(true)
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.verification.clean).toBe(true)
      expect(harness.sim.state.keaSubnets.size).toBe(1)
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })
  })
}

describe("import of DHCP subnets and reservations", () => {
  for (const version of ["26.1", "26.7"] as const) {
    it(`writes YAML that loads and plans empty (${version})`, async () => {
      h = await startHarness({
        version,
        files: {},
        seed: {
          keaSubnets: [
            {
              subnet: "192.168.1.0/24",
              pools: "192.168.1.100-192.168.1.200",
              option_data_autocollect: "0",
              option_data: { routers: "192.168.1.1", domain_name_servers: "192.168.1.1,9.9.9.9" },
              description: "LAN"
            },
            { subnet: "10.40.0.0/24", description: "" }
          ],
          keaReservations: [
            { subnet: "192.168.1.0/24", hw_address: "00:11:22:33:44:55", ip_address: "192.168.1.20", hostname: "nas" },
            { subnet: "10.40.0.0/24", hw_address: "00:11:22:33:44:56", ip_address: "10.40.0.20", description: "Phone" }
          ]
        }
      })
      const harness = h
      const result = await run(harness, Reconciler.use((r) => r.importLive()))
      expect(result.counts).toMatchObject({ dhcp_subnet: 2, dhcp_reservation: 2 })
      const text = (path: string) => result.files.find((f) => f.path === path)?.content ?? ""
      expect(text("dhcp.yaml")).toContain("subnet: 192.168.1.0/24")
      expect(text("dhcp-reservations.yaml")).toContain("subnet: 192.168.1.0/24")
      for (const f of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, f))
      for (const f of result.files) write(harness, f.path, f.content)
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes).toEqual([])
    })
  }
})

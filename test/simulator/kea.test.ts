import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

for (const version of ["26.1", "26.7"] as const) {
  describe(`simulator: kea/dhcpv4 subnets and reservations (${version})`, () => {
    let sim: SimulatorHandle
    let subnet = ""
    beforeAll(async () => {
      sim = await startSimulator({ version, unmanaged: false })
    })
    afterAll(() => sim.close())

    it("adds a subnet with pools and options; search rows carry raw values and dotted option_data", async () => {
      const added = await post(sim, "/api/kea/dhcpv4/add_subnet", {
        subnet4: {
          subnet: "10.30.0.0/24",
          pools: "10.30.0.100-10.30.0.199",
          option_data_autocollect: "0",
          option_data: { routers: "10.30.0.1", domain_name_servers: "10.30.0.1,9.9.9.9" },
          description: "IoT"
        }
      })
      expect(added.body).toEqual({ result: "saved", uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) })
      subnet = added.body.uuid
      const rows = await post(sim, "/api/kea/dhcpv4/search_subnet", { current: 1, rowCount: -1 })
      const row = rows.body.rows[0]
      expect(row).toMatchObject({
        uuid: subnet,
        subnet: "10.30.0.0/24",
        pools: "10.30.0.100-10.30.0.199",
        "option_data.routers": "10.30.0.1",
        "option_data.domain_name_servers": "10.30.0.1,9.9.9.9",
        option_data_autocollect: "0",
        description: "IoT"
      })
      // subnet_id (AutoNumberField) exists from 26.7.2 on (KeaDhcpv4.xml 1.0.6)
      if (version === "26.7") expect(row.subnet_id).toBe("1")
      else expect(row.subnet_id).toBeUndefined()
      const got = await call(sim, `/api/kea/dhcpv4/get_subnet/${subnet}`)
      // BaseSetField AsList: one selected entry per address in get
      expect(got.body.subnet4.option_data.domain_name_servers).toEqual({
        "10.30.0.1": { value: "10.30.0.1", selected: 1 },
        "9.9.9.9": { value: "9.9.9.9", selected: 1 }
      })
      expect(got.body.subnet4.subnet).toBe("10.30.0.0/24")
    })

    it("validates subnets with the model's messages", async () => {
      const bad = await post(sim, "/api/kea/dhcpv4/add_subnet", {
        subnet4: { subnet: "10.30.0.0/24", pools: "10.30.0.5 - x" }
      })
      expect(bad.body).toEqual({
        result: "failed",
        validations: {
          "subnet4.subnet": "Subnet must be unique.",
          "subnet4.pools": "Entry \"10.30.0.5 - x\" is not a valid range or subnet."
        }
      })
      const missing = await post(sim, "/api/kea/dhcpv4/add_subnet", { subnet4: { subnet: "" } })
      expect(missing.body.validations["subnet4.subnet"]).toBe("A value is required.")
    })

    it("adds reservations in their subnet and refuses ones outside it, duplicates and unknown subnets", async () => {
      const ok = await post(sim, "/api/kea/dhcpv4/add_reservation", {
        reservation: { subnet, ip_address: "10.30.0.10", hw_address: "AA:BB:CC:00:11:22", description: "printer" }
      })
      expect(ok.body.result).toBe("saved")
      const rows = await post(sim, "/api/kea/dhcpv4/search_reservation", {})
      expect(rows.body.rows[0]).toMatchObject({ subnet, "%subnet": "10.30.0.0/24", ip_address: "10.30.0.10" })
      const outside = await post(sim, "/api/kea/dhcpv4/add_reservation", {
        reservation: { subnet, ip_address: "10.31.0.10", hw_address: "aa:bb:cc:00:11:23" }
      })
      expect(outside.body.validations).toEqual({ "reservation.ip_address": "Address not in specified subnet" })
      const dup = await post(sim, "/api/kea/dhcpv4/add_reservation", {
        reservation: { subnet, ip_address: "10.30.0.10", hw_address: "aa:bb:cc:00:11:22" }
      })
      expect(dup.body.validations).toEqual({
        "reservation.ip_address": "Duplicate entry exists.",
        "reservation.hw_address": "Duplicate entry exists."
      })
      const nowhere = await post(sim, "/api/kea/dhcpv4/add_reservation", {
        reservation: {
          subnet: "4b0c1d62-8c33-4a4e-9a0e-2f3e7c1a5b6d",
          ip_address: "10.30.0.11",
          hw_address: "aa:bb:cc:00:11:24"
        }
      })
      expect(nowhere.body.validations).toEqual({
        "reservation.subnet": "Related subnet not found.",
        "reservation.ip_address": "Address not in specified subnet"
      })
      const noMac = await post(sim, "/api/kea/dhcpv4/add_reservation", {
        reservation: { subnet, ip_address: "10.30.0.12" }
      })
      // 26.1.5: hw_address Required; 26.1.8+: a MAC or a client id (KeaDhcpv4.php performValidation)
      expect(noMac.body.validations["reservation.hw_address"]).toBe(
        version === "26.7" ? "Either a client ID or a MAC address should be specified." : "A value is required."
      )
    })

    it("deletes a subnet under its reservations only where safe delete is absent (26.1.5)", async () => {
      const del = await post(sim, `/api/kea/dhcpv4/del_subnet/${subnet}`)
      if (version === "26.7") {
        expect(del.status).toBe(500)
        expect(del.body.errorTitle).toMatch(/^Item subnets\.subnet4 \{IoT\} in use by:$/)
        expect(del.body.errorMessage).toMatch(/^dhcp4 - printer \{dhcp4\.reservations\.reservation\.[0-9a-f-]{36}\}\n$/)
      } else expect(del.body).toEqual({ result: "deleted" })
    })

    it("reconfigures the service once per call; the ACL of Kea(v4) allows it", async () => {
      const before = sim.state.reconfigureCounts.kea
      expect((await call(sim, "/api/kea/service/reconfigure")).body).toEqual({ status: "failed" })
      expect((await post(sim, "/api/kea/service/reconfigure")).body).toEqual({ status: "ok" })
      expect(sim.state.reconfigureCounts.kea).toBe(before + 1)
      sim.state.apiKeys.push({ key: "k", secret: "s", user: "dhcp", privileges: ["page-dhcp-kea-v4"] })
      const auth = { key: "k", secret: "s" }
      expect((await post(sim, "/api/kea/dhcpv4/search_subnet", {}, { auth })).status).toBe(200)
      expect((await post(sim, "/api/interfaces/vlan_settings/search_item", {}, { auth })).status).toBe(403)
    })
  })
}

describe("simulator: Kea persistence and seeding", () => {
  it("keeps subnets, reservations and what Kea runs across restarts; seeds name subnets by CIDR", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kea-persist-"))
    const stateFile = join(dir, "box.json")
    try {
      const first = await startSimulator({
        stateFile,
        unmanaged: false,
        seed: {
          keaSubnets: [{ subnet: "10.30.0.0/24", description: "IoT" }],
          keaReservations: [{ subnet: "10.30.0.0/24", hw_address: "aa:bb:cc:00:30:10", ip_address: "10.30.0.10" }]
        }
      })
      const subnet = [...first.state.keaSubnets.keys()][0] ?? ""
      expect([...first.state.keaReservations.values()][0]?.["subnet"]).toBe(subnet)
      // seeded objects are running from the start
      expect(first.state.applied.keaReservations.size).toBe(1)
      await post(first, "/api/kea/dhcpv4/add_reservation", {
        reservation: { subnet, ip_address: "10.30.0.11", hw_address: "aa:bb:cc:00:30:11" }
      })
      await first.close()
      const second = await startSimulator({ stateFile, unmanaged: false })
      try {
        expect(second.state.keaSubnets.get(subnet)?.["subnet"]).toBe("10.30.0.0/24")
        expect(second.state.keaReservations.size).toBe(2)
        // the second reservation was never reconfigured
        expect(second.state.applied.keaReservations.size).toBe(1)
      } finally {
        await second.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

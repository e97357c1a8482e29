import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

for (const version of ["26.1", "26.7"] as const) {
  describe(`simulator: routing/settings and routes/routes (${version})`, () => {
    let sim: SimulatorHandle
    beforeAll(async () => {
      sim = await startSimulator({ version, unmanaged: false })
    })
    afterAll(() => sim.close())

    it("lists the seeded WAN_GW as a gateway_item, without the loopback gateways", async () => {
      const search = await post(sim, "/api/routing/settings/search_gateway", { current: 1, rowCount: -1 })
      expect(search.body.rows.map((r: { name: string }) => r.name)).toEqual(["WAN_GW"])
      const row = search.body.rows[0]
      expect(row).toMatchObject({ interface: "wan", if: "igb0", gateway: "203.0.113.1", disabled: false })
      expect(row.uuid).toMatch(/^[0-9a-f-]{36}$/)
      const model = await call(sim, "/api/routing/settings/get")
      expect(Object.values(model.body.gateways.gateway_item).map((g) => (g as { name: string }).name)).toEqual([
        "WAN_GW"
      ])
      // the route gateway list has Null4/Null6 too (gateways.php: "name - address")
      const template = await call(sim, "/api/routes/routes/getroute")
      expect(Object.keys(template.body.route.gateway)).toEqual(["Null4", "Null6", "WAN_GW"])
      expect(template.body.route.gateway.WAN_GW.value).toBe("WAN_GW - 203.0.113.1")
    })

    it("validates gateways with the model's messages", async () => {
      const bad = await post(sim, "/api/routing/settings/add_gateway", {
        gateway_item: { name: "bad name", interface: "nope", ipprotocol: "inet6", gateway: "10.0.0.1" }
      })
      expect(bad.body.result).toBe("failed")
      expect(bad.body.validations["gateway_item.name"]).toMatch(/^A valid gateway name must be specified/)
      expect(bad.body.validations["gateway_item.interface"]).toBe("Option [] not in list.")
      expect(bad.body.validations["gateway_item.gateway"]).toBe("Invalid IPv6 address")
      const dup = await post(sim, "/api/routing/settings/add_gateway", {
        gateway_item: { name: "WAN_GW", interface: "lan", gateway: "203.0.113.1" }
      })
      expect(dup.body.validations).toEqual({
        "gateway_item.name": "Gateway with this name already exists.",
        "gateway_item.gateway": "This gateway IP address already exists."
      })
      const dynamic = await post(sim, "/api/routing/settings/add_gateway", {
        gateway_item: { name: "DYN", interface: "lan", gateway: "dynamic" }
      })
      expect(dynamic.body.validations).toEqual({
        "gateway_item.gateway":
          "Dynamic gateway values cannot be specified for interfaces with a static IPv4 configuration."
      })
    })

    it("refuses a renamed gateway, and deleting one a route or an interface uses", async () => {
      const added = await post(sim, "/api/routing/settings/add_gateway", {
        gateway_item: { name: "LAB_GW", interface: "lan", gateway: "192.168.1.254" }
      })
      expect(added.body.result).toBe("saved")
      const uuid = added.body.uuid as string
      const renamed = await post(sim, `/api/routing/settings/set_gateway/${uuid}`, { gateway_item: { name: "OTHER" } })
      expect(renamed.body.validations).toEqual({ "gateway_item.name": "Changing name on a gateway is not allowed." })
      const route = await post(sim, "/api/routes/routes/addroute", {
        route: { network: "10.50.0.0/16", gateway: "LAB_GW" }
      })
      expect(route.body.result).toBe("saved")
      const blocked = await post(sim, `/api/routing/settings/del_gateway/${uuid}`)
      expect(blocked.status).toBe(500)
      expect(blocked.body.errorMessage).toBe(
        "Gateway LAB_GW cannot be deleted because it is in use on Static Route(s) '10.50.0.0/16'"
      )
      const wan = sim.state.gateways.find("name", "WAN_GW") ?? ""
      const inUse = await post(sim, `/api/routing/settings/del_gateway/${wan}`)
      expect(inUse.body.errorMessage).toBe("Gateway WAN_GW cannot be deleted because it is in use on Interface 'WAN'")
      expect((await post(sim, `/api/routes/routes/delroute/${route.body.uuid}`)).body).toEqual({ result: "deleted" })
      expect(sim.state.pendingRouteRemovals).toEqual(["10.50.0.0/16"])
      expect((await post(sim, `/api/routing/settings/del_gateway/${uuid}`)).body).toEqual({ result: "deleted" })
    })

    it("validates routes: network with a prefix, a listed gateway, matching families (IPv4 over IPv6 allowed)", async () => {
      const noMask = await post(sim, "/api/routes/routes/addroute", {
        route: { network: "10.0.0.0", gateway: "WAN_GW" }
      })
      expect(noMask.body.validations).toEqual({
        "route.network": "Specify a valid network matching the gateways ip protocol."
      })
      const unknown = await post(sim, "/api/routes/routes/addroute", {
        route: { network: "10.0.0.0/8", gateway: "NOPE" }
      })
      expect(unknown.body.validations).toEqual({
        "route.gateway": "Specify a valid gateway from the list matching the networks ip protocol."
      })
      const v6 = await post(sim, "/api/routes/routes/addroute", {
        route: { network: "2001:db8::/32", gateway: "WAN_GW" }
      })
      expect(v6.body.validations).toEqual({
        "route.gateway": "Specify a valid gateway from the list matching the networks ip protocol."
      })
      const rfc5549 = await post(sim, "/api/routes/routes/addroute", {
        route: { network: "10.9.0.0/16", gateway: "Null6" }
      })
      expect(rfc5549.body.result).toBe("saved")
    })

    it("keeps the release's on/off field and reconfigures routes and gateways with one configd action", async () => {
      const onOff = version === "26.7" ? "enabled" : "disabled"
      const template = await call(sim, "/api/routes/routes/getroute")
      expect(Object.keys(template.body.route)).toContain(onOff)
      expect(Object.keys(template.body.route)).not.toContain(version === "26.7" ? "disabled" : "enabled")
      const before = sim.state.reconfigureCounts.routing
      expect((await post(sim, "/api/routes/routes/reconfigure")).body).toEqual({ status: "ok" })
      expect((await post(sim, "/api/routing/settings/reconfigure")).body).toEqual({ status: "ok" })
      expect(sim.state.reconfigureCounts.routing).toBe(before + 2)
      expect(sim.state.pendingRouteRemovals).toEqual([])
      expect(sim.state.applied.routes.size).toBe(sim.state.routes.size)
    })

    it("allows each endpoint only with its ACL privilege", async () => {
      sim.state.apiKeys.push({ key: `gw${version}`, secret: "s", user: "gw", privileges: ["page-system-gateways"] })
      const auth = { key: `gw${version}`, secret: "s" }
      expect((await call(sim, "/api/routing/settings/get", { auth })).status).toBe(200)
      expect((await call(sim, "/api/routes/routes/get", { auth })).status).toBe(403)
    })
  })
}

describe("simulator: gateways and routes persist across sandbox runs", () => {
  it("restores gateway_items, routes and what runs", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "sim-routing-")), "box.json")
    const first = await startSimulator({ stateFile })
    const gw = await post(first, "/api/routing/settings/add_gateway", {
      gateway_item: { name: "LAB_GW", interface: "lan", gateway: "192.168.1.254" }
    })
    const route = await post(first, "/api/routes/routes/addroute", {
      route: { network: "10.50.0.0/16", gateway: "LAB_GW" }
    })
    await post(first, "/api/routes/routes/reconfigure")
    await first.close()
    const second = await startSimulator({ stateFile })
    try {
      expect(second.state.gateways.get(gw.body.uuid)?.["name"]).toBe("LAB_GW")
      expect([...second.state.gateways.values()].map((g) => g["name"]).sort()).toEqual(["LAB_GW", "WAN_GW"])
      expect(second.state.routes.get(route.body.uuid)?.["network"]).toBe("10.50.0.0/16")
      expect(second.state.applied.routes.has(route.body.uuid)).toBe(true)
    } finally {
      await second.close()
    }
  })
})

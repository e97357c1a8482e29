import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

describe("simulator: interfaces/vlan_settings", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ unmanaged: false })
  })
  afterAll(() => sim.close())

  it("adds a VLAN, generating vlan01, vlan02 … as device names", async () => {
    const a = await post(sim, "/api/interfaces/vlan_settings/add_item", {
      vlan: { if: "igb1", tag: "100", descr: "guest" }
    })
    expect(a.body).toEqual({ result: "saved", uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    const b = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag: "101" } })
    const got = await call(sim, `/api/interfaces/vlan_settings/get_item/${b.body.uuid}`)
    expect(got.body.vlan.vlanif).toBe("vlan02")
    expect(got.body.vlan.tag).toBe("101")
    expect(got.body.vlan.if.igb1).toEqual({ value: "igb1 (00:00:5e:00:53:11) [LAN]", selected: 1 })
    expect(got.body.vlan.pcp["0"].selected).toBe(1)
  })

  it("validates the tag range and (parent, tag) uniqueness with the model's messages", async () => {
    const range = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag: "5000" } })
    expect(range.body).toEqual({ result: "failed", validations: { "vlan.tag": "Invalid integer value." } })
    // two identical messages give a one-element list (§5.3)
    const text = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag: "abc" } })
    expect(text.body.validations["vlan.tag"]).toEqual(["Invalid integer value."])
    const dup = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag: "100" } })
    expect(dup.body.validations).toEqual({ "vlan.tag": "Tag for this device must be unique." })
    const parent = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "nope0", tag: "7" } })
    expect(parent.body.validations).toEqual({ "vlan.if": "Option [] not in list." })
    const name = await post(sim, "/api/interfaces/vlan_settings/add_item", {
      vlan: { if: "igb2", tag: "7", vlanif: "myvlan" }
    })
    expect(name.body.validations["vlan.vlanif"]).toBe("The device name prefix \"vlan\" is required.")
  })

  it("upserts on set_item with an unknown well-formed uuid, fails on a malformed one", async () => {
    const uuid = "2b1e4e0c-1c1a-4f53-9a7e-3d0f8a6b1c22"
    expect(
      (await post(sim, `/api/interfaces/vlan_settings/set_item/${uuid}`, { vlan: { if: "igb2", tag: "300" } })).body
    ).toEqual({ result: "saved" })
    expect(sim.state.vlans.get(uuid)?.["tag"]).toBe("300")
    expect(
      (await post(sim, "/api/interfaces/vlan_settings/set_item/not-a-uuid", { vlan: { if: "igb2", tag: "301" } })).body
    ).toEqual({ result: "failed" })
    // partial update keeps the other fields
    expect((await post(sim, `/api/interfaces/vlan_settings/set_item/${uuid}`, { vlan: { descr: "renamed" } })).body)
      .toEqual({ result: "saved" })
    expect(sim.state.vlans.get(uuid)?.["tag"]).toBe("300")
  })

  it("returns [] for an unknown uuid and the defaults template without one", async () => {
    expect((await call(sim, "/api/interfaces/vlan_settings/get_item/2b1e4e0c-1c1a-4f53-9a7e-3d0f8a6b1c99")).body)
      .toEqual([])
    const template = await call(sim, "/api/interfaces/vlan_settings/get_item")
    expect(template.body.vlan.vlanif).toBe("")
    expect(template.body.vlan.proto[""]).toEqual({ value: "Automatic", selected: 1 })
  })

  it("refuses to delete an assigned VLAN or a QinQ parent with a 500 UserException", async () => {
    const add = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb3", tag: "40" } })
    const uuid: string = add.body.uuid
    const name = sim.state.vlans.get(uuid)?.["vlanif"] ?? ""
    sim.state.interfaces.push({ identifier: "opt9", device: name, description: "IOT" })
    const blocked = await post(sim, `/api/interfaces/vlan_settings/del_item/${uuid}`)
    expect(blocked.status).toBe(500)
    expect(blocked.body).toEqual({
      errorMessage: "This VLAN cannot be deleted because it is assigned as an interface.",
      errorTitle: "",
      errorLevel: "error"
    })
    // the search row decorates an assigned device
    const rows = (await call(sim, "/api/interfaces/vlan_settings/search_item")).body.rows
    expect(rows.find((r: { uuid: string }) => r.uuid === uuid).vlanif).toBe(`${name} [IOT]`)
    // renaming the assigned device is refused too
    const rename = await post(sim, `/api/interfaces/vlan_settings/set_item/${uuid}`, { vlan: { vlanif: "vlan0999" } })
    expect(rename.body.validations["vlan.vlanif"]).toBe(
      "Interface is assigned and you cannot change the device name while assigned."
    )
    sim.state.interfaces = sim.state.interfaces.filter((i) => i.identifier !== "opt9")
    const child = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: name, tag: "5" } })
    expect(sim.state.vlans.get(child.body.uuid)?.["vlanif"]).toMatch(/^qinq0\d+$/)
    const qinq = await post(sim, `/api/interfaces/vlan_settings/del_item/${uuid}`)
    expect(qinq.status).toBe(500)
    expect(qinq.body.errorMessage).toBe("This VLAN cannot be deleted because it is used in QinQ interfaces.")
    expect((await post(sim, `/api/interfaces/vlan_settings/del_item/${child.body.uuid}`)).body).toEqual({
      result: "deleted"
    })
    expect((await post(sim, `/api/interfaces/vlan_settings/del_item/${child.body.uuid}`)).body).toEqual({
      result: "not found"
    })
  })

  it("keeps changes inactive until reconfigure, and counts reconfigures", async () => {
    const before = sim.state.reconfigureCounts.vlan
    expect(sim.state.applied.vlans.size).toBeLessThan(sim.state.vlans.size)
    expect((await post(sim, "/api/interfaces/vlan_settings/reconfigure")).body).toEqual({ status: "ok" })
    expect(sim.state.reconfigureCounts.vlan).toBe(before + 1)
    expect(sim.state.applied.vlans.size).toBe(sim.state.vlans.size)
  })

  it("lists the whole model with get", async () => {
    const res = await call(sim, "/api/interfaces/vlan_settings/get")
    expect(Object.keys(res.body.vlan.vlan)).toHaveLength(sim.state.vlans.size)
  })
})

describe("simulator: VLAN labels per version", () => {
  it("uses the 26.1 proto labels and twins", async () => {
    const sim = await startSimulator({ version: "26.1", unmanaged: false, tls: false })
    try {
      await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag: "12", proto: "802.1q" } })
      const rows = (await call(sim, "/api/interfaces/vlan_settings/search_item")).body.rows
      expect(rows[0]["%proto"]).toBe("802.1Q")
      const template = await call(sim, "/api/interfaces/vlan_settings/get_item")
      expect(template.body.vlan.proto[""].value).toBe("Auto")
    } finally {
      await sim.close()
    }
  })
})

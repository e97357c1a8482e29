/**
 * `interfaces/assignment/*` (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/AssignmentController.php, model
 * src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.php/.xml) over real HTTP.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

const MAC0 = "00:00:5e:00:53:10"
const ACTIVE = "fa fa-plug text-success"

const search = async (sim: SimulatorHandle) =>
  (await post(sim, "/api/interfaces/assignment/search_item", { current: 1, rowCount: -1 })).body
const overview = async (sim: SimulatorHandle) =>
  (await call(sim, "/api/interfaces/overview/interfaces_info")).body.rows as Array<Record<string, unknown>>
const ruleInterfaces = async (sim: SimulatorHandle) =>
  (await call(sim, "/api/firewall/filter/get_rule")).body.rule.interface as Record<string, { value: string }>

/** A VLAN on igb1 whose device the assignment list offers (added, then VLANs reconfigured). */
const vlan = async (sim: SimulatorHandle, tag: string, descr: string): Promise<string> => {
  const added = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag, descr } })
  expect(added.body.result).toBe("saved")
  expect((await post(sim, "/api/interfaces/vlan_settings/reconfigure")).body).toEqual({ status: "ok" })
  return sim.state.vlans.get(added.body.uuid)?.["vlanif"] ?? ""
}

describe("simulator: interfaces/assignment on 26.7", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ unmanaged: false })
  })
  afterAll(() => sim.close())

  it("lists the config's interfaces in config order, keyed by identifier", async () => {
    const body = await search(sim)
    expect(body).toEqual({
      rows: [
        {
          uuid: "wan",
          descr: "WAN",
          identifier: "wan",
          icon: ACTIVE,
          optgroup: "hardware",
          if: "igb0",
          "%if": `igb0 (${MAC0})`,
          lock: "0"
        },
        {
          uuid: "lan",
          descr: "LAN",
          identifier: "lan",
          icon: ACTIVE,
          optgroup: "hardware",
          if: "igb1",
          "%if": "igb1 (00:00:5e:00:53:11)",
          lock: "0"
        }
      ],
      rowCount: 2,
      total: 2,
      current: 1
    })
  })

  it("assigns a VLAN as the next optN, locked by default, and the interface shows up everywhere", async () => {
    const device = await vlan(sim, "30", "IoT")
    const revisions = sim.state.backups.length
    const added = await post(sim, "/api/interfaces/assignment/add_item", { interface: { if: device, descr: "IoT" } })
    expect(added.body).toEqual({ result: "saved", uuid: "opt1" })
    expect(sim.state.backups.length).toBe(revisions + 1)

    const row = (await search(sim)).rows.find((r: { uuid: string }) => r.uuid === "opt1")
    expect(row).toEqual({
      uuid: "opt1",
      descr: "IoT",
      identifier: "opt1",
      icon: ACTIVE,
      optgroup: "vlan",
      if: device,
      "%if": `${device} IoT (Parent: igb1, Tag: 30)`,
      lock: "1"
    })
    // in config.xml at once, no apply needed: overview, filter rule interfaces, search_rule's map
    const info = (await overview(sim)).find((r) => r["device"] === device)
    expect(info).toMatchObject({ identifier: "opt1", description: "IoT", enabled: false })
    expect((await ruleInterfaces(sim))["opt1"]).toEqual({ value: "IoT", selected: 0 })
    // an assigned VLAN cannot be deleted
    const uuid = sim.state.vlans.find("vlanif", device) ?? ""
    const del = await post(sim, `/api/interfaces/vlan_settings/del_item/${uuid}`)
    expect(del.status).toBe(500)
    expect(del.body.errorMessage).toBe("This VLAN cannot be deleted because it is assigned as an interface.")
  })

  it("renders get_item with the device option map and a %descr twin for an empty description", async () => {
    const got = (await call(sim, "/api/interfaces/assignment/get_item/wan")).body
    expect(Object.keys(got.interface)).toEqual(["descr", "identifier", "icon", "optgroup", "if", "lock"])
    expect(got.interface.if["igb0"]).toEqual({
      value: `igb0 (${MAC0})`,
      optgroup: "hardware",
      data: { icon: ACTIVE },
      selected: 1
    })
    expect(got.interface.if["igb2"].selected).toBe(0)
    // every device is offered, assigned or not; VLANs after the hardware
    expect(Object.keys(got.interface.if)).toEqual(["igb0", "igb1", "igb2", "igb3", "vlan01"])
    expect(got.interface.if["vlan01"].optgroup).toBe("vlan")

    const added = await post(sim, "/api/interfaces/assignment/add_item", { interface: { if: "igb2" } })
    expect(added.body).toEqual({ result: "saved", uuid: "opt2" })
    const bare = (await call(sim, "/api/interfaces/assignment/get_item/opt2")).body.interface
    expect(bare.descr).toBe("")
    expect(bare["%descr"]).toBe("OPT2")
    const row = (await search(sim)).rows.find((r: { uuid: string }) => r.uuid === "opt2")
    expect(row).toMatchObject({ descr: "", "%descr": "OPT2" })
    // labels fall back to the identifier in upper case
    expect((await ruleInterfaces(sim))["opt2"]).toEqual({ value: "OPT2", selected: 0 })
    expect((await overview(sim)).find((r) => r["device"] === "igb2")).toMatchObject({ description: "OPT2" })

    const template = (await call(sim, "/api/interfaces/assignment/get_item")).body.interface
    expect(template).toMatchObject({ descr: "", identifier: "", icon: "", optgroup: "", lock: "1" })
    expect(template["%descr"]).toBeUndefined()
    expect(Object.values(template.if).every((o) => (o as { selected: number }).selected === 0)).toBe(true)
    expect((await call(sim, "/api/interfaces/assignment/get_item/opt99")).body).toEqual([])
    const whole = (await call(sim, "/api/interfaces/assignment/get")).body
    expect(Object.keys(whole.interface.interface)).toEqual(["wan", "lan", "opt1", "opt2"])
  })

  it("validates with the model's messages", async () => {
    const add = async (item: Record<string, unknown>) =>
      (await post(sim, "/api/interfaces/assignment/add_item", { interface: item })).body
    expect(await add({ if: "igb0" })).toEqual({
      result: "failed",
      validations: { "interface.if": "Can not assign a device to more interfaces." }
    })
    expect(await add({ if: "nope7" })).toEqual({
      result: "failed",
      validations: { "interface.if": "Option [] not in list." }
    })
    expect(await add({ descr: "x" })).toEqual({
      result: "failed",
      validations: { "interface.if": "A value is required." }
    })
    // 26.7.2's mask /^[a-z_0-9]{0,255}$/i, with DescriptionField's message
    expect((await add({ if: "igb3", descr: "My LAN" })).validations).toEqual({
      "interface.descr": "Description should be a string between 1 and 255 characters."
    })
    expect((await add({ if: "igb3", descr: "a\nb" })).validations).toEqual({
      "interface.descr": [
        "Text may not contain newlines.",
        "Description should be a string between 1 and 255 characters."
      ]
    })
    expect((await add({ if: "igb3", lock: "2" })).validations).toEqual({
      "interface.lock": "Value should be a boolean (0,1)."
    })
    expect((await post(sim, "/api/interfaces/assignment/add_item", { other: {} })).body).toEqual({ result: "failed" })
  })
})

describe("simulator: interfaces/assignment changes wait for reconfigure", () => {
  let sim: SimulatorHandle
  beforeEach(async () => {
    sim = await startSimulator({ unmanaged: false })
  })
  afterEach(() => sim.close())

  it("numbers new assignments with the first free optN, pending deletions counted", async () => {
    sim.state.interfaces.push({ identifier: "opt1", device: "igb2", description: "A" })
    sim.state.interfaces.push({ identifier: "opt3", device: "igb3", description: "C" })
    const device = await vlan(sim, "40", "D")
    const added = await post(sim, "/api/interfaces/assignment/add_item", { interface: { if: device } })
    expect(added.body.uuid).toBe("opt2")
    // opt1 deleted but not applied: still in config.xml, so its name is not reused yet
    expect((await post(sim, "/api/interfaces/assignment/del_item/opt1")).body).toEqual({ result: "deleted" })
    expect((await post(sim, "/api/interfaces/assignment/del_item/opt1")).body).toEqual({ result: "not found" })
    await post(sim, "/api/interfaces/assignment/set_item/opt2", { interface: { if: "igb2" } })
    const vlan2 = await vlan(sim, "41", "E")
    const next = await post(sim, "/api/interfaces/assignment/add_item", { interface: { if: vlan2 } })
    expect(next.body.uuid).toBe("opt4")
  })

  it("changes descr and lock at once, the device at reconfigure", async () => {
    sim.state.interfaces.push({
      identifier: "opt1",
      device: "igb2",
      description: "DMZ",
      ipaddr: "10.9.0.1",
      subnet: "24"
    })
    const set = await post(sim, "/api/interfaces/assignment/set_item/opt1", {
      interface: { descr: "Servers", if: "igb3" }
    })
    expect(set.body).toEqual({ result: "saved" })
    expect(sim.state.iface("opt1")).toMatchObject({ description: "Servers", device: "igb2" })
    // the model shows the pending device; the box still runs the old one
    const row = (await search(sim)).rows.find((r: { uuid: string }) => r.uuid === "opt1")
    expect(row).toMatchObject({ descr: "Servers", if: "igb3" })
    expect((await overview(sim)).find((r) => r["device"] === "igb2")).toMatchObject({
      identifier: "opt1",
      description: "Servers"
    })
    // setting the device back to config.xml's notes nothing: the earlier relink stays noted and shown
    await post(sim, "/api/interfaces/assignment/set_item/opt1", { interface: { if: "igb2" } })
    expect(sim.state.pendingInterfaces.get("opt1")).toEqual({ action: "relink", device: "igb3" })
    expect((await call(sim, "/api/interfaces/assignment/get_item/opt1")).body.interface.if["igb3"].selected).toBe(1)
    const before = sim.state.backups.length
    expect((await call(sim, "/api/interfaces/assignment/reconfigure")).body).toEqual({ status: "failed" })
    expect((await post(sim, "/api/interfaces/assignment/reconfigure")).body).toEqual({ status: "ok" })
    expect(sim.state.backups.length).toBe(before + 1)
    expect(sim.state.iface("opt1")?.device).toBe("igb3")
    const rows = await overview(sim)
    expect(rows.find((r) => r["device"] === "igb3")).toMatchObject({ identifier: "opt1", addr4: "10.9.0.1/24" })
    expect(rows.find((r) => r["device"] === "igb2")).toMatchObject({
      identifier: "",
      description: "Unassigned Interface"
    })
    // a malformed unknown name fails; a well-formed unknown uuid is an upsert that adds the next optN
    expect((await post(sim, "/api/interfaces/assignment/set_item/opt9", { interface: { if: "igb2" } })).body)
      .toEqual({ result: "failed" })
    const uuid = "2b1e4e0c-1c1a-4f53-9a7e-3d0f8a6b1c22"
    expect((await post(sim, `/api/interfaces/assignment/set_item/${uuid}`, { interface: { if: "igb2" } })).body)
      .toEqual({ result: "saved" })
    expect(sim.state.iface("opt2")?.device).toBe("igb2")
  })

  it("reports the failures of opt10… on a set of opt1, as setBase's unanchored reference match does", async () => {
    sim.state.interfaces.push({ identifier: "opt1", device: "igb2", description: "Guest" })
    sim.state.interfaces.push({ identifier: "opt10", device: "igb3", description: "Guest WiFi" })
    expect((await post(sim, "/api/interfaces/assignment/set_item/opt1", { interface: { descr: "Guests" } })).body)
      .toEqual({
        result: "failed",
        validations: { "interface0.descr": "Description should be a string between 1 and 255 characters." }
      })
    expect((await post(sim, "/api/interfaces/assignment/set_item/opt10", { interface: { descr: "GuestWiFi" } })).body)
      .toEqual({ result: "saved" })
    expect((await post(sim, "/api/interfaces/assignment/set_item/opt1", { interface: { descr: "Guests" } })).body)
      .toEqual({ result: "saved" })
  })

  it("refuses to delete a locked or grouped interface, deletes at reconfigure with its rules", async () => {
    const device = await vlan(sim, "50", "Lab")
    expect((await post(sim, "/api/interfaces/assignment/add_item", { interface: { if: device, descr: "Lab" } })).body)
      .toEqual({ result: "saved", uuid: "opt1" })
    const locked = await post(sim, "/api/interfaces/assignment/del_item/opt1")
    expect(locked.status).toBe(500)
    expect(locked.body).toEqual({
      errorMessage: "Interface locked, unset lock first before removal",
      errorTitle: "locked",
      errorLevel: "error"
    })
    await post(sim, "/api/interfaces/assignment/set_item/opt1", { interface: { lock: "0" } })
    sim.state.groups.push({ name: "inside", members: ["lan", "opt1"], description: "Inside" })
    const grouped = await post(sim, "/api/interfaces/assignment/del_item/opt1")
    expect(grouped.status).toBe(500)
    expect(grouped.body).toEqual({
      errorMessage: "The interface is part of a group. Please remove it from the group to continue",
      errorTitle: "[opt1] in use",
      errorLevel: "error"
    })
    sim.state.groups.splice(0)
    expect((await call(sim, "/api/interfaces/assignment/del_item/opt1")).body).toEqual({ status: "failed" })

    const only = await post(sim, "/api/firewall/filter/add_rule", { rule: { interface: "opt1", action: "pass" } })
    const shared = await post(sim, "/api/firewall/filter/add_rule", { rule: { interface: "lan,opt1", action: "pass" } })
    expect(only.body.result).toBe("saved")
    expect(shared.body.result).toBe("saved")

    expect((await post(sim, "/api/interfaces/assignment/del_item/opt1")).body).toEqual({ result: "deleted" })
    expect((await search(sim)).rows.map((r: { uuid: string }) => r.uuid)).toEqual(["wan", "lan"])
    expect((await call(sim, "/api/interfaces/assignment/get_item/opt1")).body).toEqual([])
    // still in config.xml until reconfigure: rules, overview and the VLAN's delete blocker see it
    expect((await ruleInterfaces(sim))["opt1"]).toEqual({ value: "Lab", selected: 0 })
    const vlanUuid = sim.state.vlans.find("vlanif", device) ?? ""
    expect((await post(sim, `/api/interfaces/vlan_settings/del_item/${vlanUuid}`)).status).toBe(500)

    expect((await post(sim, "/api/interfaces/assignment/reconfigure")).body).toEqual({ status: "ok" })
    expect(sim.state.iface("opt1")).toBeUndefined()
    expect((await ruleInterfaces(sim))["opt1"]).toBeUndefined()
    expect(sim.state.rules.has(only.body.uuid)).toBe(false)
    expect(sim.state.rules.get(shared.body.uuid)?.["interface"]).toBe("lan")
    expect(sim.state.applied.rules.has(only.body.uuid)).toBe(false)
    expect((await overview(sim)).find((r) => r["device"] === device)).toMatchObject({ identifier: "" })
    expect((await post(sim, `/api/interfaces/vlan_settings/del_item/${vlanUuid}`)).body).toEqual({ result: "deleted" })
  })

  it("offers a new VLAN only once configd's cached device list is flushed by a VLAN reconfigure", async () => {
    await search(sim)
    const added = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag: "60" } })
    const device = sim.state.vlans.get(added.body.uuid)?.["vlanif"] ?? ""
    const early = await post(sim, "/api/interfaces/assignment/add_item", { interface: { if: device } })
    expect(early.body).toEqual({ result: "failed", validations: { "interface.if": "Option [] not in list." } })
    await post(sim, "/api/interfaces/vlan_settings/reconfigure")
    const late = await post(sim, "/api/interfaces/assignment/add_item", { interface: { if: device } })
    expect(late.body).toEqual({ result: "saved", uuid: "opt1" })
  })

  it("answers only keys with the assignment privilege", async () => {
    sim.state.apiKeys.push({
      key: "ports",
      secret: "s",
      user: "ports",
      privileges: ["page-interfaces-assignnetworkports"]
    })
    sim.state.apiKeys.push({ key: "vlans", secret: "s", user: "vlans", privileges: ["page-interfaces-vlan-edit"] })
    const ok = await call(sim, "/api/interfaces/assignment/search_item", { auth: { key: "ports", secret: "s" } })
    expect(ok.status).toBe(200)
    const denied = await call(sim, "/api/interfaces/assignment/search_item", { auth: { key: "vlans", secret: "s" } })
    expect(denied.status).toBe(403)
  })
})

describe("simulator: interfaces/assignment before 26.7", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.1", unmanaged: false })
  })
  afterAll(() => sim.close())

  it("does not exist on 26.1 (the legacy interfaces_assign.php page only)", async () => {
    for (
      const action of ["search_item", "get_item/wan", "add_item", "set_item/wan", "del_item/wan", "reconfigure", "get"]
    ) {
      const res = await post(sim, `/api/interfaces/assignment/${action}`, { interface: { if: "igb2" } })
      expect(res.status).toBe(404)
      expect(res.body).toEqual({ errorMessage: "Endpoint not found" })
    }
    expect(sim.state.interfaces.map((i) => i.identifier)).toEqual(["wan", "lan"])
  })
})

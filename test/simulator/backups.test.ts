/**
 * The simulator's configuration history and kernel VLAN devices, over HTTPS: revisions beyond
 * `system/backupcount` are pruned on every save (Config.php backupCount/cleanupBackups), and
 * `vlan_settings/reconfigure` destroys a VLAN device only when del_item/set_item noted it
 * (reconfigure_vlans.php), so a revision restore leaves a device behind.
 */
import { afterEach, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

const ids = async (sim: SimulatorHandle): Promise<ReadonlyArray<string>> =>
  ((await call(sim, "/api/core/backup/backups/this")).body.items as ReadonlyArray<{ id: string }>).map((i) => i.id)

const addAlias = (sim: SimulatorHandle, name: string) =>
  post(sim, "/api/firewall/alias/add_item", { alias: { name, type: "host", content: "192.0.2.1" } })

describe("simulator: core/backup retention", () => {
  let sim: SimulatorHandle | undefined
  afterEach(() => sim?.close())

  it("keeps the newest `backupCount` revisions; an older one can no longer be restored", async () => {
    sim = await startSimulator({ unmanaged: false, backupCount: 3 })
    const [first] = await ids(sim)
    for (const n of [1, 2, 3]) await addAlias(sim, `a${n}`)
    const kept = await ids(sim)
    expect(kept).toHaveLength(3)
    expect(kept).not.toContain(first)
    const gone = await post(sim, `/api/core/backup/revert_backup/${first}`)
    expect(gone.body).toEqual({ status: "not_found" })
    // where the count lives: system/backupcount of config.xml, which the download carries
    const xml = await call(sim, "/api/core/backup/download/this")
    expect(xml.text).toContain("<backupcount>3</backupcount>")
  })

  it("keeps 100 when config.xml sets no backupcount", async () => {
    sim = await startSimulator({ unmanaged: false })
    for (let n = 0; n < 102; n++) await addAlias(sim, `a${n}`)
    expect(await ids(sim)).toHaveLength(100)
    expect((await call(sim, "/api/core/backup/download/this")).text).not.toContain("backupcount")
  })
})

describe("simulator: kernel VLAN devices", () => {
  let sim: SimulatorHandle | undefined
  afterEach(() => sim?.close())

  const devices = (s: SimulatorHandle) => [...s.state.vlanDevices.keys()].sort()

  it("reconfigure creates configured devices and destroys only the ones del_item noted", async () => {
    sim = await startSimulator({ unmanaged: false })
    const [before] = await ids(sim)
    const added = await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag: "70" } })
    expect(devices(sim)).toEqual([])
    await post(sim, "/api/interfaces/vlan_settings/reconfigure")
    expect(devices(sim)).toEqual(["vlan01"])

    // a revision restore takes the VLAN out of config.xml but notes nothing: the device stays
    expect((await post(sim, `/api/core/backup/revert_backup/${before}`)).body).toEqual({ status: "reverted" })
    expect(sim.state.vlans.size).toBe(0)
    await post(sim, "/api/interfaces/vlan_settings/reconfigure")
    expect(devices(sim)).toEqual(["vlan01"])
    const overview = await call(sim, "/api/interfaces/overview/interfaces_info")
    expect(overview.body.rows.map((r: { device: string }) => r.device)).toContain("vlan01")

    // deleted through the API, the name is noted and the next reconfigure destroys the device
    await post(sim, `/api/interfaces/vlan_settings/set_item/${added.body.uuid}`, { vlan: { if: "igb1", tag: "70" } })
    expect((await post(sim, `/api/interfaces/vlan_settings/del_item/${added.body.uuid}`)).body).toEqual({
      result: "deleted"
    })
    await post(sim, "/api/interfaces/vlan_settings/reconfigure")
    expect(devices(sim)).toEqual([])
  })
})

/**
 * Search listings are answered from rows (and their JSON) kept between requests: a listing must
 * still show every write at once, and its bytes must be those of encoding the whole answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { post, type Res } from "./helpers.ts"

const all = { current: 1, rowCount: -1, searchPhrase: "" }
const rules = (sim: SimulatorHandle) => post(sim, "/api/firewall/filter/search_rule", all)

/** PHP's json_encode of the parsed answer: what the whole envelope encodes to in one go. */
const phpEncoded = (res: Res) =>
  JSON.stringify(res.body)
    .replaceAll("/", "\\/")
    .replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)

const rowOf = (res: Res, uuid: string): Record<string, unknown> | undefined =>
  res.body.rows.find((r: Record<string, unknown>) => r["uuid"] === uuid)

describe("simulator: search listings after writes", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ scale: 50 })
  })
  afterAll(() => sim.close())

  it("shows each rule write in the next listing", async () => {
    const before = await rules(sim)
    const added = await post(sim, "/api/firewall/filter/add_rule", {
      rule: { interface: "lan", source_net: "10.1.0.0/24", description: "Zürich office" }
    })
    const uuid: string = added.body.uuid
    const withNew = await rules(sim)
    expect(withNew.body.total).toBe(before.body.total + 1)
    expect(rowOf(withNew, uuid)?.["description"]).toBe("Zürich office")
    expect(withNew.text).toBe(phpEncoded(withNew))
    expect(withNew.text).toContain("Z\\u00fcrich")
    // asked again unchanged: the same answer (kept), until the next write
    expect((await rules(sim)).text).toBe(withNew.text)

    await post(sim, `/api/firewall/filter/set_rule/${uuid}`, { rule: { description: "changed" } })
    expect(rowOf(await rules(sim), uuid)?.["description"]).toBe("changed")

    await post(sim, `/api/firewall/filter/toggle_rule/${uuid}/0`)
    expect(rowOf(await rules(sim), uuid)?.["enabled"]).toBe("0")

    await post(sim, `/api/firewall/filter/del_rule/${uuid}`)
    const after = await rules(sim)
    expect(rowOf(after, uuid)).toBeUndefined()
    expect(after.body.total).toBe(before.body.total)
  })

  it("shows a renamed alias in the rows that reference it", async () => {
    const alias = await post(sim, "/api/firewall/alias/add_item", {
      alias: { name: "listing_net", type: "network", content: "10.9.0.0/24", description: "first" }
    })
    const rule = await post(sim, "/api/firewall/filter/add_rule", {
      rule: { interface: "lan", source_net: "listing_net", description: "uses the alias" }
    })
    const meta = async () => rowOf(await rules(sim), rule.body.uuid)?.["alias_meta_source_net"]
    expect(await meta()).toEqual([{
      value: "listing_net",
      "%value": "listing_net",
      isAlias: true,
      description: "first"
    }])
    await post(sim, `/api/firewall/alias/set_item/${alias.body.uuid}`, { alias: { description: "second" } })
    expect(await meta()).toEqual([{
      value: "listing_net",
      "%value": "listing_net",
      isAlias: true,
      description: "second"
    }])
  })

  it("pages, filters and sorts from the same kept rows, in both envelope orders", async () => {
    const page = await post(sim, "/api/firewall/filter/search_rule", { current: 2, rowCount: 5, searchPhrase: "" })
    expect(Object.keys(page.body)).toEqual(["total", "rowCount", "current", "rows"])
    expect(page.body.rowCount).toBe(5)
    expect(page.body.current).toBe(2)
    expect(page.text).toBe(phpEncoded(page))
    const none = await post(sim, "/api/firewall/filter/search_rule", { ...all, searchPhrase: "no-such-text-anywhere" })
    expect(none.text).toBe(`{"total":0,"rowCount":0,"current":1,"rows":[]}`)
    const vlans = await post(sim, "/api/interfaces/vlan_settings/search_item", { ...all, sort: { vlanif: "desc" } })
    expect(Object.keys(vlans.body)).toEqual(["rows", "rowCount", "total", "current"])
    expect(vlans.text).toBe(phpEncoded(vlans))
    expect(vlans.headers["content-length"]).toBe(String(Buffer.byteLength(vlans.text)))
  })
})

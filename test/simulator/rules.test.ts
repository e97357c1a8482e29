import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

const addRule = (sim: SimulatorHandle, rule: Record<string, string>) =>
  post(sim, "/api/firewall/filter/add_rule", { rule })

describe("simulator: firewall/filter on 26.7", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(() => sim.close())

  it("validates rules with cross-field rules and real messages", async () => {
    const v = async (rule: Record<string, string>) => (await addRule(sim, rule)).body.validations
    expect(await v({ protocol: "ICMP", destination_port: "443" })).toEqual({
      "rule.destination_port": "Destination ports are only valid for tcp or udp type rules."
    })
    expect(await v({ source_net: "alias_not_exists" })).toEqual({
      "rule.source_net": "alias_not_exists is not a valid source IP address or alias."
    })
    expect(await v({ source_net: "any,lan" })).toEqual({
      "rule.source_net": "Any can not be combined with other aliases"
    })
    expect(await v({ source_net: "2001:db8::1" })).toEqual({
      "rule.source_net": "Source address type should match selected TCP/IP protocol version."
    })
    expect(await v({ protocol: "TCP", destination_port: "70000" })).toEqual({
      "rule.destination_port": "Please specify a valid portnumber, name, alias or range."
    })
    expect(await v({ sequence: "0" })).toEqual({ "rule.sequence": "Sequence shall be between 1 and 999999." })
    expect(await v({ action: "allow" })).toEqual({ "rule.action": "Option [] not in list." })
    expect(await v({ interface: "lan,nope" })).toEqual({ "rule.interface": "Option [nope] not in list." })
    expect(await v({ description: "a\nb" })).toEqual({
      "rule.description": [
        "Description should be a string between 1 and 255 characters.",
        "Text may not contain newlines."
      ]
    })
    expect((await post(sim, "/api/firewall/filter/add_rule", {})).body).toEqual({ result: "failed" })
  })

  it("refuses a literal address in an inet46 rule or in a list, as Filter.php and NetworkAliasField do", async () => {
    const v = async (rule: Record<string, string>) => (await addRule(sim, rule)).body.validations
    expect(await v({ ipprotocol: "inet46", source_net: "10.0.0.1" })).toEqual({
      "rule.source_net": "Source address type should match selected TCP/IP protocol version."
    })
    expect(await v({ ipprotocol: "inet46", destination_net: "2001:db8::/64" })).toEqual({
      "rule.destination_net": "Destination address type should match selected TCP/IP protocol version."
    })
    // the field type's message says "source" for both fields
    expect(await v({ destination_net: "lan,10.0.0.5" })).toEqual({
      "rule.destination_net": "lan,10.0.0.5 is not a valid source IP address or alias."
    })
    // one message per failing item; the controller turns a repeated message into a one-element array
    expect(await v({ source_net: "10.0.0.1,10.0.0.2" })).toEqual({
      "rule.source_net": ["10.0.0.1,10.0.0.2 is not a valid source IP address or alias."]
    })
    expect(await v({ ipprotocol: "inet46", source_net: "lan,opt1" })).toBeUndefined()
    // DescriptionField's /^(.){1,255}$/ counts bytes: 130 "é" are 260
    expect(await v({ description: "é".repeat(130) })).toEqual({
      "rule.description": "Description should be a string between 1 and 255 characters."
    })
    expect(await v({ description: "é".repeat(127) })).toBeUndefined()
  })

  it("adds with defaults (sequence max+100, protocol upper-cased) and stores strings", async () => {
    const res = await addRule(sim, { interface: "lan", protocol: "tcp", destination_port: "HTTPS", description: "web" })
    expect(res.body.result).toBe("saved")
    const stored = sim.state.rules.get(res.body.uuid)
    expect(stored?.["protocol"]).toBe("TCP")
    expect(stored?.["destination_port"]).toBe("https")
    expect(stored?.["sort_order"]).toMatch(/^400000\.0\d{6}$/)
    const got = await call(sim, `/api/firewall/filter/get_rule/${res.body.uuid}`)
    expect(got.body.rule.protocol.TCP.selected).toBe(1)
    expect(got.body.rule.interface.lan).toEqual({ value: "LAN", selected: 1 })
    expect(got.body.rule.source_net).toBe("any")
    expect(got.body.rule.categories).toEqual({
      [sim.state.categories.find("name", "Infrastructure") ?? ""]: { value: "Infrastructure", selected: 0 }
    })
    const copy = await call(sim, `/api/firewall/filter/get_rule/${res.body.uuid}?fetchmode=copy`)
    expect(typeof copy.body.rule.sequence).toBe("number")
  })

  it("adds `%` twins in get on 26.7", async () => {
    const res = await addRule(sim, { interface: "lan", source_net: "lan", description: "twins" })
    const got = await call(sim, `/api/firewall/filter/get_rule/${res.body.uuid}`)
    expect(got.body.rule["%source_net"]).toBe("LAN net")
  })

  it("returns [] for unknown ids, upserts well-formed unknown ids", async () => {
    expect((await call(sim, "/api/firewall/filter/get_rule/5a1d0f8e-6c1b-4d7e-9a63-0c2f4b7e9d11")).body).toEqual([])
    expect(
      (await post(sim, "/api/firewall/filter/set_rule/5a1d0f8e-6c1b-4d7e-9a63-0c2f4b7e9d11", {
        rule: { description: "upserted" }
      })).body
    ).toEqual({ result: "saved" })
    expect(sim.state.rules.get("5a1d0f8e-6c1b-4d7e-9a63-0c2f4b7e9d11")?.["description"]).toBe("upserted")
    expect((await post(sim, "/api/firewall/filter/set_rule/5A1D0F8E-6C1B-4D7E-9A63-0C2F4B7E9D12", { rule: {} })).body)
      .toEqual({ result: "failed" })
  })

  it("keeps written rules inactive until apply", async () => {
    const res = await addRule(sim, { interface: "wan", action: "block", description: "pending" })
    expect(sim.state.applied.rules.has(res.body.uuid)).toBe(false)
    const applied = await post(sim, "/api/firewall/filter/apply")
    expect(applied.text).toBe("{\"status\":\"OK\\n\\n\"}")
    expect(sim.state.applied.rules.has(res.body.uuid)).toBe(true)
  })

  it("writes exactly one backup revision per successful write", async () => {
    const before = sim.state.backups.length
    await addRule(sim, { description: "one" })
    await addRule(sim, { protocol: "ICMP", destination_port: "1" }) // fails: no revision
    await post(sim, "/api/firewall/filter/apply") // apply saves nothing
    expect(sim.state.backups.length).toBe(before + 1)
    expect(sim.state.backups[0]?.description).toBe("/api/firewall/filter/add_rule made changes")
    const list = await call(sim, "/api/core/backup/backups/this")
    expect(list.body.items[0]).toMatchObject({
      description: "/api/firewall/filter/add_rule made changes",
      id: expect.stringMatching(/^config-\d+\.\d+\.xml$/)
    })
    expect(typeof list.body.items[0].filesize).toBe("number")
  })

  it("reverts to a backup revision, restoring the model of that revision", async () => {
    const id = sim.state.backups[0]?.id ?? ""
    const count = sim.state.rules.size
    await addRule(sim, { description: "to be reverted" })
    expect(sim.state.rules.size).toBe(count + 1)
    expect((await post(sim, `/api/core/backup/revert_backup/${id}`)).body).toEqual({ status: "reverted" })
    expect(sim.state.rules.size).toBe(count)
    expect((await post(sim, "/api/core/backup/revert_backup/config-1.0.xml")).body).toEqual({ status: "not_found" })
    const xml = await call(sim, `/api/core/backup/download/this/${id}`)
    expect(xml.headers["content-type"]).toBe("application/octet-stream")
    expect(xml.text).toContain("<opnsense>")
  })

  it("mixes legacy and automatic rows into search on 26.7 and filters by interface", async () => {
    const all = await call(sim, "/api/firewall/filter/search_rule")
    const legacy = all.body.rows.filter((r: { legacy?: boolean }) => r.legacy === true)
    expect(legacy.length).toBeGreaterThan(0)
    expect(legacy[0].uuid).toMatch(/^[0-9a-f]{32}$/)
    expect(typeof legacy[0].log).toBe("boolean")
    const mvc = all.body.rows.filter((r: { legacy?: boolean }) => r.legacy !== true)
    expect(mvc.length).toBe(sim.state.rules.size)
    const wan = await post(sim, "/api/firewall/filter/search_rule", { interface: "wan" })
    for (const r of wan.body.rows) {
      expect(r.interface === "" || String(r.interface).split(",").includes("wan")).toBe(true)
    }
    const paged = await post(sim, "/api/firewall/filter/search_rule", { rowCount: 2, current: 1, searchPhrase: "WAN" })
    expect(paged.body.rowCount).toBeLessThanOrEqual(2)
    // searchRecordsetBase: paging only from the POST body
    const q = await call(sim, "/api/firewall/filter/search_rule?rowCount=1")
    expect(q.body.rowCount).toBe(all.body.rowCount)
  })

  it("moves a rule before another and toggles it", async () => {
    const a = (await addRule(sim, { interface: "lan", description: "A", sequence: "5000" })).body.uuid
    const b = (await addRule(sim, { interface: "lan", description: "B", sequence: "5100" })).body.uuid
    expect((await post(sim, `/api/firewall/filter/move_rule_before/${b}/${a}`)).body).toEqual({ status: "ok" })
    expect(Number(sim.state.rules.get(b)?.["sequence"])).toBeLessThan(5000)
    const bad = await post(sim, `/api/firewall/filter/move_rule_before/${a}/${a}`)
    expect(bad.status).toBe(500)
    expect(bad.body.errorMessage).toBe("Cannot move to the same spot.")
    const floating = (await addRule(sim, { description: "F" })).body.uuid
    expect((await post(sim, `/api/firewall/filter/move_rule_before/${floating}/${a}`)).body.errorMessage).toBe(
      "Cannot move 'Floating Rule' before 'Interface Rule'."
    )
    expect((await post(sim, `/api/firewall/filter/toggle_rule/${a}`)).body).toEqual({
      result: "Disabled",
      changed: true
    })
    expect((await post(sim, `/api/firewall/filter/toggle_rule/${a}/0`)).body).toEqual({
      result: "Disabled",
      changed: false
    })
    expect((await post(sim, `/api/firewall/filter/toggle_rule/${a}/1`)).body).toEqual({
      result: "Enabled",
      changed: true
    })
    expect((await post(sim, "/api/firewall/filter/toggle_rule/5a1d0f8e-6c1b-4d7e-9a63-0c2f4b7e9d77")).body).toEqual({
      result: "failed"
    })
  })

  it("deletes comma lists of uuids on 26.7", async () => {
    const a = (await addRule(sim, { description: "del1" })).body.uuid
    const b = (await addRule(sim, { description: "del2" })).body.uuid
    expect((await post(sim, `/api/firewall/filter/del_rule/${a},${b}`)).body).toEqual({ result: "deleted" })
    expect(sim.state.rules.has(a) || sim.state.rules.has(b)).toBe(false)
  })

  it("has no savepoint on 26.7", async () => {
    expect((await post(sim, "/api/firewall/filter/savepoint")).status).toBe(404)
    expect((await post(sim, "/api/firewall/filter/cancel_rollback/123")).status).toBe(404)
  })

  it("downloads and re-uploads rules as CSV", async () => {
    const csv = await call(sim, "/api/firewall/filter/download_rules")
    const [header, first] = csv.text.split("\n")
    expect(header?.split(";")[0]).toBe("@uuid")
    expect(header).not.toContain("sort_order")
    const uuid = first?.split(";")[0] ?? ""
    const edited = csv.text.replace(/generated|Allow LAN to any/, "Allow LAN to anything")
    const res = await post(sim, "/api/firewall/filter/upload_rules", { payload: `${edited}` })
    expect(res.body.inserted).toBe(0)
    expect(res.body.updated).toBe(sim.state.rules.size)
    expect(res.body.validations).toEqual([])
    expect(sim.state.rules.has(uuid)).toBe(true)
    const bad = await post(sim, "/api/firewall/filter/upload_rules", {
      payload: `@uuid;protocol;destination_port\n;ICMP;80\n;TCP;443\n`
    })
    // the first pass's counts (both rows), 0-based row indexes; the second pass saved the TCP row
    expect(bad.body.inserted).toBe(2)
    expect(bad.body.validations[0]).toMatchObject({ sequence: 0, field: "destination_port" })
  })

  it("returns the whole model from get with reduced long option maps", async () => {
    const res = await call(sim, "/api/firewall/filter/get")
    const rules = res.body.filter.rules.rule
    expect(Object.keys(rules)).toHaveLength(sim.state.rules.size)
    const one = Object.values(rules)[0] as Record<string, unknown>
    expect(Object.keys(one.protocol as object)).toHaveLength(1)
    expect(res.body.filter.general.snat_mode.automatic.selected).toBe(1)
  })
})

describe("simulator: firewall/filter on 26.1", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.1" })
  })
  afterAll(() => sim.close())

  it("lists only MVC rules without interface, floating with interface='', exact match with a list", async () => {
    const all = await call(sim, "/api/firewall/filter/search_rule")
    expect(all.body.rows.every((r: { legacy?: boolean }) => r.legacy === undefined)).toBe(true)
    expect(all.body.total).toBe(sim.state.rules.size)
    await addRule(sim, { description: "floating" })
    const floating = await post(sim, "/api/firewall/filter/search_rule", { interface: "" })
    expect(floating.body.rows.map((r: { description: string }) => r.description)).toEqual(["floating"])
    const lan = await post(sim, "/api/firewall/filter/search_rule", { interface: "lan" })
    expect(lan.body.rows.every((r: { interface: string }) => r.interface === "lan")).toBe(true)
    const withLegacy = await post(sim, "/api/firewall/filter/search_rule", { interface: "lan", show_all: "1" })
    expect(withLegacy.body.rows.some((r: { legacy?: boolean }) => r.legacy === true)).toBe(true)
  })

  it("has no % twins in get, but has them in search", async () => {
    const uuid = (await addRule(sim, { interface: "lan", source_net: "lan" })).body.uuid
    const got = await call(sim, `/api/firewall/filter/get_rule/${uuid}`)
    expect(got.body.rule["%source_net"]).toBeUndefined()
    const row = (await call(sim, "/api/firewall/filter/search_rule")).body.rows.find((r: { uuid: string }) =>
      r.uuid === uuid
    )
    expect(row["%interface"]).toBe("LAN")
  })

  it("takes comma lists in delBase (26.1.3+), but the alias in-use check only sees single uuids", async () => {
    const a = (await addRule(sim, { description: "x" })).body.uuid
    const b = (await addRule(sim, { description: "y" })).body.uuid
    expect((await post(sim, `/api/firewall/filter/del_rule/${a},${b}`)).body).toEqual({ result: "deleted" })
    expect(sim.state.rules.has(a) || sim.state.rules.has(b)).toBe(false)
    // the last uuid decides the answer
    const c = (await addRule(sim, { description: "z" })).body.uuid
    expect((await post(sim, `/api/firewall/filter/del_rule/${c},${c}`)).body).toEqual({ result: "not found" })
    const used = sim.state.aliases.find("name", "admin_hosts") ?? ""
    const spare = (await post(sim, "/api/firewall/alias/add_item", {
      alias: { name: "spare", type: "host", content: "192.0.2.9" }
    })).body.uuid
    expect((await post(sim, `/api/firewall/alias/del_item/${used}`)).status).toBe(500)
    // 26.1.3–26.1.8 AliasController looks "a,b" up as one uuid: nothing is checked
    expect((await post(sim, `/api/firewall/alias/del_item/${used},${spare}`)).body).toEqual({ result: "deleted" })
    expect(sim.state.aliases.has(used)).toBe(false)
  })

  it("emulates the savepoint defect: the revision never matches, revert reports an unknown savepoint", async () => {
    const sp = await post(sim, "/api/firewall/filter/savepoint")
    expect(sp.body).toMatchObject({ status: "ok", retention: "100", revision: expect.stringMatching(/^\d+\.\d{2}$/) })
    expect((await post(sim, `/api/firewall/filter/apply/${sp.body.revision}`)).body).toEqual({ status: "OK\n\n" })
    expect((await post(sim, `/api/firewall/filter/cancel_rollback/${sp.body.revision}`)).body).toEqual({
      status: "\n\n"
    })
    expect((await post(sim, `/api/firewall/filter/cancel_rollback/${sp.body.revision}`)).body).toEqual({
      status: "Execute error\n\n"
    })
    expect((await post(sim, `/api/firewall/filter/revert/${sp.body.revision}`)).body).toEqual({
      status: "unknown (or removed) savepoint"
    })
  })

  it("reverts to a savepoint when the defect is switched off", async () => {
    sim.state.savepointDefect = false
    const sp = await post(sim, "/api/firewall/filter/savepoint")
    const count = sim.state.rules.size
    await addRule(sim, { description: "after savepoint" })
    expect((await post(sim, `/api/firewall/filter/revert/${sp.body.revision}`)).body).toEqual({ status: "ok" })
    expect(sim.state.rules.size).toBe(count)
  })

  it("answers an array for a scalar with the string 'Array' (≤26.1)", async () => {
    const res = await addRule(sim, { description: "x" } as Record<string, string>)
    expect(res.body.result).toBe("saved")
    const arr = await post(sim, "/api/firewall/filter/add_rule", { rule: { action: ["pass"] } })
    expect(arr.body.validations["rule.action"]).toBe("Option [] not in list.")
  })
})

describe("simulator: categories and destination NAT", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ tls: false })
  })
  afterAll(() => sim.close())

  it("refuses deleting a category in use (safe-delete) and enforces unique names", async () => {
    const cat =
      (await post(sim, "/api/firewall/category/add_item", { category: { name: "web", color: "00ff00" } })).body.uuid
    expect((await post(sim, "/api/firewall/category/add_item", { category: { name: "web" } })).body.validations)
      .toEqual({ "category.name": "A category with this name already exists." })
    expect((await addRule(sim, { description: "categorised", categories: cat })).body.result).toBe("saved")
    expect((await addRule(sim, { categories: "5a1d0f8e-6c1b-4d7e-9a63-0c2f4b7e9d11" })).body.validations).toEqual({
      "rule.categories": "Related category not found."
    })
    const del = await post(sim, `/api/firewall/category/del_item/${cat}`)
    expect(del.status).toBe(500)
    expect(del.body.errorTitle).toMatch(/in use by/)
  })

  it("keeps port forwards with nested source/destination and an inverted toggle", async () => {
    const add = await post(sim, "/api/firewall/d_nat/add_rule", {
      rule: {
        interface: "wan",
        protocol: "TCP",
        destination: { network: "wanip", port: "2222" },
        target: "192.168.1.5",
        "local-port": "22",
        descr: "ssh"
      }
    })
    expect(add.body.result).toBe("saved")
    const got = await call(sim, `/api/firewall/d_nat/get_rule/${add.body.uuid}`)
    expect(got.body.rule.destination.port).toBe("2222")
    expect(got.body.rule.protocol.tcp.selected).toBe(1)
    const bad = await post(sim, "/api/firewall/d_nat/add_rule", {
      rule: { protocol: "icmp", destination: { port: "22" } }
    })
    expect(bad.body.validations["rule.destination.port"]).toBe("Ports are only valid for TCP or UDP type rules.")
    expect((await post(sim, "/api/firewall/d_nat/add_rule", { rule: { destination: "x" } })).status).toBe(500)
    expect((await post(sim, `/api/firewall/d_nat/toggle_rule/${add.body.uuid}/1`)).body).toEqual({ result: "Disabled" })
    const rows = (await call(sim, "/api/firewall/d_nat/search_rule")).body.rows
    expect(rows.find((r: { uuid: string }) => r.uuid === add.body.uuid)["destination.port"]).toBe("2222")
    expect((await post(sim, "/api/firewall/d_nat/apply")).body).toEqual({ status: "OK\n\n" })
  })

  it("serves system status, firmware status and the interfaces overview", async () => {
    expect((await call(sim, "/api/core/system/status")).body.metadata.system.status).toBe(2)
    expect((await call(sim, "/api/core/firmware/status")).body.product.product_version).toBe("26.7.5")
    const overview = await call(sim, "/api/interfaces/overview/interfaces_info")
    expect(overview.body.rows.find((r: { identifier: string }) => r.identifier === "lan").addr4).toBe("192.168.1.1/24")
  })
})

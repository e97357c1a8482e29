import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

describe("simulator: firewall/alias", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(() => sim.close())

  const add = (alias: Record<string, string>) => post(sim, "/api/firewall/alias/add_item", { alias })

  it("validates names with the real messages", async () => {
    expect((await add({ name: "1abc", type: "host" })).body.validations["alias.name"]).toMatch(
      /^The name must start with a letter/
    )
    expect((await add({ name: "__mine", type: "host" })).body.validations["alias.name"]).toMatch(
      /^The name must start with a letter/
    )
    expect((await add({ name: "pass", type: "host" })).body.validations["alias.name"]).toBe(
      "The name cannot be the internally reserved keyword \"%s\"."
    )
    expect((await add({ name: "https", type: "port" })).body.validations["alias.name"]).toBe(
      "Reserved protocol or service names may not be used"
    )
    expect((await add({ name: "rfc1918", type: "network", content: "10.0.0.0/8" })).body).toEqual({
      result: "failed",
      validations: { "alias.name": "An alias with this name already exists." }
    })
    expect((await add({ name: "a_b", type: "host", content: "192.0.2.1" })).body.result).toBe("saved")
  })

  it("authgroup: content is gids, checked against the box's groups; search rows map them to names", async () => {
    sim.state.userGroups.push({ gid: "2000", name: "vpnusers" })
    expect((await add({ name: "nobody_grp", type: "authgroup", content: "4242" })).body.validations).toEqual({
      "alias.content": "Entry \"4242\" is not a valid group id."
    })
    expect((await add({ name: "one_grp", type: "authgroup", content: "1999" })).body.result).toBe("saved")
    expect((await add({ name: "two_grp", type: "authgroup", content: "1999\n2000" })).body.result).toBe("saved")
    const rows = (await post(sim, "/api/firewall/alias/search_item", { type: ["authgroup"], rowCount: -1 })).body
      .rows as Array<Record<string, string>>
    const content = Object.fromEntries(rows.map((r) => [r["name"], r["content"]]))
    // AliasController::searchItemAction explodes the raw (newline-separated) content on ","
    expect(content).toEqual({ one_grp: "admins", two_grp: "" })
    expect((await call(sim, "/api/firewall/alias/list_user_groups")).body).toEqual({
      "1999": { name: "admins", gid: "1999" },
      "2000": { name: "vpnusers", gid: "2000" }
    })
  })

  it("requires a type and validates content per type", async () => {
    expect((await add({ name: "typeless" })).body.validations["alias.type"]).toBe("Option [] not in list.")
    expect(
      (await add({ name: "bad_net", type: "network", content: "10.0.0.0/8\nfoo" })).body.validations["alias.content"]
    ).toBe("Entry \"foo\" is not a network.")
    expect((await add({ name: "bad_port", type: "port", content: "80\n99999" })).body.validations["alias.content"])
      .toBe("Entry \"99999\" is not a valid port number.")
    expect(
      (await add({ name: "bad_group", type: "networkgroup", content: "nosuchalias" })).body.validations["alias.content"]
    ).toBe("Entry \"nosuchalias\" is not a valid alias.")
    expect((await add({ name: "good_group", type: "networkgroup", content: "rfc1918\nadmin_hosts" })).body.result).toBe(
      "saved"
    )
    expect((await add({ name: "good_ports", type: "port", content: "80\n8000:8080\nhttps" })).body.result).toBe("saved")
  })

  it("lists built-in aliases with their name as uuid, sorted after user aliases", async () => {
    const res = await call(sim, "/api/firewall/alias/search_item")
    const names: Array<string> = res.body.rows.map((r: { name: string }) => r.name)
    expect(names).toContain("bogons")
    expect(names).toContain("__lan_network")
    expect(names.indexOf("__lan_network")).toBeGreaterThan(names.indexOf("virusprot"))
    const bogons = res.body.rows.find((r: { name: string }) => r.name === "bogons")
    expect(bogons.uuid).toBe("bogons")
    expect(bogons.categories_uuid).toEqual([])
    expect((await post(sim, "/api/firewall/alias/del_item/bogons")).body).toEqual({ result: "not found" })
    expect((await call(sim, "/api/firewall/alias/get_alias_u_u_i_d/bogons")).body).toEqual({ uuid: "bogons" })
    expect((await call(sim, "/api/firewall/alias/get_alias_u_u_i_d/nothing_here")).body).toEqual([])
  })

  it("filters search by type[] and pages by rowCount", async () => {
    const res = await post(sim, "/api/firewall/alias/search_item", { type: ["port"], rowCount: 1, current: 1 })
    expect(res.body.rowCount).toBe(1)
    expect(res.body.total).toBeGreaterThanOrEqual(2)
    expect(res.body.rows[0].type).toBe("port")
  })

  it("blocks deleting an alias used by a rule or another alias (500, title 'Alias in use')", async () => {
    const used = sim.state.aliases.find("name", "admin_hosts") ?? ""
    const res = await post(sim, `/api/firewall/alias/del_item/${used}`)
    expect(res.status).toBe(500)
    expect(res.body.errorTitle).toBe("Alias in use")
    expect(res.body.errorMessage).toMatch(
      /^Cannot delete alias admin_hosts\. Currently in use by \n\[OPNsense\.Firewall\.Filter\.rules\.rule\.\d+\/source_net\] /
    )
    expect(res.body.errorMessage).toContain("OPNsense.Firewall.Alias.aliases.alias.")
    expect(sim.state.aliases.has(used)).toBe(true)
  })

  it("rewrites references when an alias is renamed", async () => {
    const uuid = sim.state.aliases.find("name", "admin_hosts") ?? ""
    expect((await post(sim, `/api/firewall/alias/set_item/${uuid}`, { alias: { name: "admins" } })).body).toEqual({
      result: "saved"
    })
    const rule = [...sim.state.rules.values()].find((r) => r["description"] === "Admin access to the firewall")
    expect(rule?.["source_net"]).toBe("admins")
    const group = sim.state.aliasByName("good_group")
    expect(group?.["content"]).toBe("rfc1918\nadmins")
  })

  it("renders get_item content as a map of selected entries plus every other alias name", async () => {
    const uuid = sim.state.aliases.find("name", "rfc1918") ?? ""
    const res = await call(sim, `/api/firewall/alias/get_item/${uuid}`)
    expect(res.body.alias.content["10.0.0.0/8"]).toEqual({ value: "10.0.0.0/8", selected: 1, description: "" })
    expect(res.body.alias.content["bogons"]).toEqual({
      selected: 0,
      value: "bogons",
      description: "bogon networks (internal)"
    })
    expect(res.body.alias.type.network.selected).toBe(1)
    // 26.7: an unknown uuid gives a wrapper with only `content`
    const unknown = await call(sim, "/api/firewall/alias/get_item/9b1e4e0c-1c1a-4f53-9a7e-3d0f8a6b1c22")
    expect(Object.keys(unknown.body.alias)).toEqual(["content"])
  })

  it("exports raw values and imports by name, all or nothing", async () => {
    const exported = await call(sim, "/api/firewall/alias/export")
    expect(exported.text).toContain("\n    ")
    const body = JSON.parse(exported.text)
    expect(body.aliases.alias.bogons.name).toBe("bogons")
    const rejected = await post(sim, "/api/firewall/alias/import", {
      data: {
        aliases: {
          alias: {
            x: { name: "imp_ok", type: "host", content: "192.0.2.9" },
            y: { name: "imp_bad", type: "network", content: "nope" }
          }
        }
      }
    })
    expect(rejected.body.status).toBe("failed")
    expect(rejected.body.validations["y.content"]).toBe("Entry \"nope\" is not a network.")
    expect(sim.state.aliasByName("imp_ok")).toBeUndefined()
    const ok = await post(sim, "/api/firewall/alias/import", {
      data: {
        aliases: {
          alias: {
            x: { name: "imp_ok", type: "host", content: "192.0.2.9" },
            y: { name: "rfc1918", type: "network", content: "10.0.0.0/8" }
          }
        }
      }
    })
    expect(ok.body).toEqual({ existing: 1, new: 1, status: "ok" })
    // validated together: an alias may use another of the same import, in any order
    const nested = await post(sim, "/api/firewall/alias/import", {
      data: {
        aliases: {
          alias: {
            a: { name: "imp_outer", type: "host", content: "imp_inner" },
            b: { name: "imp_inner", type: "host", content: "192.0.2.10" }
          }
        }
      }
    })
    expect(nested.body).toEqual({ existing: 0, new: 2, status: "ok" })
    expect((await call(sim, "/api/firewall/alias/import")).status).toBe(500)
  })

  it("stays inactive until reconfigure", async () => {
    const before = sim.state.reconfigureCounts.alias
    expect(sim.state.applied.aliases.has(sim.state.aliases.find("name", "imp_ok") ?? "")).toBe(false)
    expect((await post(sim, "/api/firewall/alias/reconfigure")).body).toEqual({ status: "ok" })
    expect(sim.state.reconfigureCounts.alias).toBe(before + 1)
    expect(sim.state.applied.aliases.has(sim.state.aliases.find("name", "imp_ok") ?? "")).toBe(true)
  })
})

describe("simulator: alias get_item on 26.1", () => {
  it("answers an unknown uuid with 500 Unexpected error (≤26.1.10)", async () => {
    const sim = await startSimulator({ version: "26.1", tls: false })
    try {
      const res = await call(sim, "/api/firewall/alias/get_item/9b1e4e0c-1c1a-4f53-9a7e-3d0f8a6b1c22")
      expect(res.status).toBe(500)
      expect(res.body).toEqual({ errorMessage: "Unexpected error, check log for details" })
    } finally {
      await sim.close()
    }
  })
})

/**
 * firewall/source_nat and firewall/one_to_one as opnsense/core 26.1.5 and 26.7.2 define them
 * (SourceNatController.php, OneToOneController.php, Filter.xml snatrules/onetoone, Filter.php
 * performValidation), over real HTTP.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

const SNAT = "/api/firewall/source_nat"
const ONE = "/api/firewall/one_to_one"

const outbound = { interface: "wan", source_net: "lan", target: "wanip", description: "lan out" }
const binat = { interface: "wan", source_net: "192.168.1.10", external: "203.0.113.10", description: "web" }

for (const version of ["26.1", "26.7"] as const) {
  describe(`simulator ${version}: firewall/source_nat`, () => {
    let sim: SimulatorHandle
    beforeAll(async () => {
      sim = await startSimulator({ version, unmanaged: false })
    })
    afterAll(() => sim.close())

    it("adds, reads, changes, toggles and deletes a rule", async () => {
      const add = await post(sim, `${SNAT}/add_rule`, { rule: outbound })
      expect(add.body.result).toBe("saved")
      const uuid: string = add.body.uuid
      const rule = (await call(sim, `${SNAT}/get_rule/${uuid}`)).body.rule
      // selects as option maps, NetworkAliasField and PortField values as strings
      expect(rule.interface.wan).toEqual({ value: "WAN", selected: 1 })
      expect(rule.ipprotocol).toEqual({ inet: { value: "IPv4", selected: 1 }, inet6: { value: "IPv6", selected: 0 } })
      expect(rule.protocol.any.selected).toBe(1)
      expect(rule.categories).toEqual([])
      expect(rule.source_net).toBe("lan")
      expect(rule.target).toBe("wanip")
      expect(rule.target_port).toBe("")
      expect(rule.sequence).toBe("101")
      expect(rule.enabled).toBe("1")
      expect(rule.nonat).toBe("0")
      // nosync, tag, endpoint-independent and the computed sort fields exist from 26.1.11 / 26.7
      expect("nosync" in rule).toBe(version === "26.7")
      expect("endpoint-independent" in rule).toBe(version === "26.7")
      expect(rule.sort_order).toBe(version === "26.7" ? "400000.0000101" : undefined)

      const set = await post(sim, `${SNAT}/set_rule/${uuid}`, { rule: { protocol: "tcp", target_port: "HTTPS" } })
      expect(set.body).toEqual({ result: "saved" })
      const stored = sim.state.snat.get(uuid)
      expect(stored?.["protocol"]).toBe("TCP")
      expect(stored?.["target_port"]).toBe("https")
      expect(stored?.["description"]).toBe("lan out")

      expect((await post(sim, `${SNAT}/toggle_rule/${uuid}`)).body).toEqual({ result: "Disabled", changed: true })
      expect((await post(sim, `${SNAT}/toggle_rule/${uuid}/0`)).body).toEqual({ result: "Disabled", changed: false })
      expect((await post(sim, `${SNAT}/toggle_rule_log/${uuid}/1`)).body).toEqual({ status: "ok" })
      expect(sim.state.snat.get(uuid)?.["log"]).toBe("1")

      expect((await post(sim, `${SNAT}/del_rule/${uuid}`)).body).toEqual({ result: "deleted" })
      expect((await call(sim, `${SNAT}/get_rule/${uuid}`)).body).toEqual([])
    })

    it("numbers rules from FilterSequenceField: the highest sequence plus 100", async () => {
      const a = await post(sim, `${SNAT}/add_rule`, { rule: { ...outbound, sequence: "5000" } })
      const b = await post(sim, `${SNAT}/add_rule`, { rule: outbound })
      expect(sim.state.snat.get(b.body.uuid)?.["sequence"]).toBe("5100")
      await post(sim, `${SNAT}/del_rule/${a.body.uuid},${b.body.uuid}`)
    })

    it("words field and model refusals as Filter.xml and Filter.php do", async () => {
      const res = await post(sim, `${SNAT}/add_rule`, {
        rule: {
          interface: "wan",
          protocol: "ICMP",
          source_net: "10.0.0.0/8,any",
          source_port: "80",
          target: "any",
          target_port: "70000",
          "endpoint-independent": "1"
        }
      })
      const v = res.body.validations
      expect(res.body.result).toBe("failed")
      expect(v["rule.source_net"]).toEqual([
        "10.0.0.0/8,any is not a valid source IP address or alias.",
        "Any can not be combined with other aliases"
      ])
      expect(v["rule.source_port"]).toBe("Source ports are only valid for tcp or udp type rules.")
      expect(v["rule.target_port"][0]).toMatch(/^Please specify a valid port number \(1-65535\)\. A service name/)
      expect(v["rule.target_port"][1]).toBe("Target ports are only valid for tcp or udp type rules.")
      // 26.7.2 adds two checks; 26.1.5 has no endpoint-independent field at all
      expect(v["rule.target"]).toBe(version === "26.7" ? "Target address cannot be any." : undefined)
      expect(v["rule.endpoint-independent"]).toBe(
        version === "26.7" ? "Endpoint Independent NAT is only available for UDP." : undefined
      )

      const family = await post(sim, `${SNAT}/add_rule`, {
        rule: { ...outbound, ipprotocol: "inet6", target: "203.0.113.5", destination_net: "a,b", destination_not: "1" }
      })
      expect(family.body.validations["rule.target"]).toBe(
        "Target address type should match selected TCP/IP protocol version."
      )
      // validate() lists a message once per field however often it is raised
      expect(family.body.validations["rule.destination_net"]).toEqual([
        "a,b is not a valid source IP address or alias.",
        "Inverting destinations is only allowed for single targets to avoid mis-interpretations"
      ])
    })

    it("requires a target before 26.1.11 (default wanip) and not after", async () => {
      const res = await post(sim, `${SNAT}/add_rule`, { rule: { ...outbound, target: "" } })
      if (version === "26.1") expect(res.body.validations).toEqual({ "rule.target": "A value is required." })
      else expect(res.body.result).toBe("saved")
      const template = (await call(sim, `${SNAT}/get_rule`)).body.rule
      expect(template.target).toBe(version === "26.1" ? "wanip" : "")
      expect(template.interface.lan.selected).toBe(1)
    })

    it("keeps rules inactive until apply (POST only, configd filter reload)", async () => {
      const add = await post(sim, `${SNAT}/add_rule`, { rule: outbound })
      expect(sim.state.applied.snat.has(add.body.uuid)).toBe(false)
      expect((await call(sim, `${SNAT}/apply`)).body).toEqual({ status: "error" })
      const before = sim.state.reconfigureCounts.filter
      const applied = await post(sim, `${SNAT}/apply`)
      expect(applied.text).toBe("{\"status\":\"OK\\n\\n\"}")
      expect(sim.state.applied.snat.has(add.body.uuid)).toBe(true)
      expect(sim.state.reconfigureCounts.filter).toBe(before + 1)
    })

    it("lists rules in search_rule with labels, alias_meta and category colours", async () => {
      const cat = await post(sim, "/api/firewall/category/add_item", { category: { name: "nat", color: "00ff00" } })
      const add = await post(sim, `${SNAT}/add_rule`, { rule: { ...outbound, categories: cat.body.uuid } })
      if (version === "26.7") await post(sim, `${SNAT}/set`, { filter: { general: { snat_mode: "hybrid" } } })
      const res = await post(sim, `${SNAT}/search_rule`, { category: [cat.body.uuid] })
      const row = res.body.rows.find((r: { uuid: string }) => r.uuid === add.body.uuid)
      expect(row).toMatchObject({
        interface: "wan",
        "%interface": "WAN",
        source_net: "lan",
        target: "wanip",
        categories: cat.body.uuid,
        category_colors: [{ color: "#00ff00", name: "nat", uuid: cat.body.uuid }]
      })
      expect(row.alias_meta_target).toEqual([
        { value: "wanip", "%value": "WAN address", isAlias: false, description: "" }
      ])
      expect(row.alias_meta_source_net[0]["%value"]).toBe(version === "26.7" ? "LAN network" : "LAN net")
      // 26.7 answers through searchRecordsetBase (total first), before through UIModelGrid (rows first)
      expect(Object.keys(res.body)).toEqual(
        version === "26.7" ? ["total", "rowCount", "current", "rows"] : ["rows", "rowCount", "total", "current"]
      )
      // only this rule carries the category; 26.7's automatic rows pass any category filter
      expect(res.body.rows.filter((r: { is_automatic?: boolean }) => r.is_automatic !== true)).toHaveLength(1)
    })
  })

  describe(`simulator ${version}: firewall/one_to_one`, () => {
    let sim: SimulatorHandle
    beforeAll(async () => {
      sim = await startSimulator({ version, unmanaged: false })
    })
    afterAll(() => sim.close())

    it("adds, reads, searches, toggles and deletes a BINAT rule", async () => {
      const add = await post(sim, `${ONE}/add_rule`, { rule: binat })
      expect(add.body.result).toBe("saved")
      const uuid: string = add.body.uuid
      const rule = (await call(sim, `${ONE}/get_rule/${uuid}`)).body.rule
      expect(rule.type).toEqual({ binat: { value: "BINAT", selected: 1 }, nat: { value: "NAT", selected: 0 } })
      expect(rule.natreflection).toEqual({
        "": { value: "Default", selected: 1 },
        enable: { value: "Enable", selected: 0 },
        disable: { value: "Disable", selected: 0 }
      })
      expect(rule.external).toBe("203.0.113.10")
      expect(rule.destination_net).toBe("any")
      expect(rule.sequence).toBe("101")
      const rows = (await call(sim, `${ONE}/search_rule`)).body.rows
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ uuid, type: "binat", "%type": "BINAT", external: "203.0.113.10" })
      expect(rows[0].alias_meta_source_net[0].value).toBe("192.168.1.10")
      expect((await post(sim, `${ONE}/toggle_rule/${uuid}`)).body).toEqual({ result: "Disabled", changed: true })
      expect((await post(sim, `${ONE}/del_rule/${uuid}`)).body).toEqual({ result: "deleted" })
    })

    it("checks families, BINAT prefixes and the external NetworkField", async () => {
      const mixed = await post(sim, `${ONE}/add_rule`, {
        rule: { source_net: "lan", destination_net: "10.0.0.1", external: "2001:db8::1" }
      })
      expect(mixed.body.validations).toEqual({
        "rule.destination_net": "IP protocol families should match.",
        "rule.external": "IP protocol families should match.",
        "rule.source_net": "For BINAT rules only addresses or subnets are allowed."
      })
      const prefix = await post(sim, `${ONE}/add_rule`, {
        rule: { source_net: "192.168.1.0/24", external: "203.0.113.0/28" }
      })
      expect(prefix.body.validations).toEqual({ "rule.external": "External subnet should match internal subnet." })
      // a disabled or NAT-type rule skips the BINAT checks
      const nat = await post(sim, `${ONE}/add_rule`, {
        rule: { type: "nat", source_net: "lan", external: "203.0.113.0/28" }
      })
      expect(nat.body.result).toBe("saved")
      const missing = await post(sim, `${ONE}/add_rule`, { rule: { source_net: "192.168.1.10", external: "any" } })
      expect(missing.body.validations).toEqual({
        "rule.external": [
          "Please specify a valid network segment or IP address.",
          "External subnet should match internal subnet."
        ]
      })
      const empty = await post(sim, `${ONE}/add_rule`, { rule: {} })
      expect(empty.body.validations["rule.external"]).toBe("A value is required.")
      expect(empty.body.validations["rule.source_net"]).toEqual([
        "A value is required.",
        "For BINAT rules only addresses or subnets are allowed."
      ])
    })

    it("gives a copy's sequence in get_rule?fetchmode=copy from 26.1.11 on", async () => {
      const add = await post(sim, `${ONE}/add_rule`, { rule: { ...binat, sequence: "700" } })
      const copy = (await call(sim, `${ONE}/get_rule/${add.body.uuid}?fetchmode=copy`)).body.rule
      expect(copy.sequence).toBe(version === "26.7" ? 800 : "700")
    })

    it("shows source NAT and 1:1 rows in the Filter model's whole get", async () => {
      const snat = await post(sim, `${SNAT}/add_rule`, { rule: outbound })
      const model = (await call(sim, "/api/firewall/filter/get")).body.filter
      expect(model.snatrules.rule[snat.body.uuid].description).toBe("lan out")
      expect(Object.keys(model.onetoone.rule).length).toBeGreaterThan(0)
      // one_to_one/get is ApiMutableModelControllerBase's: the same whole model
      expect((await call(sim, `${ONE}/get`)).body).toEqual((await call(sim, "/api/firewall/filter/get")).body)
    })
  })
}

describe("simulator 26.7: outbound NAT mode (Filter.xml general.snat_mode, config nat/outbound/mode)", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.7", unmanaged: false })
  })
  afterAll(() => sim.close())

  it("reads automatic when unset, sets a mode, refuses an unknown one", async () => {
    const get = (await call(sim, `${SNAT}/get`)).body
    expect(get.filter.general.snat_mode.automatic).toEqual({
      value: "Automatic Source NAT rule generation",
      selected: 1
    })
    expect(Object.keys(get.filter.general.snat_mode)).toEqual(["automatic", "hybrid", "advanced", "disabled"])
    expect((await call(sim, `${SNAT}/set`)).body).toEqual({ result: "failed" })
    const bad = await post(sim, `${SNAT}/set`, { filter: { general: { snat_mode: "manual" } } })
    expect(bad.body.result).toBe("failed")
    expect(bad.body.validations["filter.general.snat_mode"]).toMatch(/not in list/)
    expect((await post(sim, `${SNAT}/set`, { filter: { general: { snat_mode: "advanced" } } })).body).toEqual({
      result: "saved"
    })
    expect(sim.state.natOutboundMode).toBe("advanced")
    expect((await call(sim, `${SNAT}/get`)).body.filter.general.snat_mode.advanced.selected).toBe(1)
    expect((await call(sim, "/api/firewall/filter/get")).body.filter.general.snat_mode.advanced.selected).toBe(1)
  })

  it("lists configured rules only in hybrid and manual mode, automatic rows in automatic and hybrid", async () => {
    const add = await post(sim, `${SNAT}/add_rule`, { rule: outbound })
    const list = async (mode: string) => {
      await post(sim, `${SNAT}/set`, { filter: { general: { snat_mode: mode } } })
      return (await post(sim, `${SNAT}/search_rule`)).body.rows.map((r: { uuid: string }) => r.uuid)
    }
    expect(await list("advanced")).toEqual([add.body.uuid])
    expect(await list("hybrid")).toEqual([add.body.uuid, "automatic_isakmp_wan", "automatic_wan"])
    expect(await list("automatic")).toEqual(["automatic_isakmp_wan", "automatic_wan"])
    expect(await list("disabled")).toEqual([])
    // the rule is still there: get_rule and the whole model show it in any mode
    expect((await call(sim, `${SNAT}/get_rule/${add.body.uuid}`)).body.rule.description).toBe("lan out")
  })

  it("builds the automatic rows from the interfaces: WAN (gateway) as target, the others as sources", async () => {
    await post(sim, `${SNAT}/set`, { filter: { general: { snat_mode: "automatic" } } })
    const rows = (await post(sim, `${SNAT}/search_rule`)).body.rows
    expect(rows[0]).toMatchObject({
      uuid: "automatic_isakmp_wan",
      interface: "wan",
      "%interface": "WAN",
      "%protocol": "*",
      source_net: "lan,lo0",
      destination_port: "500",
      target: "wanip",
      staticnatport: "1",
      description: "Auto created rule for ISAKMP",
      is_automatic: true,
      sort_order: "500000.0000001",
      prio_group: "500000"
    })
    expect(rows[1]).toMatchObject({ uuid: "automatic_wan", destination_port: "", staticnatport: "0", sequence: "2" })
  })
})

describe("simulator 26.1: no API reads or writes the outbound NAT mode", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.1", unmanaged: false })
  })
  afterAll(() => sim.close())

  it("source_nat/get is the whole Filter model without `general`; set_general comes only with 26.1.11", async () => {
    const get = (await call(sim, `${SNAT}/get`)).body
    expect(Object.keys(get.filter)).toEqual(["rules", "snatrules", "npt", "onetoone"])
    expect((await post(sim, `${SNAT}/set_general`, {})).status).toBe(404)
    // the search lists configured rules whatever the mode, and no automatic rows
    sim.state.natOutboundMode = "automatic"
    const add = await post(sim, `${SNAT}/add_rule`, { rule: outbound })
    const rows = (await post(sim, `${SNAT}/search_rule`)).body.rows
    expect(rows.map((r: { uuid: string }) => r.uuid)).toEqual([add.body.uuid])
    await post(sim, `${SNAT}/del_rule/${add.body.uuid}`)
  })

  it("shows the mode only inside the whole config.xml of core/backup/download", async () => {
    sim.state.natOutboundMode = "hybrid"
    // a write makes a revision of the box as it is now; download/this without an id is the newest
    await post(sim, `${ONE}/add_rule`, { rule: binat })
    const xml = (await call(sim, "/api/core/backup/download/this")).text
    expect(xml).toContain("<outbound><mode>hybrid</mode></outbound>")
    expect(xml).toMatch(/<onetoone>\s*<rule uuid=/)
  })

  it("reverts source NAT and 1:1 rules with the Filter model on a savepoint revert", async () => {
    sim.state.savepointDefect = false
    const sp = await post(sim, `${SNAT}/savepoint`)
    const snat = await post(sim, `${SNAT}/add_rule`, { rule: outbound })
    const one = await post(sim, `${ONE}/add_rule`, { rule: binat })
    expect((await post(sim, `${ONE}/revert/${sp.body.revision}`)).body).toEqual({ status: "ok" })
    expect(sim.state.snat.has(snat.body.uuid)).toBe(false)
    expect(sim.state.onetoone.has(one.body.uuid)).toBe(false)
  })
})

describe("simulator: NAT privileges (Firewall ACL.xml at 25.7, 26.1.5, 26.7.2)", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ unmanaged: false })
  })
  afterAll(() => sim.close())

  it("page-filter-snat-api reaches source_nat only, page-firewall-nat-1-1-edit one_to_one only", async () => {
    sim.state.apiKeys.push({ key: "snat", secret: "s", user: "snat", privileges: ["page-filter-snat-api"] })
    sim.state.apiKeys.push({ key: "one", secret: "o", user: "one", privileges: ["page-firewall-nat-1-1-edit"] })
    const snat = { key: "snat", secret: "s" }
    const one = { key: "one", secret: "o" }
    expect((await post(sim, `${SNAT}/search_rule`, {}, { auth: snat })).status).toBe(200)
    expect((await post(sim, `${SNAT}/add_rule`, { rule: outbound }, { auth: snat })).body.result).toBe("saved")
    expect((await post(sim, `${ONE}/search_rule`, {}, { auth: snat })).status).toBe(403)
    expect((await post(sim, `${ONE}/search_rule`, {}, { auth: one })).status).toBe(200)
    expect((await post(sim, `${SNAT}/apply`, {}, { auth: one })).status).toBe(403)
    expect((await call(sim, "/api/firewall/filter/get", { auth: one })).status).toBe(403)
  })
})

describe("simulator: NAT rows and the outbound NAT mode persist across restarts", () => {
  it("restores source NAT and 1:1 rules, their running copies and the mode", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "sim-nat-")), "box.json")
    const first = await startSimulator({ stateFile, unmanaged: false })
    const snat = await post(first, `${SNAT}/add_rule`, { rule: outbound })
    const one = await post(first, `${ONE}/add_rule`, { rule: binat })
    await post(first, `${SNAT}/set`, { filter: { general: { snat_mode: "hybrid" } } })
    await post(first, `${SNAT}/apply`)
    await first.close()
    const second = await startSimulator({ stateFile, unmanaged: false })
    try {
      expect(second.state.snat.get(snat.body.uuid)?.["description"]).toBe("lan out")
      expect(second.state.onetoone.get(one.body.uuid)?.["external"]).toBe("203.0.113.10")
      expect(second.state.applied.snat.has(snat.body.uuid)).toBe(true)
      expect(second.state.natOutboundMode).toBe("hybrid")
      expect(second.state.applied.natOutboundMode).toBe("hybrid")
    } finally {
      await second.close()
    }
  })
})

describe("simulator: seeding NAT rules and the outbound NAT mode", () => {
  it("inserts seeded rules through the same validation and marks them running", async () => {
    const sim = await startSimulator({
      unmanaged: false,
      seed: { snat: [outbound], onetoone: [binat], natOutboundMode: "advanced" }
    })
    try {
      const rows = (await post(sim, `${SNAT}/search_rule`)).body.rows
      expect(rows.map((r: { description: string }) => r.description)).toEqual(["lan out"])
      expect([...sim.state.applied.onetoone.values()].map((r) => r["external"])).toEqual(["203.0.113.10"])
    } finally {
      await sim.close()
    }
    await expect(startSimulator({ unmanaged: false, seed: { onetoone: [{ source_net: "lan" }] } })).rejects.toThrow(
      /1:1 NAT rule/
    )
  })
})

describe("simulator 26.7: firewall/source_nat/download_rules", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({
      version: "26.7",
      unmanaged: false,
      seed: {
        natOutboundMode: "automatic",
        snat: [{ interface: "wan", source_net: "lan", target: "wanip", description: "lan; \"out\"" }]
      }
    })
  })
  afterAll(() => sim.close())

  // opnsense/core 26.7.2: FilterBaseController.php downloadRulesBase, ApiControllerBase.php exportCsv
  it("lists every configured rule as `;` CSV whatever the mode, sort fields left out", async () => {
    const res = await call(sim, `${SNAT}/download_rules`)
    expect(res.headers["content-type"]).toContain("text/csv")
    const [header, row] = res.text.trimEnd().split("\n")
    const columns = header?.split(";") ?? []
    expect(columns[0]).toBe("@uuid")
    expect(columns).toContain("target")
    expect(columns).not.toContain("sort_order")
    expect(columns).not.toContain("prio_group")
    expect(row).toContain(";wan;")
    expect(row).toContain("\"lan; \"\"out\"\"\"")
  })

  it("answers an empty body without rules", async () => {
    for (const uuid of [...sim.state.snat.keys()]) await post(sim, `${SNAT}/del_rule/${uuid}`)
    expect((await call(sim, `${SNAT}/download_rules`)).text).toBe("")
  })
})

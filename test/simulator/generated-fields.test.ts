/**
 * The simulator's field tables come from opnsense/core's model XML (scripts/gen-simulator-fields.ts):
 * the committed data is what the generator gives from the mirror, and the simulator answers by it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { generate } from "../../scripts/gen-simulator-fields.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { fieldsIn, modelAt } from "../../src/Simulator/Generated.ts"
import { call, post } from "./helpers.ts"

const core = process.env["OPNSENSE_CORE_DIR"] ?? "/work/.mirror/opnsense+core/repo"
const outDir = new URL("../../src/Simulator/generated/", import.meta.url)

/** The tags `npm run gen:fields` passes. */
const npmTags = (): Array<string> => {
  const pkg: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
  const script = typeof pkg === "object" && pkg !== null && "scripts" in pkg && typeof pkg.scripts === "object" &&
      pkg.scripts !== null && "gen:fields" in pkg.scripts && typeof pkg.scripts["gen:fields"] === "string"
    ? pkg.scripts["gen:fields"]
    : ""
  return script.split(/\s+/).filter((t) => /^\d+\.\d+(\.\d+)?$/.test(t))
}

describe("generated field definitions", () => {
  it.skipIf(!existsSync(core))(
    `regenerating from opnsense/core at ${core} reproduces the committed files byte for byte (skipped when that mirror, or $OPNSENSE_CORE_DIR, is absent)`,
    () => {
      const tags = npmTags()
      expect(tags.length).toBeGreaterThan(0)
      const files = generate(core, tags)
      const committed = readdirSync(outDir).filter((n) => n.endsWith(".json") || n === "index.ts").sort()
      expect(committed).toEqual([...files.keys()].sort())
      for (const [name, text] of files) expect(readFileSync(new URL(name, outDir), "utf8"), name).toBe(text)
    },
    120_000
  )

  it("records the source file and the tags each file covers", () => {
    const filter = modelAt("Firewall/Filter", "26.7.5")
    expect(filter.file).toBe("src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.xml")
    expect(filter.tags).toContain("26.7.2")
    expect(modelAt("Firewall/Filter", "26.1.5").tags).toContain("26.1.5")
    expect(modelAt("Interfaces/Vlan", "26.1.5").tags).toEqual(["26.1", "26.1.3", "26.1.5"])
  })
})

for (const version of ["26.1", "26.7"] as const) {
  describe(`simulator ${version}: fields as the model XML defines them`, () => {
    let sim: SimulatorHandle
    const release = version === "26.1" ? "26.1.5" : "26.7.5"
    const rule = fieldsIn(modelAt("Firewall/Filter", release), "rules.rule")
    beforeAll(async () => {
      sim = await startSimulator({ version, unmanaged: false })
    })
    afterAll(() => sim.close())

    it("get_rule without a uuid shows the XML defaults and the XML option lists", async () => {
      const template = (await call(sim, "/api/firewall/filter/get_rule")).body.rule
      for (const f of rule) {
        if (f.volatile || f.classes.includes("AutoNumberField")) continue
        const shown = template[f.name]
        if (typeof shown === "string") {
          expect(shown, f.name).toBe(f.default)
          continue
        }
        if (f.classes.includes("ModelRelationField") && f.multiple) continue
        const selected = Object.keys(shown).filter((k) => shown[k].selected === 1)
        expect(selected, f.name).toEqual(f.default === "" ? (f.multiple ? [] : [""]) : f.default.split(","))
        if (f.options !== undefined) {
          const keys = Object.keys(shown).filter((k) => k !== "")
          expect(new Set(keys), f.name).toEqual(new Set(f.options.map((o) => o.value)))
          for (const o of f.options) expect(shown[o.value].value, `${f.name}.${o.value}`).toBe(o.label)
        }
        if (f.blankDesc !== undefined) expect(shown[""].value, f.name).toBe(f.blankDesc)
      }
      // Filter.xml labels inet46 "IPv4+IPv6" up to 26.1.10 and "any" from 26.1.11
      expect(template.ipprotocol.inet46.value).toBe(version === "26.1" ? "IPv4+IPv6" : "any")
    })

    for (const [path, container] of [["source_nat", "snatrules.rule"], ["one_to_one", "onetoone.rule"]] as const) {
      it(`${path}/get_rule without a uuid shows Filter.xml ${container} defaults and option lists`, async () => {
        const fields = fieldsIn(modelAt("Firewall/Filter", release), container)
        const template = (await call(sim, `/api/firewall/${path}/get_rule`)).body.rule
        expect(Object.keys(template).filter((k) => !k.startsWith("%"))).toEqual(fields.map((f) => f.name))
        for (const f of fields) {
          if (f.volatile || f.classes.includes("AutoNumberField")) continue
          const shown = template[f.name]
          if (typeof shown === "string") {
            expect(shown, f.name).toBe(f.default)
            continue
          }
          if (f.classes.includes("ModelRelationField")) continue
          const selected = Object.keys(shown).filter((k) => shown[k].selected === 1)
          expect(selected, f.name).toEqual([f.default])
          for (const o of f.options ?? []) expect(shown[o.value].value, `${f.name}.${o.value}`).toBe(o.label)
        }
      })
    }

    it("numbers a first rule and port forward from MinimumValue, as FilterSequenceField/DNatSequenceField do", async () => {
      const empty = await startSimulator({ version, unmanaged: false, tls: false })
      try {
        expect((await call(empty, "/api/firewall/filter/get_rule")).body.rule.sequence).toBe("101")
        const rule = await post(empty, "/api/firewall/filter/add_rule", { rule: { description: "first" } })
        expect(empty.state.rules.get(rule.body.uuid)?.["sequence"]).toBe("101")
        const dnat = await post(empty, "/api/firewall/d_nat/add_rule", {
          rule: { interface: "wan", protocol: "tcp", target: "192.0.2.10", "local-port": "443" }
        })
        expect(dnat.body.result).toBe("saved")
        expect(empty.state.dnat.get(dnat.body.uuid)?.["sequence"]).toBe("101")
      } finally {
        await empty.close()
      }
    })

    it("accepts a tag inside the XML mask and refuses one outside it", async () => {
      const ok = await post(sim, "/api/firewall/filter/add_rule", { rule: { tag: "lan.in_1-a,b" } })
      expect(ok.body.result).toBe("saved")
      const bad = await post(sim, "/api/firewall/filter/add_rule", { rule: { tag: "two words" } })
      // 26.1.11+ makes tag a StrictTextField: its space check speaks before the mask
      expect(bad.body.validations["rule.tag"]).toEqual(
        version === "26.1"
          ? "Text does not validate."
          : ["Text may not contain spaces or tabs.", "Text does not validate."]
      )
    })

    it("checks integer ranges and relation messages as the XML words them", async () => {
      const max = rule.find((f) => f.name === "max-src-conn-rate")?.maximum ?? ""
      expect(max).toBe("4294967")
      const within = await post(sim, "/api/firewall/filter/add_rule", {
        rule: { protocol: "TCP", "max-src-conn-rate": max }
      })
      expect(within.body.result).toBe("saved")
      const over = await post(sim, "/api/firewall/filter/add_rule", {
        rule: { protocol: "TCP", "max-src-conn-rate": String(Number(max) + 1) }
      })
      expect(over.body.validations["rule.max-src-conn-rate"]).toBe("Invalid integer value.")
      const overload = await post(sim, "/api/firewall/filter/add_rule", { rule: { protocol: "TCP", overload: "nope" } })
      expect(overload.body.validations["rule.overload"]).toBe("Alias not found.")
      const gateway = await post(sim, "/api/firewall/filter/add_rule", { rule: { gateway: "NOPE_GW" } })
      expect(gateway.body.validations["rule.gateway"]).toBe(
        "Specify a valid gateway from the list matching the networks ip protocol."
      )
    })

    it("takes category masks and messages from Category.xml", async () => {
      // the name mask /[^,]+/ is unanchored: only a name of commas alone fails it
      const comma = await post(sim, "/api/firewall/category/add_item", { category: { name: "a,b" } })
      expect(comma.body.result).toBe("saved")
      const commas = await post(sim, "/api/firewall/category/add_item", { category: { name: ",," } })
      expect(commas.body.validations).toEqual({ "category.name": "Text does not validate." })
      const color = await post(sim, "/api/firewall/category/add_item", { category: { name: "c", color: "12345" } })
      expect(color.body.validations).toEqual({ "category.color": "A valid color code consists of 6 hex digits." })
    })

    it("labels VLAN protocols and the blank entry as Vlan.xml does", async () => {
      const template = (await call(sim, "/api/interfaces/vlan_settings/get_item")).body.vlan
      const proto = fieldsIn(modelAt("Interfaces/Vlan", release), "vlan").find((f) => f.name === "proto")
      expect(template.proto[""].value).toBe(proto?.blankDesc)
      expect(template.proto["802.1q"].value).toBe(version === "26.1" ? "802.1Q" : "802.1q")
    })

    it("words alias refusals from Alias.xml", async () => {
      const res = await post(sim, "/api/firewall/alias/add_item", {
        alias: { name: "freq", type: "urltable", content: "https://example.com/x", updatefreq: "soon", categories: "x" }
      })
      expect(res.body.validations["alias.updatefreq"]).toBe("Days and hours should be numeric values or left empty.")
      expect(res.body.validations["alias.categories"]).toBe("Related category not found.")
    })
  })
}

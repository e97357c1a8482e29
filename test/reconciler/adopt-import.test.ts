/**
 * adoptionEdits: which live objects an import into a non-empty desired state adds, under which
 * names and where, checked through the desired state's editor, loader and the plan.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { applyEdits } from "../../src/DesiredState/Edit.ts"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { renderYaml } from "../../src/DesiredState/Render.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"
import { emptyInventory } from "../../src/Reconciler/Diff.ts"
import { adoptionEdits } from "../../src/Reconciler/Import.ts"
import { buildPlan } from "../../src/Reconciler/PlanBuilder.ts"
import { aliasSpec, lAlias, lRule, lVlan, ruleSpec, snapshot, UUID, vlanSpec } from "./fixtures.ts"

const rule = (description: string) => ruleSpec({ description, destination: { addresses: [], invert: false, port: "" } })

const live = snapshot({
  vlans: [
    lVlan(UUID(1), vlanSpec({ tag: 10 })), // adopted by "office" (parent + tag)
    lVlan(UUID(2), vlanSpec({ tag: 20, description: "office" }), undefined, "vlan02"), // name taken
    lVlan(UUID(3), vlanSpec({ tag: 30 }), "gone", "vlan03") // owned by an item that left the YAML
  ],
  aliases: [
    lAlias(UUID(11), aliasSpec("web")), // adopted by name
    lAlias(UUID(12), aliasSpec("db")),
    lAlias(UUID(13), aliasSpec("api_v2"), "api"), // claimed by "api" through its marker (renamed in YAML)
    lAlias(UUID(14), aliasSpec("api", { content: ["10.9.0.0/24"] })) // its name is that desired alias's
  ],
  rules: [
    lRule(UUID(21), rule("first"), 100),
    lRule(UUID(22), rule("two"), 200, "two"),
    lRule(UUID(23), rule("three"), 300),
    lRule(UUID(24), rule("four"), 400), // adopted by "four" (every field)
    lRule(UUID(25), rule("two again"), 500, "two"), // a second object with the marker "two"
    lRule(UUID(26), rule("four"), 600, undefined, "mvc") // same key as "four", which took UUID(24)
  ]
})

const text = `# kept by hand
${
  renderYaml({
    vlans: [{ name: "office", spec: vlanSpec({ tag: 10 }) }],
    aliases: [{ spec: aliasSpec("web") }, { spec: aliasSpec("api") }]
  })
}`
const rules = `# evaluation order
${renderYaml({ rules: [{ name: "two", spec: rule("two") }, { name: "four", spec: rule("four") }] })}`

describe("adoptionEdits", () => {
  it("adds only unclaimed objects, with free names, rules at their live place; the plan only adopts", () => {
    const files = [
      { path: "net.yaml", text: text.replace("name: api", "name: api # was api_v2") },
      { path: "rules.yaml", text: rules }
    ]
    const desired = loadSite(defaultSite, files).site
    if (desired === undefined) throw new Error("fixture does not load")
    const adoption = adoptionEdits(desired, live, emptyInventory, ["vlan", "alias", "rule"])
    expect(adoption.skipped).toEqual(expect.arrayContaining([
      expect.stringMatching(/^1 VLAN already in the desired state/),
      expect.stringMatching(/^rule two again: duplicate of .* the plan deletes it$/)
    ]))
    const edited = Effect.runSync(applyEdits(files, adoption.edits))
    expect(edited.changed).toEqual(["net.yaml", "rules.yaml"])
    const after = loadSite(defaultSite, edited.files).site
    expect(after?.vlans.map((v) => v.name)).toEqual(["office", "office-2", "gone"])
    expect(after?.aliases.map((a) => a.name)).toEqual(["web", "api", "db"])
    expect(after?.rules.map((r) => r.name)).toEqual(["first", "two", "three", "four", "four-2"])
    expect(edited.files[0]?.text).toMatch(/^# kept by hand\n/)
    expect(edited.files[0]?.text).toContain("name: api # was api_v2")
    expect(edited.files[1]?.text).toMatch(/^# evaluation order\n/)
    expect(Object.keys(adoption.inventory["rule"] ?? {})).toEqual(["first", "three", "four-2"])
    if (after === undefined) return
    const brief = (site: typeof after) =>
      buildPlan(site, live, emptyInventory, new Date("2026-01-01T00:00:00Z")).plan.changes.map((c) =>
        `${c.action} ${c.kind} ${c.name}:${c.diff?.map((d) => ` ${d.path}`).join("") ?? ""}`
      )
    const before = brief(desired)
    // what the plan showed before the import (the duplicate deleted, the renamed alias) and a marker
    // for each imported object that had none: no create, no reorder
    expect(before).toEqual(expect.arrayContaining(["delete rule two:", "update alias api: name"]))
    expect(brief(after).sort()).toEqual(
      [
        ...before.filter((c) => !c.startsWith("delete vlan gone")),
        "update alias db: owner",
        "update rule first: owner",
        "update rule four-2: owner",
        "update rule three: owner",
        "update vlan office-2: owner"
      ].sort()
    )
    // the alias named like a desired one stays out, said so
    expect(adoption.skipped).toEqual(expect.arrayContaining([expect.stringMatching(/^alias api: /)]))
  })

  it("puts rules after the desired ones when none of those is on the firewall yet", () => {
    const files = [{ path: "rules.yaml", text: renderYaml({ rules: [{ name: "new", spec: rule("new") }] }) }]
    const desired = loadSite(defaultSite, files).site
    if (desired === undefined) throw new Error("fixture does not load")
    const adoption = adoptionEdits(
      desired,
      snapshot({ rules: [lRule(UUID(31), rule("b"), 20), lRule(UUID(32), rule("a"), 10)] }),
      emptyInventory,
      ["rule"]
    )
    const after = loadSite(defaultSite, Effect.runSync(applyEdits(files, adoption.edits)).files).site
    expect(after?.rules.map((r) => r.name)).toEqual(["new", "a", "b"])
  })
})

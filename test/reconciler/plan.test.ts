import { describe, expect, it } from "vitest"
import type { DesiredSite } from "../../src/Domain/Desired.ts"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import { planProblems } from "../../src/Reconciler/Apply.ts"
import { emptyInventory, type Inventory } from "../../src/Reconciler/Diff.ts"
import { compileSteps } from "../../src/Reconciler/Order.ts"
import { buildPlan } from "../../src/Reconciler/PlanBuilder.ts"
import {
  aliasSpec,
  config,
  dAlias,
  dRule,
  dVlan,
  lAlias,
  lRule,
  lVlan,
  ruleSpec,
  site,
  snapshot,
  UUID,
  vlanSpec
} from "./fixtures.ts"

const NOW = new Date("2026-01-01T00:00:00Z")
const plan = (desired: DesiredSite, live: LiveSnapshot, inventory: Inventory = emptyInventory) =>
  buildPlan(desired, live, inventory, NOW).plan
const brief = (p: ReturnType<typeof plan>) => p.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)

describe("plan", () => {
  it("is empty when live matches desired through the markers", () => {
    const desired = site({
      vlans: [dVlan("iot", vlanSpec())],
      aliases: [dAlias(aliasSpec("iot_net"))],
      rules: [dRule("a", ruleSpec({ description: "A" })), dRule("b", ruleSpec({ log: true }))]
    })
    const live = snapshot({
      vlans: [lVlan(UUID(1), vlanSpec(), "iot")],
      aliases: [lAlias(UUID(2), aliasSpec("iot_net"), "iot_net")],
      rules: [
        lRule(UUID(3), ruleSpec({ description: "A" }), 100, "a"),
        lRule(UUID(4), ruleSpec({ log: true }), 200, "b")
      ]
    })
    const p = plan(desired, live)
    expect(p.changes).toEqual([])
    expect(p.summary).toEqual({ create: 0, update: 0, delete: 0 })
  })

  it("creates in dependency order and updates field by field", () => {
    const desired = site({
      vlans: [dVlan("iot", vlanSpec())],
      aliases: [dAlias(aliasSpec("group", { type: "networkgroup", content: ["member"] })), dAlias(aliasSpec("member"))],
      rules: [
        dRule(
          "dns",
          ruleSpec({ protocol: "UDP", destination: { addresses: ["10.0.0.53"], invert: false, port: "853" } })
        )
      ]
    })
    const live = snapshot({
      rules: [
        lRule(
          UUID(9),
          ruleSpec({ protocol: "UDP", destination: { addresses: ["10.0.0.53"], invert: false, port: "53" } }),
          100,
          "dns"
        )
      ]
    })
    const p = plan(desired, live)
    expect(brief(p)).toEqual(["create alias member", "create alias group", "create vlan iot", "update rule dns"])
    expect(p.changes[3]?.diff).toEqual([{ path: "destination.port", from: "53", to: "853" }])
    expect(p.planId).toMatch(/^[0-9a-f]{64}$/)
  })

  it("never touches unmanaged, legacy, automatic or built-in objects, unless pruning is opted in (and then only writable ones)", () => {
    const live = snapshot({
      aliases: [
        lAlias(UUID(1), aliasSpec("theirs")),
        lAlias("bogons", aliasSpec("bogons", { type: "external" }), undefined, "builtin"),
        lAlias(UUID(5), aliasSpec("__lan_network", { type: "internal" }))
      ],
      rules: [
        lRule(UUID(2), ruleSpec({ description: "hand-made" }), 50),
        lRule("0123456789abcdef0123456789abcdef", ruleSpec(), 1, undefined, "legacy"),
        lRule("fedcba9876543210fedcba9876543210", ruleSpec(), 1, undefined, "automatic")
      ]
    })
    expect(plan(site(), live).changes).toEqual([])
    const pruned = plan(site({ config: config({ pruneUnmanaged: true }) }), live)
    expect(brief(pruned)).toEqual(["delete rule hand-made", "delete alias theirs"])
    expect(pruned.changes.every((c) => c.reason?.includes("prune_unmanaged in sites.yaml"))).toBe(true)
  })

  it("deletes owned objects that left the desired state, rules before aliases, containers before members", () => {
    const live = snapshot({
      aliases: [
        lAlias(UUID(1), aliasSpec("member"), "member"),
        lAlias(UUID(2), aliasSpec("group", { type: "networkgroup", content: ["member"] }), "group")
      ],
      rules: [
        lRule(UUID(3), ruleSpec({ source: { addresses: ["group"], invert: false, port: "" } }), 100, "uses-group")
      ]
    })
    const p = plan(site(), live)
    expect(brief(p)).toEqual(["delete rule uses-group", "delete alias group", "delete alias member"])
    // no state.json record: the plan cannot tell a removed item from a marker someone wrote by hand
    expect(p.changes[0]?.reason).toContain("which is not in the desired state, and never recorded in state.json")
  })

  it("adopts an unmanaged alias by name and a VLAN by parent+tag, as updates that add the marker", () => {
    const desired = site({
      vlans: [dVlan("iot", vlanSpec({ description: "IoT" }))],
      aliases: [dAlias(aliasSpec("iot_net"))]
    })
    const live = snapshot({ vlans: [lVlan(UUID(1), vlanSpec())], aliases: [lAlias(UUID(2), aliasSpec("iot_net"))] })
    const p = plan(desired, live)
    expect(brief(p)).toEqual(["update alias iot_net", "update vlan iot"])
    expect(p.changes[0]?.diff).toEqual([{ path: "owner", from: null, to: "iot_net" }])
    expect(p.changes[1]?.diff).toEqual([{ path: "description", from: "", to: "IoT" }, {
      path: "owner",
      from: null,
      to: "iot"
    }])
    expect(p.changes.every((c) => c.reason?.startsWith("adopt"))).toBe(true)
  })

  it("matches through state.json when the marker is gone, and an equal object then needs no write", () => {
    const desired = site({ rules: [dRule("r", ruleSpec({ description: "x" }))] })
    const live = snapshot({ rules: [lRule(UUID(7), ruleSpec({ description: "x" }), 100)] })
    const p = plan(desired, live, { vlan: {}, alias: {}, rule: { r: UUID(7) } })
    expect(p.changes).toEqual([])
  })

  it("keeps one of several objects with the same marker and deletes the duplicates", () => {
    const desired = site({ rules: [dRule("r", ruleSpec())] })
    const live = snapshot({ rules: [lRule(UUID(1), ruleSpec(), 100, "r"), lRule(UUID(2), ruleSpec(), 100, "r")] })
    const p = plan(desired, live, { vlan: {}, alias: {}, rule: { r: UUID(2) } })
    expect(brief(p)).toEqual(["delete rule r"])
    expect(p.changes[0]?.uuid).toBe(UUID(1))
  })

  it("reorders by updating only the rule that moved", () => {
    const desired = site({ rules: [dRule("b", ruleSpec({ log: true })), dRule("a", ruleSpec())] })
    const live = snapshot({
      rules: [lRule(UUID(1), ruleSpec(), 100, "a"), lRule(UUID(2), ruleSpec({ log: true }), 200, "b")]
    })
    const p = plan(desired, live)
    expect(p.changes).toHaveLength(1)
    expect(p.changes[0]?.reason).toContain("reorder")
    expect(p.changes[0]?.diff?.[0]?.path).toBe("sequence")
  })

  it("compiles one reconfigure per touched subsystem after all writes", () => {
    const desired = site({
      aliases: [dAlias(aliasSpec("a")), dAlias(aliasSpec("b"))],
      rules: [dRule("r1", ruleSpec()), dRule("r2", ruleSpec({ log: true }))]
    })
    const steps = compileSteps(plan(desired, snapshot()).changes)
    expect(steps.map((s) => (s._tag === "Write" ? `${s.change.kind}` : `reconfigure ${s.subsystem}`))).toEqual([
      "alias",
      "alias",
      "rule",
      "rule",
      "reconfigure alias",
      "reconfigure rule"
    ])
  })

  it("gives a new planId when the live snapshot changes, the same one otherwise", () => {
    const desired = site({ aliases: [dAlias(aliasSpec("a"))] })
    const a = plan(desired, snapshot())
    expect(plan(desired, snapshot()).planId).toBe(a.planId)
    expect(plan(desired, snapshot({ aliases: [lAlias(UUID(1), aliasSpec("z"))] })).planId).not.toBe(a.planId)
  })
})

describe("saved plans", () => {
  it("flags a hand-edited plan whose changes cannot be executed", () => {
    const good = plan(site({ aliases: [dAlias(aliasSpec("a"))], rules: [dRule("r", ruleSpec())] }), snapshot())
    expect(planProblems(good.changes)).toEqual([])
    expect(planProblems([{ action: "create", kind: "alias", name: "a", after: { name: "a" } }])).toHaveLength(1)
    expect(planProblems([{ action: "delete", kind: "rule", name: "r" }])).toEqual(["delete rule r: no uuid"])
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import { type LiveSnapshot } from "../../src/Domain/Model.ts"
import type { Plan } from "../../src/Domain/Plan.ts"
import { AliasSpec } from "../../src/Kinds/Alias/Spec.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import { RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
import { explain, fromLive, fromPlan, lint } from "../../src/Policy.ts"
import { alias, aliasSpec, policy, rule, spec } from "./build.ts"

const snapshot: LiveSnapshot = {
  ...emptyCollections(),
  site: "edge",
  version: { major: 26, minor: 7, patch: 5, raw: "26.7.5" },
  fetchedAt: "2026-11-27T00:00:00Z",
  vlans: [],
  aliases: [{ uuid: "a-1", origin: "mvc", owner: "web", spec: aliasSpec("web", "host", ["10.1.0.10"]) }],
  rules: [
    {
      uuid: "r-1",
      origin: "mvc",
      owner: "pass-web",
      sequence: 100,
      spec: spec({ protocol: "TCP", dst: ["web"], dstPort: "443" })
    },
    { uuid: "r-2", origin: "mvc", sequence: 200, spec: { ...spec({ action: "block" }), description: "block rest" } },
    {
      uuid: "legacy-1",
      origin: "legacy",
      sequence: 1,
      spec: spec({ action: "block", interfaces: [], protocol: "UDP" })
    }
  ],
  stale: false
}

const plan = (changes: Plan["changes"]): Plan => ({
  planId: "p",
  site: "edge",
  createdAt: "2026-11-27T00:00:00Z",
  firewallVersion: "26.7.5",
  liveDigest: "d",
  changes,
  summary: { create: 0, update: 0, delete: 0 },
  warnings: [],
  blocked: []
})

const decide = (input: Parameters<typeof explain>[0], destination: string, port = 443) => {
  const r = explain(input, {
    source: "10.0.0.5",
    destination,
    protocol: "tcp",
    destinationPort: port,
    interface: "lan"
  })
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return `${r.success.decision}:${r.success.decidedBy.rule}`
}

describe("policy inputs", () => {
  it("carries the firewall's interface descriptions, so explain takes \"LAN\" for lan", () => {
    const input = fromLive({
      ...snapshot,
      interfaces: [
        { identifier: "lan", description: "LAN", device: "igb1", addresses: ["10.0.0.1/24"] },
        { identifier: "opt2", description: "GUEST", device: "vlan02", addresses: ["10.20.0.1/24"] }
      ]
    })
    expect(input.interfaceDescriptions).toEqual({ lan: "LAN", opt2: "GUEST" })
    const r = explain(input, { source: "10.20.0.5", destination: "10.1.0.10", protocol: "tcp", interface: "GUEST" })
    expect(Result.isSuccess(r) ? r.success.packet.interface : r.failure.message).toBe("opt2")
    expect(fromLive(snapshot).interfaceDescriptions).toBeUndefined()
  })

  it("names live rules by owner, else description, else uuid, and keeps their origin", () => {
    const input = fromLive(snapshot)
    expect(input.rules.map((r) => `${r.name}:${r.origin}:${r.sequence}`)).toEqual([
      "pass-web:mvc:100",
      "block rest:mvc:200",
      "legacy-1:legacy:1"
    ])
    expect(decide(input, "10.1.0.10")).toBe("pass:pass-web")
  })

  it("applies a plan's updates, creations and deletions to the live rules (what-if)", () => {
    const { input, skipped } = fromPlan(
      snapshot,
      plan([
        {
          action: "update",
          kind: "rule",
          name: "pass-web",
          uuid: "r-1",
          after: spec({ protocol: "TCP", dst: ["web"], dstPort: "8443" })
        },
        {
          action: "create",
          kind: "rule",
          name: "pass-other",
          sequence: 150,
          after: spec({ protocol: "TCP", dst: ["10.1.0.11"] })
        },
        {
          action: "update",
          kind: "alias",
          name: "web",
          uuid: "a-1",
          after: aliasSpec("web", "host", ["10.1.0.10", "10.1.0.12"])
        },
        { action: "delete", kind: "rule", name: "block rest", uuid: "r-2" },
        { action: "create", kind: "rule", name: "half-spec", after: { action: "pass" } }
      ])
    )
    expect(input.origin).toBe("plan")
    expect(skipped).toEqual(["rule half-spec: the plan does not carry its full spec and sequence"])
    expect(decide(input, "10.1.0.10", 443)).toBe("block:Default deny rule")
    expect(decide(input, "10.1.0.12", 8443)).toBe("pass:pass-web")
    expect(decide(input, "10.1.0.11", 22)).toBe("pass:pass-other")
  })
})

describe("more semantics", () => {
  it("reads port lists of legacy and automatic rules", () => {
    const input = policy([
      rule("anti-lockout", { origin: "automatic", protocol: "TCP", dst: ["10.0.0.1"], dstPort: "22,80,443" })
    ])
    expect(decide(input, "10.0.0.1", 80)).toBe("pass:anti-lockout")
    expect(decide(input, "10.0.0.1", 8080)).toBe("block:Default deny rule")
  })

  it("checks the management path from a host of the network alias it names", () => {
    const input = policy(
      [rule("block-admins", { action: "block", protocol: "TCP", src: ["10.0.0.0/24"], dst: ["(self)"] })],
      [alias("admins", "network", ["10.0.0.0/28"])],
      { management: { interface: "lan", address: "10.0.0.1", source: "admins" } }
    )
    const found = lint(input).find((f) => f.code === "management-lockout")
    expect(found?.message).toContain("tcp admins (e.g. 10.0.0.1) → 10.0.0.1:443 in on lan")
  })
})

/** fromPlan as it was first written, scanning the entries for a name: the oracle for its index */
const fromPlanByScan = (live: LiveSnapshot, p: Plan) => {
  const base = fromLive(live)
  const rules = new Map(live.rules.map((r, i) => [r.uuid, base.rules[i]!]))
  const aliases = new Map(live.aliases.map((a, i) => [a.uuid, base.aliases[i]!]))
  const find = <A extends { readonly name: string }>(map: Map<string, A>, name: string, uuid: string | undefined) =>
    uuid !== undefined && map.has(uuid) ? uuid : [...map].find(([, v]) => v.name === name)?.[0]
  for (const change of p.changes) {
    const map: Map<string, { readonly name: string }> = change.kind === "rule" ? rules : aliases
    const key = find(map, change.name, change.uuid) ?? `plan:${change.name}`
    if (change.action === "delete") map.delete(key)
    else if (change.kind === "rule") {
      const sequence = change.sequence ?? rules.get(key)?.sequence
      if (sequence !== undefined) {
        rules.set(key, {
          name: change.name,
          spec: Schema.decodeUnknownSync(RuleSpec)(change.after),
          sequence,
          origin: "mvc"
        })
      }
    } else {
      const after = Schema.decodeUnknownSync(AliasSpec)(change.after)
      aliases.set(key, { name: after.name, spec: after, origin: "mvc" })
    }
  }
  return { rules: [...rules.values()], aliases: [...aliases.values()] }
}

describe("fromPlan's name index", () => {
  // few names and uuids, so that duplicates, renames, deletions and re-creations meet often
  const name = fc.constantFrom("a", "b", "c", "d")
  const uuid = fc.constantFrom("u1", "u2", "u3", "u4", "u5")
  const liveRules = fc.array(fc.record({ uuid, name, sequence: fc.integer({ min: 1, max: 9 }) }), { maxLength: 6 })
  const liveAliases = fc.array(fc.record({ uuid, name }), { maxLength: 4 })
  const change = fc.record({
    action: fc.constantFrom("create", "update", "delete" as const),
    kind: fc.constantFrom("rule", "alias" as const),
    name,
    uuid: fc.option(uuid, { nil: undefined }),
    sequence: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
    aliasName: name
  })

  it("finds the same entry for every change as scanning the entries did", () => {
    fc.assert(
      fc.property(liveRules, liveAliases, fc.array(change, { maxLength: 12 }), (rs, as, cs) => {
        const live: LiveSnapshot = {
          ...snapshot,
          // a rule without owner is named by its description: both ways of naming are exercised
          rules: rs.map((r, i) => ({
            uuid: r.uuid,
            origin: "mvc",
            sequence: r.sequence,
            ...(i % 2 === 0 ? { owner: r.name } : {}),
            spec: { ...spec({ dstPort: String(i + 1), protocol: "TCP" }), description: r.name }
          })),
          aliases: as.map((a, i) => ({
            uuid: a.uuid,
            origin: "mvc",
            spec: aliasSpec(a.name, "host", [`10.0.0.${i + 1}`])
          }))
        }
        const changes: Plan["changes"] = cs.map((c, i) => ({
          action: c.action,
          kind: c.kind,
          name: c.name,
          ...(c.uuid !== undefined ? { uuid: c.uuid } : {}),
          ...(c.kind === "rule" && c.sequence !== undefined ? { sequence: c.sequence } : {}),
          ...(c.action === "delete"
            ? {}
            : {
              after: c.kind === "rule"
                ? spec({ dstPort: String(100 + i), protocol: "TCP" })
                : aliasSpec(c.aliasName, "host", [`10.9.0.${i + 1}`])
            })
        }))
        const { input } = fromPlan(live, plan(changes))
        const expected = fromPlanByScan(live, plan(changes))
        expect(input.rules.map((r) => ({ name: r.name, spec: r.spec, sequence: r.sequence, origin: r.origin })))
          .toEqual(expected.rules.map((r) => ({ name: r.name, spec: r.spec, sequence: r.sequence, origin: r.origin })))
        expect(input.aliases.map((a) => a.spec)).toEqual(expected.aliases.map((a) => a.spec))
      }),
      { numRuns: 2000, seed: 11 }
    )
  })
})

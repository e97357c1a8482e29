/**
 * Property: a rule that lint reports as shadowed or redundant never decides anything, so deleting
 * it leaves the decision unchanged for every packet. Rule sets and packets are drawn from a small
 * universe (a few overlapping networks, ports and interfaces) so that coverage happens often.
 */
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import { normalizeProtocol } from "../../src/Domain/Normalize.ts"
import { compile, decidePacket, explain, lint, type Packet, type PolicyInput } from "../../src/Policy.ts"
import { orderFindings } from "../../src/Policy/Lint/Rules.ts"
import { aliases, ruleOptions } from "./arbitraries.ts"
import { policy, rule, type RuleOptions } from "./build.ts"

const host = fc.constantFrom("10.0.1.5", "10.0.1.200", "10.0.2.7", "10.0.2.9", "10.0.0.3", "10.0.3.1", "192.0.2.10")
const packet: fc.Arbitrary<Packet> = fc
  .record({
    source: host,
    destination: host,
    protocol: fc.constantFrom("tcp", "udp", "icmp"),
    sourcePort: fc.constantFrom(22, 1024, 1025, 40000),
    destinationPort: fc.constantFrom(22, 53, 80, 443, 1000, 1500, 8080, 9000),
    interface: fc.constantFrom("lan", "opt1", "wan"),
    direction: fc.constantFrom("in", "out" as const)
  })
  .map((p): Packet =>
    p.protocol === "icmp"
      ? {
        source: p.source,
        destination: p.destination,
        protocol: p.protocol,
        interface: p.interface,
        direction: p.direction
      }
      : p
  )

const decisions = (input: PolicyInput, packets: ReadonlyArray<Packet>) => {
  const compiled = compile(input)
  return packets.map((p) => {
    const d = decidePacket(compiled, p)
    if (Result.isFailure(d)) throw new Error(d.failure.message)
    return d.success.action
  })
}

/**
 * Rule sets built around a pair: a rule and, later, a wider copy of it (same action), with random
 * rules before, between and after. This makes "redundant with a later rule" and the rules between
 * that forbid it common, which uniform random sets rarely produce.
 */
const widened = (
  o: RuleOptions,
  widen: { readonly src: boolean; readonly dst: boolean; readonly port: boolean; readonly iface: boolean }
): RuleOptions => ({
  ...o,
  ...(widen.src ? { src: [], srcNot: false } : {}),
  ...(widen.dst ? { dst: [], dstNot: false } : {}),
  ...(widen.port ? { dstPort: "" } : {}),
  ...(widen.iface ? { interfaces: [], interfaceInvert: false } : {})
})
const pairedSets: fc.Arbitrary<ReadonlyArray<RuleOptions>> = fc
  .record({
    before: fc.array(ruleOptions, { maxLength: 3 }),
    base: ruleOptions,
    between: fc.array(ruleOptions, { maxLength: 3 }),
    widen: fc.record({ src: fc.boolean(), dst: fc.boolean(), port: fc.boolean(), iface: fc.boolean() }),
    after: fc.array(ruleOptions, { maxLength: 2 })
  })
  .map((g) => [...g.before, g.base, ...g.between, widened(g.base, g.widen), ...g.after])

// the firewall of this universe has lan, wan and opt1 (explain refuses a packet on an interface it does not know)
const universe = { lan: { networks: ["10.0.1.0/24"], addresses: ["10.0.1.1"] }, opt1: {} }

const ruleSets = fc.oneof(fc.array(ruleOptions, { minLength: 2, maxLength: 14 }), pairedSets)

describe("shadowed and redundant rules", () => {
  it("never change a decision when removed", () => {
    let checked = 0
    fc.assert(
      fc.property(ruleSets, fc.array(packet, { minLength: 40, maxLength: 40 }), (options, packets) => {
        const rules = options.map((o, i) => rule(`r${i}`, o))
        const input = policy(rules, aliases, { interfaces: universe })
        const before = decisions(input, packets)
        const dead = lint(input).filter((f) => f.code === "shadowed-rule" || f.code === "redundant-rule")
        for (const finding of dead) {
          checked++
          const without = { ...input, rules: input.rules.filter((r) => r.name !== finding.name) }
          expect(decisions(without, packets), `removing ${finding.name}: ${finding.message}`).toEqual(before)
        }
      }),
      { numRuns: 1000, seed: 20261127 }
    )
    // the property is only meaningful if the generator produces dead rules
    expect(checked).toBeGreaterThan(100)
  })
})

describe("the indexed fast path", () => {
  it("decides exactly as the explained path", () => {
    fc.assert(
      fc.property(ruleSets, fc.array(packet, { minLength: 20, maxLength: 20 }), (options, packets) => {
        const built = policy(options.map((o, i) => rule(`r${i}`, o)), aliases)
        const input = { ...built, interfaces: { ...built.interfaces, opt1: {} } }
        const compiled = compile(input)
        for (const p of packets) {
          const fast = decidePacket(compiled, p)
          const slow = explain(compiled, p)
          if (Result.isFailure(fast) || Result.isFailure(slow)) throw new Error("packet rejected")
          const decider = slow.success.decidedBy.kind === "rule" ? slow.success.decidedBy.rule : undefined
          expect({ action: fast.success.action, rule: fast.success.rule }).toEqual({
            action: slow.success.decision,
            rule: decider
          })
          // the explanation accounts for every rule, and lists the index's candidates up to the decision
          const e = slow.success
          const { interface: byInterface, direction: byDirection, protocol: byProtocol } = e.excluded
          expect(e.steps.length + byInterface + byDirection + byProtocol + e.notConsidered).toBe(compiled.rules.length)
          const iface = p.interface ?? e.interface
          if (iface !== undefined) {
            const reached = compiled.rules.length - e.notConsidered
            const candidates = compiled.candidates(iface, p.direction ?? "in", normalizeProtocol(p.protocol))
            expect(e.steps.filter((s) => s.enabled).map((s) => s.rule)).toEqual(
              candidates.filter((r) => r.position < reached).map((r) => r.rule.name)
            )
          }
        }
      }),
      { numRuns: 300, seed: 7 }
    )
  })
})

describe("the lint index", () => {
  it("finds exactly what comparing every pair of rules finds", () => {
    fc.assert(
      fc.property(ruleSets, (options) => {
        const compiled = compile(policy(options.map((o, i) => rule(`r${i}`, o)), aliases))
        expect(orderFindings(compiled)).toEqual(orderFindings(compiled, { indexed: false }))
      }),
      { numRuns: 500, seed: 11 }
    )
  })
})

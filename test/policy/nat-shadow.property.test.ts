/**
 * Property: a NAT entry lint reports as shadowed never takes a packet. For random port forwards,
 * 1:1 entries and outbound NAT rules over a small universe, and random packets:
 * - shadowed-forward / shadowed-one-to-one: removing the entry leaves every inbound packet's
 *   translation (explain's NAT step) as it was;
 * - shadowed-one-to-one / shadowed-outbound-nat: no outbound packet is taken by the entry, with pf's
 *   outbound order (every binat first, then the nat rules in order: outbound NAT, then 1:1 entries
 *   of type nat), evaluated here with the entries' own match conditions. Packets any entry only
 *   "may" match are left out.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import type { OutboundNatSpec } from "../../src/Kinds/OutboundNat/Spec.ts"
import { compile, type Finding, lint, type Packet, type PolicyInput } from "../../src/Policy.ts"
import { type CompiledRule, excludedBy } from "../../src/Policy/Compile.ts"
import { matchRule, MAYBE, YES } from "../../src/Policy/Evaluate.ts"
import { oneToOnesOf, translate } from "../../src/Policy/Nat.ts"
import { compilePacket } from "../../src/Policy/Packet.ts"
import { outboundNatOf } from "../../src/Policy/SourceNat.ts"
import { outboundNatSpec } from "../support/outbound-nat.ts"
import { aliases, forwardOptions, oneToOneOptions } from "./arbitraries.ts"
import { policy } from "./build.ts"

const outboundOptions: fc.Arbitrary<OutboundNatSpec> = fc
  .record({
    enabled: fc.constantFrom(true, true, true, false),
    noNat: fc.constantFrom(false, false, false, true),
    iface: fc.constantFrom("wan", "wan", "wan", "lan"),
    protocol: fc.constantFrom("any", "any", "TCP", "UDP"),
    source: fc.constantFrom("", "10.0.1.0/24", "10.0.1.5", "10.0.1.16/28", "hosts", "10.0.0.0/16"),
    dstPort: fc.constantFrom("", "", "443", "1000-2000")
  })
  .map((o): OutboundNatSpec =>
    outboundNatSpec({
      enabled: o.enabled,
      noNat: o.noNat,
      interface: o.iface,
      protocol: o.protocol,
      source: { address: o.source, invert: false, port: "" },
      destination: { address: "", invert: false, port: o.protocol === "any" ? "" : o.dstPort }
    })
  )

const inside = fc.constantFrom("10.0.1.5", "10.0.1.20", "10.0.1.200", "10.0.2.7", "10.0.0.3")
const outside = fc.constantFrom("198.51.100.7", "192.0.2.1", "192.0.2.10", "192.0.2.20", "192.0.2.40", "203.0.113.9")
const packetOf = (direction: "in" | "out") =>
  fc.record({
    source: direction === "in" ? outside : inside,
    destination: direction === "in" ? outside : fc.oneof(outside, inside),
    protocol: fc.constantFrom("tcp", "udp"),
    destinationPort: fc.constantFrom(22, 80, 443, 1500, 8080),
    interface: fc.constantFrom("wan", "wan", "lan")
  }).map((p): Packet => ({ ...p, sourcePort: 40000, direction }))

const universe = {
  lan: { networks: ["10.0.1.0/24"], addresses: ["10.0.1.1"] },
  opt1: {},
  wan: { networks: ["192.0.2.0/24"], addresses: ["192.0.2.1"] }
}

const ordered = <S>(prefix: string, specs: ReadonlyArray<S>) =>
  specs.map((spec, i) => ({ name: `${prefix}${i}`, spec, sequence: i + 1, origin: "mvc" as const }))

const shadowedNames = (findings: ReadonlyArray<Finding>, code: Finding["code"]) =>
  findings.filter((f) => f.code === code).map((f) => f.name!)

/** explain's NAT step for an inbound packet, as a comparable text */
const translationOf = (input: PolicyInput, p: Packet): string => {
  const policy = compile(input)
  const c = compilePacket(policy, p)
  if (c._tag === "Invalid") throw new Error(c.problems.join("; "))
  const t = translate(policy, c.packet)?.translation
  return t === undefined ? "none" : `${t.outcome} ${t.forward ?? ""} ${t.destination ?? ""}:${t.destinationPort ?? ""}`
}

/** the entry pf's outbound order gives a packet: every binat, then the nat rules; undefined when unsure */
const outboundTaker = (input: PolicyInput, p: Packet): string | undefined | "unsure" => {
  const policy = compile(input)
  const c = compilePacket(policy, p)
  if (c._tag === "Invalid") throw new Error(c.problems.join("; "))
  const binats = oneToOnesOf(policy).filter((b) => b.entry.spec.enabled)
  const candidates: ReadonlyArray<{ readonly name: string; readonly match: CompiledRule }> = [
    ...binats.filter((b) => b.entry.spec.type === "binat").map((b) => ({ name: b.entry.name, match: b.outbound })),
    ...outboundNatOf(policy).filter((r) => r.entry.spec.enabled).map((r) => ({ name: r.entry.name, match: r.match })),
    ...binats.filter((b) => b.entry.spec.type === "nat").map((b) => ({ name: b.entry.name, match: b.outbound }))
  ]
  for (const { match, name } of candidates) {
    if (excludedBy(match, c.packet.interface, "out", c.packet.protocol) !== undefined) continue
    const m = matchRule(match, c.packet, [])
    if (m === MAYBE) return "unsure"
    if (m === YES) return name
  }
  return undefined
}

describe("shadowed NAT entries", () => {
  it("never take a packet", () => {
    const shadowed = { forwards: 0, oneToOne: 0, outbound: 0 }
    fc.assert(
      fc.property(
        fc.array(forwardOptions, { maxLength: 4 }),
        fc.array(oneToOneOptions, { maxLength: 4 }),
        fc.array(outboundOptions, { maxLength: 4 }),
        fc.array(packetOf("in"), { minLength: 15, maxLength: 15 }),
        fc.array(packetOf("out"), { minLength: 15, maxLength: 15 }),
        (forwards, oneToOne, outbound, inbound, leaving) => {
          const input = policy([], aliases, {
            interfaces: universe,
            portForwards: ordered("f", forwards),
            oneToOne: ordered("b", oneToOne),
            outboundNat: ordered("o", outbound)
          })
          const findings = lint(input)
          const deadForwards = shadowedNames(findings, "shadowed-forward")
          const deadOneToOne = shadowedNames(findings, "shadowed-one-to-one")
          const deadOutbound = shadowedNames(findings, "shadowed-outbound-nat")
          shadowed.forwards += deadForwards.length
          shadowed.oneToOne += deadOneToOne.length
          shadowed.outbound += deadOutbound.length
          for (const name of deadForwards) {
            const without = { ...input, portForwards: input.portForwards!.filter((f) => f.name !== name) }
            for (const p of inbound) expect(translationOf(without, p), name).toBe(translationOf(input, p))
          }
          for (const name of deadOneToOne) {
            const without = { ...input, oneToOne: input.oneToOne!.filter((e) => e.name !== name) }
            for (const p of inbound) expect(translationOf(without, p), name).toBe(translationOf(input, p))
          }
          for (const p of leaving) {
            const taker = outboundTaker(input, p)
            if (taker === "unsure" || taker === undefined) continue
            expect([...deadOneToOne, ...deadOutbound], JSON.stringify(p)).not.toContain(taker)
          }
        }
      ),
      { numRuns: 400, seed: 20261208 }
    )
    // the property means something only if each kind of shadowing happens
    expect(shadowed.forwards).toBeGreaterThan(5)
    expect(shadowed.oneToOne).toBeGreaterThan(20)
    expect(shadowed.outbound).toBeGreaterThan(50)
  })
})

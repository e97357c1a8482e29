/**
 * Property: an intent reported as held is never contradicted by `explain` on any packet it
 * describes, and a violation's example packet gets the other decision from `explain`, decided by
 * the same rule (or port forward), after the same translation. Rule sets, port forwards and intents
 * are drawn from a small universe of overlapping networks, ports and interfaces so that both
 * verdicts are common, and so are packets that a port forward translates first.
 */
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import type { Intent } from "../../src/Domain/Intent.ts"
import { compile, explain, type Packet } from "../../src/Policy.ts"
import { evaluateIntent } from "../../src/Policy/Intents.ts"
import { formatIp } from "../../src/Policy/Packet.ts"
import * as R from "../../src/Policy/Ranges.ts"
import { aliases, forwardOptions, oneToOneOptions, ruleOptions } from "./arbitraries.ts"
import { policy, rule } from "./build.ts"

const endpoint = fc.constantFrom(
  "10.0.1.0/24",
  "10.0.1.5",
  "10.0.1.200",
  "10.0.0.0/16",
  "10.0.2.0/24",
  "10.0.1.128/25",
  "hosts",
  "nets",
  "group",
  "lan",
  "any",
  "192.0.2.0/28",
  "wanip",
  "192.0.2.1"
)

const general = fc
  .record({
    from: endpoint,
    to: endpoint,
    protocol: fc.constantFrom(undefined, "tcp", "tcp", "udp", "icmp", "tcp/udp"),
    port: fc.constantFrom(undefined, undefined, "22", "80", "443", "8080", "1-1024", "1000-2000", "ports"),
    interface: fc.constantFrom(undefined, undefined, "lan", "opt1", "wan"),
    expect: fc.constantFrom("pass", "block" as const)
  })

/** traffic from outside to the WAN address, which port forwards translate */
const inbound = fc.record({
  from: fc.constantFrom("any", "198.51.100.0/24", "192.0.2.0/28", "hosts"),
  to: fc.constantFrom("wanip", "wanip", "192.0.2.1", "192.0.2.0/28", "192.0.2.10", "192.0.2.16/28", "192.0.2.0/26"),
  protocol: fc.constantFrom(undefined, "tcp", "tcp", "udp", "tcp/udp"),
  port: fc.constantFrom(undefined, "22", "80", "443", "8080", "1000-2000", "1500", "ports"),
  interface: fc.constantFrom(undefined, "wan", "wan", "lan"),
  expect: fc.constantFrom("pass", "block" as const)
})

const intent: fc.Arbitrary<Intent> = fc
  .oneof(general, inbound)
  .map((i): Intent => ({
    name: "property",
    from: i.from,
    to: i.to,
    expect: i.expect,
    ...(i.protocol !== undefined ? { protocol: i.protocol } : {}),
    ...(i.port !== undefined && i.protocol !== "icmp" ? { port: i.port } : {}),
    ...(i.interface !== undefined ? { interface: i.interface } : {})
  }))

const universe = {
  lan: { networks: ["10.0.1.0/24"], addresses: ["10.0.1.1"] },
  opt1: {},
  wan: { networks: ["192.0.2.0/24"], addresses: ["192.0.2.1"] }
}

const category = (action: string) => (action === "pass" ? "pass" : "block")

/** the `n`-th value of a range set, wrapping */
const pick = (ranges: R.Ranges, n: bigint): bigint | undefined => {
  const total = ranges.reduce((s, r) => s + (r.hi - r.lo + 1n), 0n)
  if (total === 0n) return undefined
  let k = n % total
  for (const r of ranges) {
    const size = r.hi - r.lo + 1n
    if (k < size) return r.lo + k
    k -= size
  }
  return undefined
}

const nat = fc.record({
  forwards: fc.array(forwardOptions, { minLength: 0, maxLength: 3 }),
  oneToOne: fc.array(oneToOneOptions, { minLength: 0, maxLength: 2 })
})

const draws = fc.array(
  fc.record({
    s: fc.bigInt({ min: 0n, max: 1n << 40n }),
    d: fc.bigInt({ min: 0n, max: 1n << 40n }),
    p: fc.nat(),
    sp: fc.integer({ min: 1, max: 65535 }),
    dp: fc.bigInt({ min: 0n, max: 1n << 20n })
  }),
  { minLength: 30, maxLength: 30 }
)

describe("intent verdicts agree with explain", () => {
  it("held: every packet of the intent gets the expected decision; violated: its packet gets the other one", () => {
    let held = 0
    let violated = 0
    let translated = 0
    let heldWithForwards = 0
    let heldTranslated = 0
    let viaOneToOne = 0
    let heldOneToOne = 0
    fc.assert(
      fc.property(
        fc.array(ruleOptions, { minLength: 1, maxLength: 12 }),
        nat,
        intent,
        draws,
        (options, { forwards: fs, oneToOne }, i, picks) => {
          const input = policy(options.map((o, n) => rule(`r${n}`, o)), aliases, {
            interfaces: universe,
            portForwards: fs.map((spec, n) => ({
              name: `f${n}`,
              spec,
              sequence: n + 1,
              origin: "mvc" as const,
              source: { file: "nat.yaml", line: n + 1, column: 5 }
            })),
            oneToOne: oneToOne.map((spec, k) => ({
              name: `b${k}`,
              spec,
              sequence: k + 1,
              origin: "mvc" as const,
              source: { file: "nat.yaml", line: 50 + k, column: 5 }
            }))
          })
          const compiled = compile(input)
          const e = evaluateIntent(compiled, i)
          if (e._tag === "Invalid") return
          const result = e.result
          if (result.verdict === "violated") {
            violated++
            const x = explain(compiled, result.packet! as Packet)
            if (Result.isFailure(x)) throw new Error(x.failure.message)
            expect(category(x.success.decision)).not.toBe(i.expect)
            expect(x.success.decidedBy.rule).toBe(result.decidedBy?.rule)
            expect(x.success.decidedBy.kind).toBe(result.decidedBy?.kind)
            const viaExplain = x.success.translation?.outcome === "translated"
              ? x.success.translation.forward
              : undefined
            expect(viaExplain).toBe(result.translation?.forward)
            if (result.translation !== undefined) translated++
            if (result.translation?.kind === "one_to_one_nat") viaOneToOne++
            return
          }
          if (result.verdict !== "held") return
          held++
          if (fs.some((f) => f.enabled)) heldWithForwards++
          const any = (text: string) => text === "any"
          const from = any(i.from) ? { v4: R.full(R.V4_MAX), v6: [] } : compiled.resolver.addresses([i.from])
          const to = any(i.to) ? { v4: R.full(R.V4_MAX), v6: [] } : compiled.resolver.addresses([i.to])
          const ports = i.port === undefined ? [{ lo: 1n, hi: 65535n }] : compiled.resolver.port(i.port).ranges
          const protocols = i.protocol === undefined
            ? (i.port === undefined ? ["tcp", "udp", "icmp", "gre", "esp"] : ["tcp", "udp"])
            : i.protocol === "tcp/udp"
            ? ["tcp", "udp"]
            : [i.protocol]
          for (const d of picks) {
            const s = pick(from.v4, d.s)
            const t = pick(to.v4, d.d)
            const dp = pick(ports.filter((r) => r.hi >= 1n), d.dp)
            if (s === undefined || t === undefined || dp === undefined) continue
            const protocol = protocols[d.p % protocols.length]!
            const withPorts = protocol === "tcp" || protocol === "udp"
            const packet: Packet = {
              source: formatIp({ family: 4, value: s }),
              destination: formatIp({ family: 4, value: t }),
              protocol,
              ...(withPorts ? { sourcePort: d.sp, destinationPort: Number(dp < 1n ? 1n : dp) } : {}),
              ...(i.interface !== undefined ? { interface: i.interface } : {})
            }
            const x = explain(compiled, packet)
            if (Result.isFailure(x)) throw new Error(x.failure.message)
            expect(category(x.success.decision), `${JSON.stringify(i)} held, but ${JSON.stringify(packet)}`).toBe(
              i.expect
            )
            if (x.success.translation?.outcome === "translated") heldTranslated++
            if (x.success.translation?.kind === "one_to_one_nat") heldOneToOne++
          }
        }
      ),
      { numRuns: 3000, seed: 20261208 }
    )
    // the property means something only if both verdicts are common
    expect(held).toBeGreaterThan(100)
    expect(violated).toBeGreaterThan(100)
    // and only if port forwards take part in both
    expect(heldWithForwards).toBeGreaterThan(50)
    expect(translated).toBeGreaterThan(30)
    expect(heldTranslated).toBeGreaterThan(30)
    expect(viaOneToOne).toBeGreaterThan(10)
    expect(heldOneToOne).toBeGreaterThan(10)
  })
})

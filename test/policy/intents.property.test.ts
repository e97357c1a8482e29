/**
 * Property: an intent reported as held is never contradicted by `explain` on any packet it
 * describes, and a violation's example packet gets the other decision from `explain`, decided by
 * the same rule. Rule sets and intents are drawn from a small universe of overlapping networks,
 * ports and interfaces so that both verdicts are common.
 */
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import type { Intent } from "../../src/Domain/Intent.ts"
import { compile, explain, type Packet } from "../../src/Policy.ts"
import { evaluateIntent } from "../../src/Policy/Intents.ts"
import { formatIp } from "../../src/Policy/Packet.ts"
import * as R from "../../src/Policy/Ranges.ts"
import { aliases, ruleOptions } from "./arbitraries.ts"
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
  "192.0.2.0/28"
)

const intent: fc.Arbitrary<Intent> = fc
  .record({
    from: endpoint,
    to: endpoint,
    protocol: fc.constantFrom(undefined, "tcp", "tcp", "udp", "icmp", "tcp/udp"),
    port: fc.constantFrom(undefined, undefined, "22", "80", "1-1024", "1000-2000", "ports"),
    interface: fc.constantFrom(undefined, undefined, "lan", "opt1"),
    expect: fc.constantFrom("pass", "block" as const)
  })
  .map((i): Intent => ({
    name: "property",
    from: i.from,
    to: i.to,
    expect: i.expect,
    ...(i.protocol !== undefined ? { protocol: i.protocol } : {}),
    ...(i.port !== undefined && i.protocol !== "icmp" ? { port: i.port } : {}),
    ...(i.interface !== undefined ? { interface: i.interface } : {})
  }))

const universe = { lan: { networks: ["10.0.1.0/24"], addresses: ["10.0.1.1"] }, opt1: {} }

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
    fc.assert(
      fc.property(fc.array(ruleOptions, { minLength: 1, maxLength: 12 }), intent, draws, (options, i, picks) => {
        const input = policy(options.map((o, n) => rule(`r${n}`, o)), aliases, { interfaces: universe })
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
          return
        }
        if (result.verdict !== "held") return
        held++
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
        }
      }),
      { numRuns: 1500, seed: 20261208 }
    )
    // the property means something only if both verdicts are common
    expect(held).toBeGreaterThan(100)
    expect(violated).toBeGreaterThan(100)
  })
})

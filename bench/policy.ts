/**
 * Policy benchmark: 10,000 rules (default; `node bench/policy.ts 20000`), printed as JSON.
 * Targets: one packet against the whole set well under 5 ms, decided or explained; lint of the whole
 * set under 2 s.
 * Two shapes: rules spread over 20 interfaces (realistic) and all rules on one interface (worst case
 * for the per-interface index, every rule is examined).
 */
import { Result } from "effect"
import type { AliasSpec } from "../src/Kinds/Alias/Spec.ts"
import type { RuleSpec } from "../src/Kinds/Rule/Spec.ts"
import { compile, decidePacket, explain, lint, type Packet, type PolicyInput } from "../src/Policy.ts"
import { median, percentile, round, timeSync as time } from "./lib/Report.ts"

const count = Number(process.argv[2] ?? 10_000)

// deterministic pseudo-random numbers (mulberry32) so runs compare
let seed = 42
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(random() * xs.length)]!
const octet = () => Math.floor(random() * 254) + 1

const aliasSpec = (name: string, type: AliasSpec["type"], content: ReadonlyArray<string>): AliasSpec => ({
  name,
  type,
  content,
  enabled: true,
  description: "",
  categories: [],
  updateFrequency: ""
})

const build = (interfaces: ReadonlyArray<string>): PolicyInput => {
  const aliases = [
    ...Array.from(
      { length: 200 },
      (_, i) => aliasSpec(`hosts_${i}`, "host", Array.from({ length: 5 }, () => `10.${octet()}.${octet()}.${octet()}`))
    ),
    ...Array.from({ length: 50 }, (_, i) => aliasSpec(`group_${i}`, "networkgroup", [`hosts_${i}`, `hosts_${i + 50}`])),
    ...Array.from(
      { length: 50 },
      (_, i) => aliasSpec(`ports_${i}`, "port", [String(1000 + i), `${2000 + i * 10}:${2005 + i * 10}`])
    ),
    aliasSpec("geo", "geoip", ["CN"])
  ]
  // destinations are always specific, so a packet to an unknown host walks every rule (worst case)
  const address = (anyAllowed: boolean) =>
    pick<() => ReadonlyArray<string>>([
      () => (anyAllowed ? [] : [`10.${octet()}.${octet()}.0/24`]),
      () => [`10.${octet()}.${octet()}.${octet()}`],
      () => [`10.${octet()}.${octet()}.0/24`],
      () => [`hosts_${Math.floor(random() * 200)}`],
      () => [`group_${Math.floor(random() * 50)}`],
      () => ["geo"]
    ])()
  const rules = Array.from({ length: count }, (_, i) => {
    const protocol = pick(["TCP", "UDP", "TCP/UDP", "any", "ICMP"])
    const ports = protocol === "TCP" || protocol === "UDP" || protocol === "TCP/UDP"
    const spec: RuleSpec = {
      enabled: random() > 0.02,
      action: pick(["pass", "pass", "block", "reject"] as const),
      quick: random() > 0.1,
      interfaces: random() > 0.03 ? [pick(interfaces)] : [],
      interfaceInvert: false,
      direction: pick(["in", "in", "in", "out", "any"] as const),
      ipVersion: "inet",
      protocol,
      source: { addresses: address(true), invert: random() > 0.95, port: "" },
      destination: {
        addresses: address(false),
        invert: false,
        port: ports
          ? pick([
            "",
            "443",
            "80",
            "8000-8080",
            `ports_${Math.floor(random() * 50)}`,
            String(1 + Math.floor(random() * 65535))
          ])
          : ""
      },
      log: random() > 0.5,
      gateway: "",
      description: "",
      categories: []
    }
    return { name: `rule-${i}`, spec, sequence: i + 1, origin: "mvc" as const }
  })
  return {
    site: "bench",
    origin: "desired",
    rules,
    aliases: aliases.map((spec) => ({ name: spec.name, spec, origin: "mvc" as const })),
    interfaces: Object.fromEntries(
      interfaces.map((name, i) => [name, { networks: [`10.${i}.0.0/16`], addresses: [`10.${i}.0.1`] }])
    ),
    management: { interface: interfaces[0]!, address: "10.0.0.1", port: 443 }
  }
}

const measure = (label: string, interfaces: ReadonlyArray<string>) => {
  const input = build(interfaces)
  const compiled = time(() => compile(input))
  const policy = compiled.result
  const packets: Array<Packet> = Array.from({ length: 2000 }, () => ({
    source: `10.${octet()}.${octet()}.${octet()}`,
    destination: `10.${octet()}.${octet()}.${octet()}`,
    protocol: pick(["tcp", "udp"]),
    destinationPort: 1 + Math.floor(random() * 65535),
    interface: pick(interfaces),
    direction: "in" as const
  }))
  // a packet no rule matches walks every rule on its interface: the worst case
  const unmatched: Packet = {
    source: "203.0.113.9",
    destination: "198.51.100.9",
    protocol: "tcp",
    destinationPort: 65000,
    interface: interfaces[0]!,
    direction: "in"
  }
  for (const p of packets.slice(0, 100)) decidePacket(policy, p) // warm up
  const decideAll = time(() => packets.map((p) => decidePacket(policy, p)))
  const worst = time(() => Array.from({ length: 50 }, () => decidePacket(policy, unmatched)))
  // the first explain also builds the index of rules applicable to its interface, direction and
  // protocol (once per compiled policy); the figure is the median of the calls after it, each timed
  // alone and its result dropped, so that the bench's own garbage does not count
  const explainedFirst = time(() => explain(policy, unmatched))
  const explainTimes = Array.from({ length: 101 }, () => time(() => explain(policy, unmatched)).ms)
  const lintRun = time(() => lint(policy))
  const findings: Record<string, number> = {}
  for (const f of lintRun.result) findings[f.code] = (findings[f.code] ?? 0) + 1
  return {
    shape: label,
    rules: input.rules.length,
    interfaces: interfaces.length,
    compileMs: round(compiled.ms, 3),
    decideAvgMs: round(decideAll.ms / packets.length, 3),
    decideWorstMs: round(worst.ms / 50, 3),
    explainFirstMs: round(explainedFirst.ms, 3),
    explainWorstMs: round(median(explainTimes), 3),
    explainP90Ms: round(percentile(explainTimes, 90), 3),
    explainSteps: Result.isSuccess(explainedFirst.result) ? explainedFirst.result.success.steps.length : -1,
    lintMs: round(lintRun.ms, 3),
    findings
  }
}

const spread = Array.from({ length: 20 }, (_, i) => (i === 0 ? "lan" : i === 1 ? "wan" : `opt${i - 1}`))
// `node bench/policy.ts N [spread|one]`: one shape per process keeps one's JIT and GC history out
// of the other's figures (bench/run.ts runs each on its own); both when no shape is named
const shape = process.argv[3]
const results = [
  ...(shape === undefined || shape === "spread" ? [measure("20 interfaces", spread)] : []),
  ...(shape === undefined || shape === "one" ? [measure("one interface", ["lan"])] : [])
]
const ok = results.every((r) => r.decideWorstMs < 5 && r.explainWorstMs < 5 && r.lintMs < 2000)
process.stdout.write(
  `${
    JSON.stringify({ benchmark: "policy", targets: { decideMs: 5, explainMs: 5, lintMs: 2000 }, ok, results }, null, 2)
  }\n`
)

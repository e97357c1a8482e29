/**
 * Intents checked against a rule set. An intent describes a set of packets (from × to × protocol ×
 * port); it holds when every one of them gets the expected decision for certain. The set is cut
 * into classes the rules cannot tell apart: address and port ranges are split wherever a rule's
 * address or port set (or an interface network, which decides the inferred interface) begins or
 * ends, so one packet per class, evaluated with pf semantics exactly as `explain` does, speaks for
 * the whole class. Destination NAT comes first, as in pf (Nat.ts): the match fields of the port
 * forwards and 1:1 NAT entries cut the classes too, and so does every filter rule's port or
 * address boundary carried back through a forward's port shift or a 1:1 subnet mapping, so a class
 * is translated as one and its translated packets fall into one class of the filter rules. A
 * violation names the packet, the entry that translated it, and what decides it.
 */
import { protocols as knownProtocols } from "../DesiredState/Names.ts"
import type { Intent, IntentPacket, IntentResult } from "../Domain/Intent.ts"
import { normalizePort, normalizeProtocol } from "../Domain/Normalize.ts"
import type { RuleAction } from "../Kinds/Rule/Spec.ts"
import type { CompiledPolicy, CompiledRule } from "./Compile.ts"
import { defaultRule, matchFast, MAYBE, NO, YES } from "./Evaluate.ts"
import {
  type CompiledForward,
  type CompiledOneToOne,
  DECIDING_KINDS,
  type Entry,
  forwardDecides,
  forwardsOf,
  oneToOnesOf,
  translate,
  type Translated
} from "./Nat.ts"
import { type CompiledPacket, compilePacket, formatIp } from "./Packet.ts"
import * as R from "./Ranges.ts"
import { type AddressSet, ANY_ADDRESS, makeResolver, type Resolver } from "./Resolve.ts"

export type IntentEvaluation =
  | { readonly _tag: "Evaluated"; readonly result: IntentResult }
  | { readonly _tag: "Invalid"; readonly intent: Intent; readonly problems: ReadonlyArray<string> }

export interface IntentOptions {
  /** packet classes × rules evaluated at most before the intent is reported as too wide (unknown) */
  readonly maxWork?: number
}

const DEFAULT_MAX_WORK = 50_000_000
const PORTS: R.Interval = { lo: 1n, hi: R.PORT_MAX }
const PORT_PROTOCOLS: ReadonlySet<string> = new Set(["TCP", "UDP"])

/** "pass" or "block": reject blocks too */
const category = (action: string): "pass" | "block" => (action === "pass" ? "pass" : "block")

export interface Decided {
  readonly action: RuleAction
  /** the deciding rule; undefined when a port forward or the firewall's default rule decides */
  readonly rule: CompiledRule | undefined
  /** the port forward that decides: its translated traffic skips the filter rules, or its registered rule passes it */
  readonly forward: CompiledForward | undefined
  /** the port forward or 1:1 NAT entry that translated the packet before the filter rules saw it */
  readonly translated: (Translated & { readonly entry: Entry }) | undefined
  readonly certain: boolean
}

type FilterDecided = Pick<Decided, "action" | "rule" | "certain">

/** the filter rules' decision, its rule and whether a rule that may match could change it (Evaluate.explainCompiled's rule) */
const decideByRules = (
  policy: CompiledPolicy,
  p: CompiledPacket
): FilterDecided => {
  const rules = p.interface === undefined
    ? policy.applicable(undefined, p.direction, p.protocol).rules
    : policy.candidates(p.interface, p.direction, p.protocol)
  let decider: CompiledRule | undefined
  let candidate: CompiledRule | undefined
  const maybes: Array<{ readonly rule: CompiledRule; readonly after: number }> = []
  for (const rule of rules) {
    if (!rule.enabled) continue
    const m = matchFast(rule, p)
    if (m === NO) continue
    if (m === YES && rule.quick) {
      decider = rule
      break
    }
    if (m === YES) candidate = rule
    else if (m === MAYBE) maybes.push({ rule, after: candidate?.position ?? -1 })
  }
  const final = decider ?? candidate
  const action = final?.action ?? defaultRule(p.direction).action
  const uncertain = maybes.some(({ after, rule }) =>
    category(rule.action) !== category(action) &&
    (rule.quick || (decider === undefined && after >= (candidate?.position ?? -1)))
  )
  return { action, rule: final, certain: !uncertain }
}

/**
 * The packet's decision as `explain` reaches it (Nat.explainWithNat): the port forwards and 1:1 NAT
 * entries translate it first, then the filter rules decide on the translated packet, unless a port
 * forward decides (filter_rule pass or register).
 */
export const decideWithCertainty = (policy: CompiledPolicy, p: CompiledPacket): Decided => {
  const nat = translate(policy, p)
  if (nat === undefined) return { ...decideByRules(policy, p), forward: undefined, translated: undefined }
  const byRules = decideByRules(policy, nat.packet)
  const translated = nat.translation.outcome === "translated" && nat.entry !== undefined
    ? { ...nat, entry: nat.entry }
    : undefined
  const certain = byRules.certain && nat.translation.certain
  if (!forwardDecides(nat, byRules.rule?.quick === true)) return { ...byRules, certain, forward: undefined, translated }
  return {
    action: "pass",
    rule: undefined,
    forward: nat.forward,
    translated,
    // rdr pass: no filter rule is evaluated, so none can make it uncertain
    certain: nat.translation.filterRule === "pass" ? nat.translation.certain : certain
  }
}

/** `ranges` cut at every boundary in `cuts` (values where a new class begins) */
const split = (ranges: R.Ranges, cuts: ReadonlyArray<bigint>): Array<R.Interval> => {
  const out: Array<R.Interval> = []
  for (const r of ranges) {
    let lo = r.lo
    for (const c of cuts) {
      if (c <= lo) continue
      if (c > r.hi) break
      out.push({ lo, hi: c - 1n })
      lo = c
    }
    out.push({ lo, hi: r.hi })
  }
  return out
}

// Every member of a class gets the same decision; the one shown is the one a person would pick:
// a host rather than the network's own address, a client port from the ephemeral range.
const host = (r: R.Interval): bigint => (r.hi - r.lo >= 2n ? r.lo + 1n : r.lo)
const EPHEMERAL = 49152n
const ephemeral = (r: R.Interval): bigint => (r.lo <= EPHEMERAL && EPHEMERAL <= r.hi ? EPHEMERAL : r.lo)

/** where each range of `sets` begins and ends, and any `extra` values, sorted and without repeats */
const cutsOf = (sets: ReadonlyArray<R.Ranges>, extra: ReadonlyArray<bigint> = []): Array<bigint> => {
  const cuts = new Set<bigint>(extra)
  for (const set of sets) {
    for (const r of set) {
      cuts.add(r.lo)
      cuts.add(r.hi + 1n)
    }
  }
  return [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * A forward that maps a port range onto a local port range shifts every port by the same amount
 * (Nat.translatedPort): a class of original ports must not straddle a filter rule's port boundary
 * once shifted, so each boundary is carried back to the original port it comes from.
 */
const shiftedCuts = (forwards: ReadonlyArray<CompiledForward>, filterCuts: ReadonlyArray<bigint>): Array<bigint> =>
  forwards.flatMap((f) =>
    f.localPort === undefined || f.destinationFrom === undefined
      ? []
      : filterCuts.map((c) => c - BigInt(f.localPort!) + BigInt(f.destinationFrom!)).filter((c) => c > 1n)
  )

/** The same for addresses: a 1:1 entry maps its external subnet onto the internal one address for address. */
const mappedCuts = (
  binats: ReadonlyArray<CompiledOneToOne>,
  family: R.Family,
  filterCuts: ReadonlyArray<bigint>
): Array<bigint> =>
  binats.flatMap((b) =>
    b.offset === undefined || b.offset.family !== family
      ? []
      : filterCuts.map((c) => c - b.offset!.by).filter((c) => c > 0n)
  )

interface Side {
  readonly set: AddressSet
  readonly problems: ReadonlyArray<string>
}

// one resolver per policy for the intents' own names (PolicyInput.intentAliases)
const intentResolvers = new WeakMap<CompiledPolicy, Resolver>()

/** what the intents' from, to and port are read with: the rules' resolver, or one with the intents' aliases */
const namesOf = (policy: CompiledPolicy): Resolver => {
  const extra = policy.input.intentAliases
  if (extra === undefined || extra.length === 0) return policy.resolver
  const known = intentResolvers.get(policy)
  if (known !== undefined) return known
  const made = makeResolver({
    aliases: new Map([...policy.input.aliases, ...extra].map((a) => [a.name, a])),
    interfaces: policy.input.interfaces ?? {},
    interfaceNames: policy.interfaceNames,
    management: policy.input.management
  })
  intentResolvers.set(policy, made)
  return made
}

const side = (policy: CompiledPolicy, label: string, text: string): Side => {
  const trimmed = text.trim()
  if (trimmed === "" || trimmed.toLowerCase() === "any") return { set: ANY_ADDRESS, problems: [] }
  const set = namesOf(policy).addresses([trimmed])
  const problems = set.tokens
    .filter((t) => t.startsWith("unknown name") || t.startsWith("port alias"))
    .map(() =>
      `${label} "${trimmed}" is not an address, CIDR, alias, interface or (self) that the ${
        policy.input.origin === "desired" ? "desired state" : "firewall"
      } knows`
    )
  return { set, problems }
}

const protocolsOf = (
  policy: CompiledPolicy,
  intent: Intent,
  problems: Array<string>
): ReadonlyArray<string> => {
  const given = normalizeProtocol(intent.protocol)
  if (given === "TCP/UDP") return ["TCP", "UDP"]
  if (given !== "any") {
    if (!knownProtocols.has(given)) problems.push(`unknown protocol "${intent.protocol ?? ""}"`)
    return [given]
  }
  if (intent.port !== undefined) return ["TCP", "UDP"]
  // every protocol a rule names, and one no rule names to stand for all the others
  const named = new Set<string>(["TCP", "UDP", "ICMP"])
  for (const rule of [...policy.rules, ...forwardsOf(policy).map((f) => f.match)]) {
    for (const p of rule.protocols ?? []) named.add(p)
  }
  const other = [...knownProtocols].sort().find((p) => !named.has(p))
  return [...[...named].sort(), ...(other === undefined ? [] : [other])]
}

/**
 * A result as it stands with what could not be read: a kind that decides packets (its version has
 * no API for it, or the key may not read it) could make a held intent fail, so held becomes
 * unknown; a violation stands (apply refuses it), saying what it was found without.
 */
const resultOf = (
  policy: CompiledPolicy,
  intent: Intent,
  fields: Omit<IntentResult, "intent" | "origin">
): IntentEvaluation => {
  const notRead = (policy.input.notRead ?? []).filter((n) => DECIDING_KINDS.includes(n.kind))
  const result = { intent, origin: policy.input.origin, ...fields }
  if (notRead.length === 0 || fields.verdict === "unknown") return { _tag: "Evaluated", result }
  const without = notRead.map((n) => n.why).join("; ")
  return {
    _tag: "Evaluated",
    result: fields.verdict === "held"
      ? { ...result, verdict: "unknown", message: `${fields.message}, but not certainly: ${without}` }
      : { ...result, message: `${fields.message} (found without what could not be read: ${without})` }
  }
}

const describePacket = (p: IntentPacket): string =>
  `${p.protocol.toLowerCase()} ${p.source}${p.sourcePort === undefined ? "" : `:${p.sourcePort}`} → ${p.destination}${
    p.destinationPort === undefined ? "" : `:${p.destinationPort}`
  }${p.interface === undefined ? "" : ` on ${p.interface}`}`

const PAST = { pass: "passed", block: "blocked", reject: "rejected" } as const

// intents are traffic arriving at the firewall: the default rule is the inbound one
const DEFAULT_IN = defaultRule("in")

const at = (source: { readonly file: string; readonly line: number; readonly column: number } | undefined) =>
  source === undefined ? "" : ` (${source.file}:${source.line}:${source.column})`

/** what the filter rules saw: the translated destination and port */
const translatedTo = (t: Translated): string =>
  `${t.translation.destination ?? "an address not known offline"}${
    t.translation.destinationPort === undefined ? "" : `:${t.translation.destinationPort}`
  }`

/** the packet, its translation and what decides it, as a result carries them */
const decided = (packet: IntentPacket, decision: Decided) => {
  const { forward, rule, translated } = decision
  const by = rule !== undefined
    ? { kind: "rule" as const, rule: rule.rule.name, source: rule.rule.source }
    : forward !== undefined
    ? { kind: "port-forward" as const, rule: forward.forward.name, source: forward.forward.source }
    : { kind: "default" as const, rule: DEFAULT_IN.name, source: undefined }
  const { source, ...named } = by
  return {
    packet,
    decision: decision.action,
    decidedBy: { ...named, ...(source !== undefined ? { source } : {}) },
    ...(translated !== undefined
      ? {
        translation: {
          kind: translated.entry.kind,
          forward: translated.entry.name,
          ...(translated.translation.destination !== undefined
            ? { destination: translated.translation.destination }
            : {}),
          ...(translated.translation.destinationPort !== undefined
            ? { destinationPort: translated.translation.destinationPort }
            : {}),
          ...(translated.entry.source !== undefined ? { source: translated.entry.source } : {})
        }
      }
      : {})
  }
}

/** "is translated by port forward "nvr" (…) to 10.30.0.20:443 and passed by rule "wan-to-nvr" (…)" */
const describeDecision = (decision: Decided): string => {
  const { forward, rule, translated } = decision
  const via = translated === undefined
    ? ""
    : `translated by ${
      translated.entry.kind === "port_forward" ? "port forward" : "1:1 NAT entry"
    } "${translated.entry.name}"${at(translated.entry.source)} to ${translatedTo(translated)} and `
  const by = rule !== undefined
    ? `rule "${rule.rule.name}"${at(rule.rule.source)}`
    : forward !== undefined
    ? forward.forward.spec.filterRule === "pass"
      ? "the port forward itself (filter_rule pass: the filter rules are skipped)"
      : "the rule the port forward registers (filter_rule register)"
    : `the firewall's "${DEFAULT_IN.name}"`
  return `${via}${PAST[decision.action]} by ${by}`
}

/** Evaluate one intent against a compiled rule set. */
export const evaluateIntent = (
  policy: CompiledPolicy,
  intent: Intent,
  options: IntentOptions = {}
): IntentEvaluation => {
  const problems: Array<string> = []
  const from = side(policy, "from", intent.from)
  const to = side(policy, "to", intent.to)
  problems.push(...from.problems, ...to.problems)
  const protocols = protocolsOf(policy, intent, problems)
  let dports: R.Ranges = [PORTS]
  let portTokens: ReadonlyArray<string> = []
  if (intent.port !== undefined) {
    if (protocols.some((p) => !PORT_PROTOCOLS.has(p))) {
      problems.push(`port ${intent.port} needs protocol tcp, udp or tcp/udp`)
    }
    // a service name (https) as rules take it; an alias name is left for the resolver
    const normal = normalizePort(intent.port)
    const set = namesOf(policy).port(normal._tag === "Invalid" ? intent.port : normal.value)
    if (set.tokens.some((t) => t.startsWith("unknown port") || t.includes("used as a port"))) {
      problems.push(`port "${intent.port}" is not a port, range (8000-8080) or port alias`)
    }
    dports = R.intersect(set.ranges, [PORTS])
    portTokens = set.tokens
  }
  const iface = intent.interface
  if (iface !== undefined) {
    const probe = compilePacket(policy, { protocol: "TCP", interface: iface })
    if (probe._tag === "Invalid") problems.push(...probe.problems)
  }
  if (problems.length > 0) return { _tag: "Invalid", intent, problems }

  const enabled = policy.rules.filter((r) => r.enabled)
  const forwards = forwardsOf(policy).filter((f) => f.forward.spec.enabled)
  const binats = oneToOnesOf(policy).filter((b) => b.entry.spec.enabled && b.entry.spec.type === "binat")
  // what decides a packet's class: the filter rules and the translations' match conditions
  const matchers = [...enabled, ...forwards.map((f) => f.match), ...binats.map((b) => b.match)]
  const nets = Object.values(policy.input.interfaces ?? {}).flatMap((n) => n.networks ?? [])
  const netRanges = (family: R.Family) =>
    nets.flatMap((n) => {
      const b = R.parseBlock(n)
      return b === undefined || b.family !== family ? [] : [[b.interval]]
    })
  const filterPortCuts = cutsOf(enabled.map((r) => r.destination.port.ranges))
  const dportAtoms = split(
    dports,
    cutsOf(matchers.map((r) => r.destination.port.ranges), shiftedCuts(forwards, filterPortCuts))
  )
  const sportAtoms = split([PORTS], cutsOf(matchers.map((r) => r.source.port.ranges)))
  const classes: Array<{ family: R.Family; sources: Array<R.Interval>; destinations: Array<R.Interval> }> = []
  for (const family of [4, 6] as const) {
    const pick = (s: AddressSet) => (family === 4 ? s.v4 : s.v6)
    const src = pick(from.set)
    const dst = pick(to.set)
    if (src.length === 0 || dst.length === 0) continue
    classes.push({
      family,
      sources: split(
        src,
        cutsOf([...matchers.map((r) => pick(r.source.addresses)), ...(iface === undefined ? netRanges(family) : [])])
      ),
      destinations: split(
        dst,
        cutsOf(
          matchers.map((r) => pick(r.destination.addresses)),
          mappedCuts(binats, family, cutsOf(enabled.map((r) => pick(r.destination.addresses))))
        )
      )
    })
  }
  // ICMP is IPv4's, IPv6-ICMP IPv6's: no packet carries the other
  const protocolsOfFamily = (family: R.Family) =>
    protocols.filter((p) => !(p === "ICMP" && family === 6) && !(p === "IPV6-ICMP" && family === 4))
  const perAddressPair = (family: R.Family) =>
    protocolsOfFamily(family).reduce(
      (n, p) => n + (PORT_PROTOCOLS.has(p) ? dportAtoms.length * sportAtoms.length : 1),
      0
    )
  const packets = classes.reduce(
    (n, c) => n + c.sources.length * c.destinations.length * perAddressPair(c.family),
    0
  )
  const opaque = [...new Set([...from.set.tokens, ...to.set.tokens, ...portTokens])]
  if (packets * Math.max(1, matchers.length) > (options.maxWork ?? DEFAULT_MAX_WORK)) {
    return resultOf(policy, intent, {
      verdict: "unknown",
      packets: 0,
      message: `too wide to check: ${packets} classes of packets against ${enabled.length} rules${
        forwards.length + binats.length === 0 ? "" : ` and ${forwards.length + binats.length} NAT entries`
      }; narrow from, to, protocol or port`
    })
  }
  if (packets === 0) {
    return resultOf(policy, intent, {
      verdict: "unknown",
      packets: 0,
      message: opaque.length > 0
        ? `no packet can be checked offline: ${opaque.join("; ")}`
        : "no packet fits: from and to share no address family, or the protocol is not of theirs"
    })
  }

  let uncertain: { readonly packet: IntentPacket; readonly decision: Decided } | undefined
  for (const c of classes) {
    for (const s of c.sources) {
      for (const d of c.destinations) {
        for (const protocol of protocolsOfFamily(c.family)) {
          const withPorts = PORT_PROTOCOLS.has(protocol)
          for (const dp of withPorts ? dportAtoms : [undefined]) {
            for (const sp of withPorts ? sportAtoms : [undefined]) {
              const packet: IntentPacket = {
                source: formatIp({ family: c.family, value: host(s) }),
                destination: formatIp({ family: c.family, value: host(d) }),
                protocol,
                ...(sp !== undefined ? { sourcePort: Number(ephemeral(sp)) } : {}),
                ...(dp !== undefined ? { destinationPort: Number(dp.lo) } : {}),
                ...(iface !== undefined ? { interface: iface } : {})
              }
              const compiled = compilePacket(policy, packet)
              if (compiled._tag === "Invalid") {
                return { _tag: "Invalid", intent, problems: compiled.problems }
              }
              const decision = decideWithCertainty(policy, compiled.packet)
              const shown = compiled.packet.interface === undefined || iface !== undefined
                ? packet
                : { ...packet, interface: compiled.packet.interface }
              if (category(decision.action) !== intent.expect && decision.certain) {
                return resultOf(policy, intent, {
                  verdict: "violated",
                  packets,
                  ...decided(shown, decision),
                  message: `expects ${intent.expect}, but ${describePacket(shown)} is ${describeDecision(decision)}`
                })
              }
              if (!decision.certain && uncertain === undefined) uncertain = { packet: shown, decision }
            }
          }
        }
      }
    }
  }
  if (uncertain !== undefined) {
    const { decision, packet } = uncertain
    return resultOf(policy, intent, {
      verdict: "unknown",
      packets,
      ...decided(packet, decision),
      message: `may not hold: ${describePacket(packet)} is ${
        describeDecision(decision)
      }, but a rule or NAT entry whose match cannot be decided offline may change that`
    })
  }
  if (opaque.length > 0) {
    return resultOf(policy, intent, {
      verdict: "unknown",
      packets,
      message: `holds for the addresses known offline; not for ${opaque.join("; ")}`
    })
  }
  return resultOf(policy, intent, {
    verdict: "held",
    packets,
    message: `holds: ${packets} class${packets === 1 ? "" : "es"} of packets checked, each ${PAST[intent.expect]}`
  })
}

/** Every intent's result; one that cannot be evaluated here is "unknown" with why. */
export const intentResults = (
  policy: CompiledPolicy,
  intents: ReadonlyArray<Intent>,
  options?: IntentOptions
): ReadonlyArray<IntentResult> =>
  intents.map((intent) => {
    const e = evaluateIntent(policy, intent, options)
    return e._tag === "Evaluated" ? e.result : {
      intent,
      origin: policy.input.origin,
      verdict: "unknown" as const,
      packets: 0,
      message: `cannot be evaluated: ${e.problems.join("; ")}`
    }
  })

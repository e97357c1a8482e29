/**
 * Packet evaluation with pf semantics: rules in evaluation order; a matching `quick` rule decides at
 * once; otherwise the last matching non-quick rule decides; when nothing matches, OPNsense's
 * automatic rules do (inbound: "Default deny rule", block; outbound: "let out anything from firewall
 * host itself", pass). Matching is three-valued: "maybe" when a rule names something whose contents
 * are not known offline (URL/GeoIP aliases, hostnames, interface nets without a subnet) or the packet
 * leaves a field unspecified.
 */
import type { Endpoint as RuleEndpoint } from "../Domain/Model.ts"
import type { RuleAction } from "../Kinds/Rule/Spec.ts"
import {
  type Applicable,
  type CompiledEndpoint,
  type CompiledPolicy,
  type CompiledRule,
  describeInterfaces,
  interfaceApplies
} from "./Compile.ts"
import type { Decider, Explanation, MatchResult, Packet, PacketDirection, Step } from "./Domain.ts"
import { type CompiledPacket, showIp } from "./Packet.ts"
import * as R from "./Ranges.ts"
import type { PortSet } from "./Resolve.ts"

export const NO = 0
export const MAYBE = 1
export const YES = 2
export type Match = typeof NO | typeof MAYBE | typeof YES

// written into the reason of every step that looks at the endpoint: made once per rule
const endpointTexts = new WeakMap<RuleEndpoint, string>()
const endpointText = (rule: CompiledRule, side: "source" | "destination") => {
  const ep = rule.rule.spec[side]
  const known = endpointTexts.get(ep)
  if (known !== undefined) return known
  const addresses = ep.addresses.length === 0 ? "any" : ep.addresses.join(", ")
  const text = ep.invert ? `! ${addresses}` : addresses
  endpointTexts.set(ep, text)
  return text
}

/** the address condition alone (shared by the fast path and the explained path) */
const addressMatch = (ep: CompiledEndpoint, ip: R.Ip | undefined, ip4: number): Match => {
  const set = ep.addresses
  if (set.any && !ep.invert) return YES
  if (ip === undefined) return MAYBE
  const inSet = ip.family === 4 ? R.containsNumber(ep.v4, ip4) : R.contains(set.v6, ip.value)
  const base: Match = inSet ? YES : set.tokens.length > 0 ? MAYBE : NO
  return ep.invert ? (base === YES ? NO : base === NO ? YES : MAYBE) : base
}

const portMatch = (set: PortSet, numbers: R.NumberRanges, port: number | undefined): Match =>
  set.any
    ? YES
    : port === undefined
    ? MAYBE
    : R.containsNumber(numbers, port)
    ? YES
    : set.tokens.length > 0
    ? MAYBE
    : NO

/** why an address condition gave `result` */
const addressReason = (
  ep: CompiledEndpoint,
  ip: R.Ip | undefined,
  rule: CompiledRule,
  side: "source" | "destination",
  result: Match
): string => {
  const set = ep.addresses
  if (set.any && !ep.invert) return `${side}: any`
  const text = endpointText(rule, side)
  if (ip === undefined) return `${side} not given; the rule requires ${text}`
  const shown = showIp(ip)
  if (result === MAYBE) {
    return `${side} ${shown} may match ${text}: ${set.tokens.join("; ")} ${
      set.tokens.length > 1 ? "are" : "is"
    } opaque here`
  }
  if (ep.invert) {
    return result === YES
      ? `${side} ${shown} is outside ${text.slice(2)} (inverted: matches)`
      : `${side} ${shown} is in ${text.slice(2)}, which the rule inverts`
  }
  return result === YES ? `${side} ${shown} is in ${text}` : `${side} ${shown} is not in ${text}`
}

/** why a port condition gave `result`; undefined for "any port", which goes without saying */
const portReason = (
  set: PortSet,
  port: number | undefined,
  spec: string,
  label: string,
  result: Match
): string | undefined => {
  if (set.any) return undefined
  if (port === undefined) return `${label} not given; the rule requires ${spec}`
  const single = /^\d+$/.test(spec)
  if (result === YES) return `${label} ${port} ${single ? "is" : "is in"} ${spec}`
  if (result === NO) return `${label} ${port} ${single ? "is not" : "is not in"} ${spec}`
  return `${label} ${port} may be in ${spec}: ${set.tokens.join("; ")} opaque`
}

const min = (a: Match, b: Match): Match => (a < b ? a : b)

/** Does `rule` match `packet`? The hot path: no strings, no allocation. */
export const matchFast = (rule: CompiledRule, p: CompiledPacket): Match => {
  let m: Match = YES
  if (p.interface === undefined) {
    if (rule.interfaces.kind !== "all") m = MAYBE
  } else if (!interfaceApplies(rule.interfaces, p.interface)) return NO
  if (rule.direction !== "any" && rule.direction !== p.direction) return NO
  if (rule.protocols !== undefined && !rule.protocols.has(p.protocol)) return NO
  return min(m, matchEndpoints(rule, p))
}

/** ip_version, addresses and ports: what is left once the index has matched interface, direction and protocol */
const matchEndpoints = (rule: CompiledRule, p: CompiledPacket): Match => {
  if (p.family !== undefined && (rule.families & (p.family === 4 ? 1 : 2)) === 0) return NO
  const dst = addressMatch(rule.destination, p.destination, p.destination4)
  if (dst === NO) return NO
  const dport = portMatch(rule.destination.port, rule.destination.ports, p.destinationPort)
  if (dport === NO) return NO
  const src = addressMatch(rule.source, p.source, p.source4)
  if (src === NO) return NO
  const sport = portMatch(rule.source.port, rule.source.ports, p.sourcePort)
  if (sport === NO) return NO
  return min(min(dst, dport), min(src, sport))
}

/**
 * Where matchRule leaves the failing condition of a "no": most rules an explanation walks fail one
 * condition, and their one-reason list is made at its exact size by the caller rather than grown
 * from an empty one (thousands per explanation).
 */
const failure = { reason: "" }

/** the failing condition of matchRule's last "no" */
export const lastFailure = (): string => failure.reason

const fail = (reason: string): Match => {
  failure.reason = reason
  return NO
}

/**
 * The same decision as matchFast for a rule the index selects (Compile.excludedBy gives undefined):
 * on "no" the failing condition alone is left in `failure.reason`; otherwise every condition is
 * pushed onto `why`. Conditions are decided first and only the reasons shown are written.
 */
export const matchRule = (rule: CompiledRule, p: CompiledPacket, why: Array<string>): Match => {
  const { spec } = rule.rule
  const iface: Match = p.interface === undefined && rule.interfaces.kind !== "all" ? MAYBE : YES
  if (p.family !== undefined && (rule.families & (p.family === 4 ? 1 : 2)) === 0) {
    return fail(`ip_version: the rule is ${spec.ipVersion}, the packet is IPv${p.family}`)
  }
  const src = addressMatch(rule.source, p.source, p.source4)
  if (src === NO) return fail(addressReason(rule.source, p.source, rule, "source", NO))
  const sport = portMatch(rule.source.port, rule.source.ports, p.sourcePort)
  if (sport === NO) {
    return fail(portReason(rule.source.port, p.sourcePort, spec.source.port, "source port", NO) ?? "no match")
  }
  const dst = addressMatch(rule.destination, p.destination, p.destination4)
  if (dst === NO) return fail(addressReason(rule.destination, p.destination, rule, "destination", NO))
  const dport = portMatch(rule.destination.port, rule.destination.ports, p.destinationPort)
  if (dport === NO) {
    return fail(
      portReason(rule.destination.port, p.destinationPort, spec.destination.port, "destination port", NO) ?? "no match"
    )
  }
  if (iface === MAYBE) why.push(`interface unknown; the rule applies on ${describeInterfaces(rule.interfaces)}`)
  else if (p.interface !== undefined) {
    why.push(`interface ${p.interface}: the rule applies on ${describeInterfaces(rule.interfaces)}`)
  }
  why.push(`protocol ${p.protocol} matches ${spec.protocol}`)
  why.push(addressReason(rule.source, p.source, rule, "source", src))
  const sportWhy = portReason(rule.source.port, p.sourcePort, spec.source.port, "source port", sport)
  if (sportWhy !== undefined) why.push(sportWhy)
  why.push(addressReason(rule.destination, p.destination, rule, "destination", dst))
  const dportWhy = portReason(
    rule.destination.port,
    p.destinationPort,
    spec.destination.port,
    "destination port",
    dport
  )
  if (dportWhy !== undefined) why.push(dportWhy)
  return min(min(iface, min(src, sport)), min(dst, dport))
}

export interface DefaultRule {
  readonly action: RuleAction
  readonly name: string
  readonly description: string
}

export const defaultRule = (direction: PacketDirection): DefaultRule =>
  direction === "in"
    ? {
      action: "block",
      name: "Default deny rule",
      description: "no rule decided: OPNsense's automatic default deny (block in, logged) applies"
    }
    : {
      action: "pass",
      name: "let out anything from firewall host itself",
      description: "no rule decided: OPNsense's automatic outbound rule (pass out all, keep state) applies"
    }

export interface Decision {
  readonly action: RuleAction
  /** undefined when the default rule decided */
  readonly rule: CompiledRule | undefined
}

/** The fast path: no explanation, only the rules that can apply on the packet's interface. */
export const decide = (policy: CompiledPolicy, packet: CompiledPacket): Decision => {
  let candidate: CompiledRule | undefined
  if (packet.interface === undefined) {
    for (const rule of policy.rules) {
      if (!rule.enabled || matchFast(rule, packet) !== YES) continue
      if (rule.quick) return { action: rule.action, rule }
      candidate = rule
    }
  } else {
    for (const rule of policy.candidates(packet.interface, packet.direction, packet.protocol)) {
      if (matchEndpoints(rule, packet) !== YES) continue
      if (rule.quick) return { action: rule.action, rule }
      candidate = rule
    }
  }
  return candidate !== undefined
    ? { action: candidate.action, rule: candidate }
    : { action: defaultRule(packet.direction).action, rule: undefined }
}

const DISABLED: ReadonlyArray<string> = ["the rule is disabled"]

// one literal and the optional source set after it, not spread into it: an explanation makes one
// step per rule it walks (thousands on a large interface), and the spread cost as much as matching
const step = (
  rule: CompiledRule,
  match: MatchResult,
  outcome: Step["outcome"],
  reasons: ReadonlyArray<string>
): Step => {
  const made: { -readonly [K in keyof Step]: Step[K] } = {
    position: rule.position + 1,
    rule: rule.rule.name,
    group: rule.group,
    sequence: rule.rule.sequence,
    origin: rule.rule.origin,
    action: rule.action,
    quick: rule.quick,
    enabled: rule.enabled,
    match,
    outcome,
    reasons
  }
  const source = rule.rule.source
  if (source !== undefined) made.source = source
  return made
}

/** What walking the applicable rules found: the steps, and what decided. */
interface Walk {
  readonly steps: Array<Step>
  readonly maybes: Array<{ readonly rule: CompiledRule; readonly after: number }>
  decider: CompiledRule | undefined
  candidate: CompiledRule | undefined
  /** where in `steps` the non-quick matches are: the last one decides, unless a quick rule did */
  readonly nonQuick: Array<number>
  excluded: Applicable["excluded"]
}

/**
 * One rule of an explanation; true when it decides. The walk makes one step per rule it visits
 * (thousands on a large interface): a "no" (most of them) costs the step and its one reason, made
 * at their final size.
 */
const visit = (walk: Walk, applicable: Applicable, packet: CompiledPacket, i: number): boolean => {
  const rule = applicable.rules[i]!
  if (!rule.enabled) {
    walk.steps.push(step(rule, "no", "disabled", DISABLED))
    return false
  }
  const why: Array<string> = []
  const m = matchRule(rule, packet, why)
  if (m === NO) {
    walk.steps.push(step(rule, "no", "no-match", [failure.reason]))
    return false
  }
  if (m === YES && rule.quick) {
    walk.steps.push(step(rule, "yes", "decides", [...why, "quick: the first matching quick rule decides"]))
    walk.decider = rule
    walk.excluded = applicable.excludedBefore[i] ?? walk.excluded
    return true
  }
  if (m === YES) {
    walk.nonQuick.push(walk.steps.length)
    walk.steps.push(step(rule, "yes", "candidate", [...why, "not quick: decides unless a later rule matches"]))
    walk.candidate = rule
    return false
  }
  // MAYBE
  walk.maybes.push({ rule, after: walk.candidate?.position ?? -1 })
  walk.steps.push(step(rule, "maybe", "may-match", why))
  return false
}

const walkRules = (applicable: Applicable, packet: CompiledPacket): Walk => {
  const walk: Walk = {
    steps: [],
    maybes: [],
    decider: undefined,
    candidate: undefined,
    nonQuick: [],
    excluded: applicable.excluded
  }
  // the builtin loop, not one of ours: a loop of thousands of iterations inside one call is compiled
  // on stack by V8, and once that code is thrown away (a type change, a GC) the loop ran several
  // times slower for the rest of the process; a callback is an ordinary hot function
  applicable.rules.some((_, i) => visit(walk, applicable, packet, i))
  return walk
}

/**
 * The slow path: the rules that can apply to the packet (its interface, direction and protocol, as
 * the fast path's index selects them, plus disabled ones that would) in order up to the deciding
 * one, with why each did or did not match. The others are counted by what rules them out: on a large
 * rule set they are most of it, and a reason for each would cost more than the decision.
 */
export const explainCompiled = (
  policy: CompiledPolicy,
  packet: CompiledPacket,
  original: Packet,
  packetNotes: ReadonlyArray<string>
): Explanation => {
  const applicable = policy.applicable(packet.interface, packet.direction, packet.protocol)
  const { candidate, decider, excluded, maybes, nonQuick, steps } = walkRules(applicable, packet)
  const final = decider ?? candidate
  const fallback = defaultRule(packet.direction)
  const action = final?.action ?? fallback.action
  // a non-quick candidate that a later match replaced did not decide
  for (const at of nonQuick) {
    const s = steps[at]!
    steps[at] = final === undefined || s.position !== final.position + 1
      ? {
        ...s,
        outcome: "overridden",
        reasons: [...s.reasons, "overridden by a later matching rule (last match wins)"]
      }
      : { ...s, outcome: "decides", reasons: [...s.reasons, "last matching non-quick rule: it decides"] }
  }
  const uncertain = maybes.filter(({ rule, after }) => {
    if (rule.action === action) return false
    if (rule.quick) return true
    return decider === undefined && after >= (candidate?.position ?? -1)
  })
  const notes = [...packetNotes, ...policy.resolver.problems]
  for (const { rule } of uncertain) {
    notes.push(`rule ${rule.rule.name} (${rule.action}) may match this packet: the decision is not certain`)
  }
  if (final === undefined) notes.push(fallback.description)
  const decidedBy: Decider = final !== undefined
    ? {
      kind: "rule",
      rule: final.rule.name,
      position: final.position + 1,
      ...(final.rule.source !== undefined ? { source: final.rule.source } : {}),
      // pf `route-to`: only a pass rule routes what it lets through (block and reject drop it)
      ...(final.action === "pass" && final.rule.spec.gateway !== "" ? { gateway: final.rule.spec.gateway } : {})
    }
    : { kind: "default", rule: fallback.name, description: fallback.description }
  return {
    site: policy.input.site,
    origin: policy.input.origin,
    packet: original,
    ...(packet.interface !== undefined && original.interface === undefined ? { interface: packet.interface } : {}),
    decision: action,
    certain: uncertain.length === 0,
    decidedBy,
    steps,
    excluded,
    notConsidered: decider === undefined ? 0 : policy.rules.length - decider.position - 1,
    notes
  }
}

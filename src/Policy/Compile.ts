/**
 * Rules compiled into the order pf evaluates them and a form that matches a packet with integer
 * comparisons only. Order follows how OPNsense writes the ruleset (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/FilterRuleField.php): automatic rules,
 * then priority groups (floating 200000, interface groups 300000 + group sequence, single interface
 * 400000), by sequence within a group, MVC rules before legacy rules of the same group.
 */
import type { Endpoint as RuleSpecEndpoint } from "../Domain/Model.ts"
import { normalizeProtocol } from "../Domain/Normalize.ts"
import type { Direction, RuleAction } from "../Kinds/Rule/Spec.ts"
import type { Excluded, PacketDirection, PolicyInput, PolicyRule, PriorityGroup } from "./Domain.ts"
import * as R from "./Ranges.ts"
import { type AddressSet, familyRanges, makeResolver, type PortSet, type Resolver } from "./Resolve.ts"

export type InterfaceMatch =
  | { readonly kind: "all" }
  | { readonly kind: "only"; readonly names: ReadonlySet<string> }
  | { readonly kind: "except"; readonly names: ReadonlySet<string> }

export interface CompiledEndpoint {
  readonly addresses: AddressSet
  readonly invert: boolean
  readonly port: PortSet
  /** per family (index 0 = IPv4, 1 = IPv6): the addresses the endpoint certainly matches */
  readonly lower: readonly [R.Ranges, R.Ranges]
  /** per family: the addresses it may match (opaque parts count as everything) */
  readonly upper: readonly [R.Ranges, R.Ranges]
  /** IPv4 bounding boxes of lower and upper as plain numbers ([] when empty): cheap rejections in lint */
  readonly lowerBox4: readonly [number, number] | readonly []
  readonly upperBox4: readonly [number, number] | readonly []
  /** the IPv4 addresses and the ports as plain numbers, for matching packets */
  readonly v4: R.NumberRanges
  readonly ports: R.NumberRanges
  /** lower[0] and upper[0] as plain numbers, for comparing rules */
  readonly lower4: R.NumberRanges
  readonly upper4: R.NumberRanges
}

export interface CompiledRule {
  /** 0-based position in evaluation order */
  readonly position: number
  readonly rule: PolicyRule
  readonly group: PriorityGroup
  readonly priority: number
  readonly enabled: boolean
  readonly action: RuleAction
  readonly quick: boolean
  readonly log: boolean
  readonly interfaces: InterfaceMatch
  readonly direction: Direction
  /** bit 1 = IPv4, bit 2 = IPv6 */
  readonly families: number
  /** undefined = any protocol */
  readonly protocols: ReadonlySet<string> | undefined
  /** the protocols as a bit mask (all bits = any), for cheap comparisons between rules */
  readonly protocolMask: number
  readonly source: CompiledEndpoint
  readonly destination: CompiledEndpoint
}

/** The rules that can apply to packets of one interface, direction and protocol, for explanations. */
export interface Applicable {
  /** in evaluation order, disabled rules included */
  readonly rules: ReadonlyArray<CompiledRule>
  /** per rule of `rules`: the rules before it that cannot apply, counted by what rules them out */
  readonly excludedBefore: ReadonlyArray<Excluded>
  /** the same over the whole rule set */
  readonly excluded: Excluded
}

export interface CompiledPolicy {
  readonly input: PolicyInput
  /** in evaluation order */
  readonly rules: ReadonlyArray<CompiledRule>
  readonly resolver: Resolver
  /** every interface the input knows (interfaceNamesOf): what a packet's interface is checked against */
  readonly interfaceNames: ReadonlySet<string>
  /**
   * The enabled rules that can match a packet on this interface, direction and protocol, in order
   * (lazily built and cached): the index that keeps evaluation cheap on large rule sets.
   */
  readonly candidates: (iface: string, direction: PacketDirection, protocol: string) => ReadonlyArray<CompiledRule>
  /** the same selection with disabled rules and counts of the others (interface undefined = unknown: any) */
  readonly applicable: (iface: string | undefined, direction: PacketDirection, protocol: string) => Applicable
}

const DEFAULT_INTERFACES = ["wan", "lan"]

export const interfaceNamesOf = (input: PolicyInput): ReadonlySet<string> => {
  const names = new Set<string>(DEFAULT_INTERFACES)
  for (const name of Object.keys(input.interfaces ?? {})) names.add(name)
  for (const [group, g] of Object.entries(input.groups ?? {})) {
    names.add(group)
    for (const m of g.members) names.add(m)
  }
  for (const rule of input.rules) for (const i of rule.spec.interfaces) names.add(i)
  for (const forward of input.portForwards ?? []) for (const i of forward.spec.interfaces) names.add(i)
  if (input.management !== undefined) names.add(input.management.interface)
  for (const alias of input.aliases) {
    const m = /^__(.+)_network$/.exec(alias.name)
    if (m !== null) names.add(m[1]!)
  }
  return names
}

export const protocolsOf = (protocol: string): ReadonlySet<string> | undefined => {
  const p = normalizeProtocol(protocol)
  if (p === "any") return undefined
  if (p === "TCP/UDP") return new Set(["TCP", "UDP"])
  return new Set([p])
}

const protocolBits = new Map<string, number>([["TCP", 1], ["UDP", 2], ["ICMP", 4], ["IPV6-ICMP", 8]])
export const maskOf = (protocols: ReadonlySet<string> | undefined): number => {
  if (protocols === undefined) return -1
  let mask = 0
  for (const p of protocols) {
    let bit = protocolBits.get(p)
    if (bit === undefined) {
      // 30 distinct bits; beyond that protocols share a bit, which only weakens the pre-check
      bit = 1 << Math.min(protocolBits.size, 30)
      protocolBits.set(p, bit)
    }
    mask |= bit
  }
  return mask
}

const bounds = (set: AddressSet, invert: boolean) => {
  const lower = (f: R.Family) =>
    invert
      ? (set.tokens.length > 0 ? R.EMPTY : R.complement(familyRanges(set, f), R.familyMax(f)))
      : familyRanges(set, f)
  const upper = (f: R.Family) =>
    invert
      ? R.complement(familyRanges(set, f), R.familyMax(f))
      : set.tokens.length > 0
      ? R.full(R.familyMax(f))
      : familyRanges(set, f)
  return { lower: [lower(4), lower(6)] as const, upper: [upper(4), upper(6)] as const }
}

/** number copies of shared range sets (aliases, "any") are made once */
const numberCache = new WeakMap<R.Ranges, R.NumberRanges>()
const numbers = (ranges: R.Ranges): R.NumberRanges => {
  const known = numberCache.get(ranges)
  if (known !== undefined) return known
  const made = R.toNumbers(ranges)
  numberCache.set(ranges, made)
  return made
}

const box = (ranges: R.Ranges): readonly [number, number] | readonly [] =>
  ranges.length === 0 ? [] : [Number(ranges[0]!.lo), Number(ranges[ranges.length - 1]!.hi)]

export const compileEndpoint = (resolver: Resolver, ep: RuleSpecEndpoint): CompiledEndpoint => {
  const addresses = resolver.addresses(ep.addresses)
  const { lower, upper } = bounds(addresses, ep.invert)
  const port = resolver.port(ep.port)
  const v4 = numbers(addresses.v4)
  return {
    addresses,
    invert: ep.invert,
    port,
    lower,
    upper,
    lowerBox4: box(lower[0]),
    upperBox4: box(upper[0]),
    v4,
    ports: numbers(port.ranges),
    lower4: lower[0] === addresses.v4 ? v4 : numbers(lower[0]),
    upper4: upper[0] === addresses.v4 ? v4 : numbers(upper[0])
  }
}

export const familiesOf = (ipVersion: string): number => (ipVersion === "inet" ? 1 : ipVersion === "inet6" ? 2 : 3)

const placement = (
  rule: PolicyRule,
  input: PolicyInput
): { group: PriorityGroup; priority: number; interfaces: InterfaceMatch } => {
  const { interfaces, interfaceInvert } = rule.spec
  const groups = input.groups ?? {}
  const expand = (names: ReadonlyArray<string>) => new Set(names.flatMap((n) => [n, ...(groups[n]?.members ?? [])]))
  if (rule.origin === "automatic") {
    const match: InterfaceMatch = interfaces.length === 0
      ? { kind: "all" }
      : interfaceInvert
      ? { kind: "except", names: expand(interfaces) }
      : { kind: "only", names: expand(interfaces) }
    return { group: "automatic", priority: 0, interfaces: match }
  }
  if (interfaces.length === 0) return { group: "floating", priority: 200000, interfaces: { kind: "all" } }
  if (interfaceInvert) {
    return { group: "floating", priority: 200000, interfaces: { kind: "except", names: expand(interfaces) } }
  }
  if (interfaces.length > 1) {
    return { group: "floating", priority: 200000, interfaces: { kind: "only", names: expand(interfaces) } }
  }
  const only = interfaces[0]!
  const group = groups[only]
  if (group !== undefined) {
    return {
      group: "group",
      priority: 300000 + (group.sequence ?? 0),
      interfaces: { kind: "only", names: expand([only]) }
    }
  }
  return { group: "interface", priority: 400000, interfaces: { kind: "only", names: new Set([only]) } }
}

/**
 * A rule at `position` in evaluation order, with where it is placed: the filter rules, and the
 * match conditions of NAT entries written as rules (Nat.ts, SourceNat.ts).
 */
export const compiledRule = (
  resolver: Resolver,
  rule: PolicyRule,
  position: number,
  placed: { readonly group: PriorityGroup; readonly priority: number; readonly interfaces: InterfaceMatch }
): CompiledRule => {
  const { spec } = rule
  const protocols = protocolsOf(spec.protocol)
  return {
    position,
    rule,
    group: placed.group,
    priority: placed.priority,
    enabled: spec.enabled,
    action: spec.action,
    quick: spec.quick,
    log: spec.log,
    interfaces: placed.interfaces,
    direction: spec.direction,
    families: familiesOf(spec.ipVersion),
    protocols,
    protocolMask: maskOf(protocols),
    source: compileEndpoint(resolver, spec.source),
    destination: compileEndpoint(resolver, spec.destination)
  }
}

const originRank = (rule: PolicyRule) => (rule.origin === "mvc" ? 0 : 1)

export const compile = (input: PolicyInput): CompiledPolicy => {
  const interfaceNames = interfaceNamesOf(input)
  const resolver = makeResolver({
    aliases: new Map(input.aliases.map((a) => [a.name, a])),
    interfaces: input.interfaces ?? {},
    interfaceNames,
    management: input.management
  })
  const placed = input.rules.map((rule, index) => ({ rule, index, ...placement(rule, input) }))
  placed.sort((a, b) =>
    a.priority - b.priority ||
    originRank(a.rule) - originRank(b.rule) ||
    a.rule.sequence - b.rule.sequence ||
    a.index - b.index
  )
  const rules = placed.map((p, position) => compiledRule(resolver, p.rule, position, p))
  const index = new Map<string, ReadonlyArray<CompiledRule>>()
  const candidates = (iface: string, direction: PacketDirection, protocol: string): ReadonlyArray<CompiledRule> => {
    const key = `${iface}\u0000${direction}\u0000${protocol}`
    const cached = index.get(key)
    if (cached !== undefined) return cached
    const list = rules.filter((r) => r.enabled && excludedBy(r, iface, direction, protocol) === undefined)
    index.set(key, list)
    return list
  }
  // explanations list the applicable rules and count the rest: counting them per packet would walk every rule
  const applicableIndex = new Map<string, Applicable>()
  const applicable = (iface: string | undefined, direction: PacketDirection, protocol: string): Applicable => {
    const key = `${iface === undefined ? "?" : `=${iface}`}\u0000${direction}\u0000${protocol}`
    const cached = applicableIndex.get(key)
    if (cached !== undefined) return cached
    const list: Array<CompiledRule> = []
    const excludedBefore: Array<Excluded> = []
    const excluded = { interface: 0, direction: 0, protocol: 0 }
    for (const rule of rules) {
      const out = excludedBy(rule, iface, direction, protocol)
      if (out !== undefined) {
        excluded[out] += 1
      } else {
        list.push(rule)
        excludedBefore.push({ ...excluded })
      }
    }
    const made = { rules: list, excludedBefore, excluded }
    applicableIndex.set(key, made)
    return made
  }
  return { input, rules, resolver, interfaceNames, candidates, applicable }
}

/** The index's conditions: the first of interface, direction and protocol that rules `rule` out, if any. */
export const excludedBy = (
  rule: CompiledRule,
  iface: string | undefined,
  direction: PacketDirection,
  protocol: string
): keyof Excluded | undefined =>
  iface !== undefined && !interfaceApplies(rule.interfaces, iface)
    ? "interface"
    : rule.direction !== "any" && rule.direction !== direction
    ? "direction"
    : rule.protocols !== undefined && !rule.protocols.has(protocol)
    ? "protocol"
    : undefined

export const interfaceApplies = (match: InterfaceMatch, name: string): boolean =>
  match.kind === "all" ? true : match.kind === "only" ? match.names.has(name) : !match.names.has(name)

export const describeInterfaces = (match: InterfaceMatch): string =>
  match.kind === "all"
    ? "all interfaces (floating)"
    : match.kind === "only"
    ? [...match.names].join(", ")
    : `every interface except ${[...match.names].join(", ")}`

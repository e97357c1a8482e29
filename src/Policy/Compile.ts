/**
 * Rules compiled into the order pf evaluates them and a form that matches a packet with integer
 * comparisons only. Order follows how OPNsense writes the ruleset (REFERENCE §7.1): automatic rules,
 * then priority groups (floating 200000, interface groups 300000 + group sequence, single interface
 * 400000), by sequence within a group, MVC rules before legacy rules of the same group.
 */
import type { Direction, RuleAction } from "../Domain/Model.ts"
import { normalizeProtocol } from "../Domain/Normalize.ts"
import type { PolicyInput, PolicyRule, PriorityGroup } from "./Domain.ts"
import { type AddressSet, makeResolver, type PortSet, type Resolver } from "./Resolve.ts"

export type InterfaceMatch =
  | { readonly kind: "all" }
  | { readonly kind: "only"; readonly names: ReadonlySet<string> }
  | { readonly kind: "except"; readonly names: ReadonlySet<string> }

export interface CompiledEndpoint {
  readonly addresses: AddressSet
  readonly invert: boolean
  readonly port: PortSet
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
  readonly source: CompiledEndpoint
  readonly destination: CompiledEndpoint
}

export interface CompiledPolicy {
  readonly input: PolicyInput
  /** in evaluation order */
  readonly rules: ReadonlyArray<CompiledRule>
  readonly resolver: Resolver
  /** interface → positions of the rules that can apply there (lazily built) */
  readonly forInterface: (name: string | undefined) => ReadonlyArray<CompiledRule>
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
  if (input.management !== undefined) names.add(input.management.interface)
  for (const alias of input.aliases) {
    const m = /^__(.+)_network$/.exec(alias.name)
    if (m !== null) names.add(m[1]!)
  }
  return names
}

const protocolsOf = (protocol: string): ReadonlySet<string> | undefined => {
  const p = normalizeProtocol(protocol)
  if (p === "any") return undefined
  if (p === "TCP/UDP") return new Set(["TCP", "UDP"])
  return new Set([p])
}

const familiesOf = (ipVersion: string): number => (ipVersion === "inet" ? 1 : ipVersion === "inet6" ? 2 : 3)

const placement = (
  rule: PolicyRule,
  input: PolicyInput
): { group: PriorityGroup; priority: number; interfaces: InterfaceMatch } => {
  const { interfaces, interfaceInvert } = rule.spec
  const groups = input.groups ?? {}
  const expand = (names: ReadonlyArray<string>) =>
    new Set(names.flatMap((n) => [n, ...(groups[n]?.members ?? [])]))
  if (rule.origin === "automatic") {
    const match: InterfaceMatch = interfaces.length === 0
      ? { kind: "all" }
      : interfaceInvert
      ? { kind: "except", names: expand(interfaces) }
      : { kind: "only", names: expand(interfaces) }
    return { group: "automatic", priority: 0, interfaces: match }
  }
  if (interfaces.length === 0) return { group: "floating", priority: 200000, interfaces: { kind: "all" } }
  if (interfaceInvert) return { group: "floating", priority: 200000, interfaces: { kind: "except", names: expand(interfaces) } }
  if (interfaces.length > 1) return { group: "floating", priority: 200000, interfaces: { kind: "only", names: expand(interfaces) } }
  const only = interfaces[0]!
  const group = groups[only]
  if (group !== undefined) {
    return { group: "group", priority: 300000 + (group.sequence ?? 0), interfaces: { kind: "only", names: expand([only]) } }
  }
  return { group: "interface", priority: 400000, interfaces: { kind: "only", names: new Set([only]) } }
}

const originRank = (rule: PolicyRule) => (rule.origin === "mvc" ? 0 : 1)

export const compile = (input: PolicyInput): CompiledPolicy => {
  const resolver = makeResolver({
    aliases: new Map(input.aliases.map((a) => [a.name, a])),
    interfaces: input.interfaces ?? {},
    interfaceNames: interfaceNamesOf(input),
    management: input.management
  })
  const placed = input.rules.map((rule, index) => ({ rule, index, ...placement(rule, input) }))
  placed.sort((a, b) =>
    a.priority - b.priority ||
    originRank(a.rule) - originRank(b.rule) ||
    a.rule.sequence - b.rule.sequence ||
    a.index - b.index
  )
  const rules = placed.map((p, position): CompiledRule => {
    const { spec } = p.rule
    return {
      position,
      rule: p.rule,
      group: p.group,
      priority: p.priority,
      enabled: spec.enabled,
      action: spec.action,
      quick: spec.quick,
      log: spec.log,
      interfaces: p.interfaces,
      direction: spec.direction,
      families: familiesOf(spec.ipVersion),
      protocols: protocolsOf(spec.protocol),
      source: {
        addresses: resolver.addresses(spec.source.addresses),
        invert: spec.source.invert,
        port: resolver.port(spec.source.port)
      },
      destination: {
        addresses: resolver.addresses(spec.destination.addresses),
        invert: spec.destination.invert,
        port: resolver.port(spec.destination.port)
      }
    }
  })
  const byInterface = new Map<string, ReadonlyArray<CompiledRule>>()
  const forInterface = (name: string | undefined): ReadonlyArray<CompiledRule> => {
    if (name === undefined) return rules
    const cached = byInterface.get(name)
    if (cached !== undefined) return cached
    const list = rules.filter((r) => r.enabled && interfaceApplies(r.interfaces, name))
    byInterface.set(name, list)
    return list
  }
  return { input, rules, resolver, forInterface }
}

export const interfaceApplies = (match: InterfaceMatch, name: string): boolean =>
  match.kind === "all" ? true : match.kind === "only" ? match.names.has(name) : !match.names.has(name)

export const describeInterfaces = (match: InterfaceMatch): string =>
  match.kind === "all"
    ? "all interfaces (floating)"
    : match.kind === "only"
    ? [...match.names].join(", ")
    : `every interface except ${[...match.names].join(", ")}`

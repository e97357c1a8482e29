/**
 * Where a PolicyInput comes from: the desired state of a site (rule order = file order), a live
 * snapshot (sequence and origin as read; legacy and automatic rules included, read-only), or the
 * state a plan would leave behind (the live snapshot with the plan's changes applied).
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { DesiredSite, InterfaceNet, SiteConfig } from "../Domain/Desired.ts"
import { type LiveInterface, type LiveSnapshot } from "../Domain/Model.ts"
import type { Change, Plan, SourceRef } from "../Domain/Plan.ts"
import { AliasSpec, type LiveAlias } from "../Kinds/Alias/Spec.ts"
import { type LiveOneToOne, OneToOneSpec } from "../Kinds/OneToOne/Spec.ts"
import { type LiveOutboundNat, OutboundNatSpec } from "../Kinds/OutboundNat/Spec.ts"
import { type LivePortForward, PortForwardSpec } from "../Kinds/PortForward/Spec.ts"
import { type LiveRule, RuleSpec } from "../Kinds/Rule/Spec.ts"
import { kindsNotRead } from "../Opnsense/Unreadable.ts"
import type { PolicyInput, PolicyOneToOne, PolicyOutboundNat, PolicyPortForward, PolicyRule } from "./Domain.ts"

/**
 * What the firewall says of its interfaces ("192.168.1.1/24": network and own address), under what
 * sites.yaml declares: a declared interface replaces the firewall's account of it.
 */
const interfaceNets = (
  live: ReadonlyArray<LiveInterface> | undefined,
  declared: SiteConfig["interfaces"]
): SiteConfig["interfaces"] => {
  if (live === undefined || live.length === 0) return declared
  const nets: Record<string, InterfaceNet> = {}
  for (const i of live) {
    nets[i.identifier] = { networks: i.addresses, addresses: i.addresses.map((a) => a.split("/")[0] ?? a) }
  }
  return { ...nets, ...declared }
}

const siteSettings = (config: SiteConfig | undefined, live?: ReadonlyArray<LiveInterface>) => {
  const interfaces = interfaceNets(live, config?.interfaces)
  return {
    ...(config?.management !== undefined ? { management: config.management } : {}),
    ...(interfaces !== undefined ? { interfaces } : {}),
    ...(live !== undefined && live.length > 0
      ? { interfaceDescriptions: Object.fromEntries(live.map((i) => [i.identifier, i.description])) }
      : {}),
    ...(config?.sensitiveInterfaces !== undefined ? { sensitiveInterfaces: config.sensitiveInterfaces } : {}),
    ...(config !== undefined ? { severities: config.lint } : {})
  }
}

/** desired items evaluated in order: their position in the files is their sequence */
const inFileOrder = <S>(
  items: ReadonlyArray<{ readonly name: string; readonly spec: S; readonly source: SourceRef }>
) =>
  items.map((item, index) => ({
    name: item.name,
    spec: item.spec,
    sequence: index + 1,
    origin: "mvc" as const,
    source: item.source
  }))

export const fromDesired = (site: DesiredSite): PolicyInput => ({
  site: site.config.name,
  origin: "desired",
  rules: inFileOrder(site.rules),
  aliases: site.aliases.map((a) => ({ name: a.name, spec: a.spec, origin: "mvc", source: a.source })),
  portForwards: inFileOrder(site.port_forwards),
  oneToOne: inFileOrder(site.one_to_one_nat),
  outboundNat: inFileOrder(site.outbound_nat),
  // site-level findings (management path) point at sites.yaml, at the root of the desired state
  siteFile: "sites.yaml",
  ...siteSettings(site.config),
  ...(site.intents !== undefined && site.intents.length > 0 ? { intents: site.intents } : {})
})

/**
 * A live rule or NAT entry as the analysis takes it: named by its ownership marker,
 * else its description, else its uuid.
 */
const liveOrdered = <S extends { readonly description: string }>(entry: {
  readonly owner?: string | undefined
  readonly uuid: string
  readonly sequence: number
  readonly origin: PolicyRule["origin"]
  readonly spec: S
}) => ({
  name: entry.owner ?? (entry.spec.description !== "" ? entry.spec.description : entry.uuid),
  spec: entry.spec,
  sequence: entry.sequence,
  origin: entry.origin,
  uuid: entry.uuid
})

const liveRule = (rule: LiveRule): PolicyRule => liveOrdered(rule)
const liveForward = (forward: LivePortForward): PolicyPortForward => liveOrdered(forward)
const liveOneToOne = (entry: LiveOneToOne): PolicyOneToOne => liveOrdered(entry)
const liveOutboundNat = (entry: LiveOutboundNat): PolicyOutboundNat => liveOrdered(entry)

// a snapshot cached before port forwards (1:1 entries) were read has none
const forwardsOf = (snapshot: LiveSnapshot): ReadonlyArray<LivePortForward> =>
  (snapshot as Partial<LiveSnapshot>).port_forwards ?? []
const oneToOneOf = (snapshot: LiveSnapshot): ReadonlyArray<LiveOneToOne> =>
  (snapshot as Partial<LiveSnapshot>).one_to_one_nat ?? []
const outboundNatOf = (snapshot: LiveSnapshot): ReadonlyArray<LiveOutboundNat> =>
  (snapshot as Partial<LiveSnapshot>).outbound_nat ?? []

const liveAlias = (alias: LiveAlias) => ({ name: alias.spec.name, spec: alias.spec, origin: alias.origin })

/** the kinds the snapshot could not read, when there are any */
const notReadOf = (snapshot: LiveSnapshot) => {
  const notRead = kindsNotRead(snapshot)
  return notRead.length === 0 ? {} : { notRead }
}

export const fromLive = (snapshot: LiveSnapshot, config?: SiteConfig): PolicyInput => ({
  site: snapshot.site,
  origin: "live",
  rules: snapshot.rules.map(liveRule),
  aliases: snapshot.aliases.map(liveAlias),
  portForwards: forwardsOf(snapshot).map(liveForward),
  oneToOne: oneToOneOf(snapshot).map(liveOneToOne),
  outboundNat: outboundNatOf(snapshot).map(liveOutboundNat),
  ...notReadOf(snapshot),
  ...siteSettings(config, snapshot.interfaces)
})

/**
 * Entries by key (uuid) that can also be found by name, the first in insertion order as a scan of
 * the Map would find it, without the scan: fromPlan looks up a name for every change it applies.
 */
const namedEntries = <A extends { readonly name: string }>(initial: ReadonlyArray<readonly [string, A]>) => {
  const entries = new Map<string, A>()
  /** name → the keys with that name and when they entered `entries`, oldest first */
  const byName = new Map<string, Array<{ readonly key: string; readonly order: number }>>()
  const order = new Map<string, number>()
  let next = 0
  const unlink = (key: string, name: string) => {
    const keys = byName.get(name) ?? []
    keys.splice(keys.findIndex((k) => k.key === key), 1)
    if (keys.length === 0) byName.delete(name)
  }
  const link = (key: string, name: string, at: number) => {
    const keys = byName.get(name) ?? []
    const later = keys.findIndex((k) => k.order > at)
    keys.splice(later === -1 ? keys.length : later, 0, { key, order: at })
    byName.set(name, keys)
  }
  const set = (key: string, value: A) => {
    const previous = entries.get(key)
    const at = order.get(key) ?? next++
    if (previous !== undefined && previous.name !== value.name) unlink(key, previous.name)
    if (previous === undefined || previous.name !== value.name) link(key, value.name, at)
    order.set(key, at)
    entries.set(key, value)
  }
  const remove = (key: string) => {
    const previous = entries.get(key)
    if (previous === undefined) return
    unlink(key, previous.name)
    order.delete(key)
    entries.delete(key)
  }
  /** the key of `uuid` if it is there, else of the first entry named `name` */
  const find = (name: string, uuid: string | undefined): string | undefined =>
    uuid !== undefined && entries.has(uuid) ? uuid : byName.get(name)?.[0]?.key
  for (const [key, value] of initial) set(key, value)
  return { entries, set, remove, find }
}

const decodeAlias = Schema.decodeUnknownOption(AliasSpec)

/** the kinds evaluated in order (rules, port forwards, 1:1 NAT): a change needs its full spec and a sequence */
const ordered = <Spec, A extends { readonly name: string; readonly sequence: number }>(
  label: string,
  schema: Schema.Codec<Spec>,
  initial: ReadonlyArray<readonly [string, A]>,
  make: (name: string, spec: Spec, sequence: number, source: Change["source"]) => A
) => {
  const decode = Schema.decodeUnknownOption(schema)
  const entries = namedEntries(initial)
  const apply = (change: Change): string | undefined => {
    const key = entries.find(change.name, change.uuid) ?? `plan:${change.name}`
    if (change.action === "delete") {
      entries.remove(key)
      return undefined
    }
    const spec = decode(change.after)
    const sequence = change.sequence ?? entries.entries.get(key)?.sequence
    if (Option.isNone(spec) || sequence === undefined) {
      return `${label} ${change.name}: the plan does not carry its full spec and sequence`
    }
    entries.set(key, make(change.name, spec.value, sequence, change.source))
    return undefined
  }
  return { apply, values: () => [...entries.entries.values()] }
}

const planned = <S>(name: string, spec: S, sequence: number, source: Change["source"]) => ({
  name,
  spec,
  sequence,
  origin: "mvc" as const,
  ...(source !== undefined ? { source } : {})
})

/**
 * The live snapshot with a plan's rule, alias and NAT changes applied. Changes whose `after` does
 * not decode as a canonical spec are reported in `skipped` rather than guessed at.
 */
export const fromPlan = (
  snapshot: LiveSnapshot,
  plan: Plan,
  config?: SiteConfig
): { readonly input: PolicyInput; readonly skipped: ReadonlyArray<string> } => {
  const aliases = namedEntries(snapshot.aliases.map((a) => [a.uuid, liveAlias(a)] as const))
  const rules = ordered("rule", RuleSpec, snapshot.rules.map((r) => [r.uuid, liveRule(r)] as const), planned)
  const forwards = ordered(
    "port forward",
    PortForwardSpec,
    forwardsOf(snapshot).map((f) => [f.uuid, liveForward(f)] as const),
    planned
  )
  const oneToOne = ordered(
    "1:1 NAT entry",
    OneToOneSpec,
    oneToOneOf(snapshot).map((e) => [e.uuid, liveOneToOne(e)] as const),
    planned
  )
  const outboundNat = ordered(
    "outbound NAT rule",
    OutboundNatSpec,
    outboundNatOf(snapshot).map((e) => [e.uuid, liveOutboundNat(e)] as const),
    planned
  )
  const byKind = new Map<string, { readonly apply: (change: Change) => string | undefined }>([
    ["rule", rules],
    ["port_forward", forwards],
    ["one_to_one_nat", oneToOne],
    ["outbound_nat", outboundNat]
  ])
  const skipped: Array<string> = []
  for (const change of plan.changes) {
    if (change.kind === "alias") {
      const key = aliases.find(change.name, change.uuid) ?? `plan:${change.name}`
      if (change.action === "delete") {
        aliases.remove(key)
        continue
      }
      const spec = decodeAlias(change.after)
      if (Option.isNone(spec)) {
        skipped.push(`alias ${change.name}: the plan does not carry its full spec`)
        continue
      }
      aliases.set(key, { name: spec.value.name, spec: spec.value, origin: "mvc" })
      continue
    }
    const problem = byKind.get(change.kind)?.apply(change)
    if (problem !== undefined) skipped.push(problem)
  }
  return {
    input: {
      site: snapshot.site,
      origin: "plan",
      rules: rules.values(),
      aliases: [...aliases.entries.values()],
      portForwards: forwards.values(),
      oneToOne: oneToOne.values(),
      outboundNat: outboundNat.values(),
      ...notReadOf(snapshot),
      ...siteSettings(config, snapshot.interfaces)
    },
    skipped
  }
}

/**
 * Live or planned rules with the desired state's intents to answer to, and its aliases to read the
 * intents' ends with (they may not be on the firewall yet).
 */
export const withDesiredIntents = (input: PolicyInput, site: DesiredSite): PolicyInput =>
  site.intents === undefined || site.intents.length === 0 ? input : {
    ...input,
    intents: site.intents,
    intentAliases: site.aliases.map((a) => ({ name: a.name, spec: a.spec, origin: "mvc" as const, source: a.source }))
  }

/**
 * The registered kinds, and what follows from them: the apply order, the subsystems, the shapes
 * of the loaded site, the live snapshot and the client. Adding a kind is one line in `registered`.
 *
 * Order: a kind is written after the kinds it depends on (`dependsOn`), and among kinds that are
 * ready, the one more kinds depend on goes first (then registration order). Deletes of kinds
 * nothing depends on go first of all (a rule is gone before the alias it used); deletes of the
 * others go last, in reverse write order. Subsystems are reconfigured in registration order.
 */
import * as Schema from "effect/Schema"
import type { LiveSnapshot } from "../Domain/Model.ts"
import { FirmwareVersion, LiveInterface, UnreadableKind } from "../Domain/Model.ts"
import { alias } from "./Alias/index.ts"
import { assignment } from "./Assignment/index.ts"
import { dhcpReservation } from "./DhcpReservation/index.ts"
import { dhcpSubnet } from "./DhcpSubnet/index.ts"
import { domainOverride } from "./DomainOverride/index.ts"
import { gateway } from "./Gateway/index.ts"
import { hostOverride } from "./HostOverride/index.ts"
import type { AnyKind, DesiredItem, Kind, KindApi, LiveItem } from "./Kind.ts"
import { oneToOne } from "./OneToOne/index.ts"
import { outboundNat } from "./OutboundNat/index.ts"
import { outboundNatMode } from "./OutboundNat/Mode.ts"
import { portForward } from "./PortForward/index.ts"
import { route } from "./Route/index.ts"
import { rule } from "./Rule/index.ts"
import { vlan } from "./Vlan/index.ts"

const registered = [
  vlan,
  alias,
  rule,
  dhcpSubnet,
  dhcpReservation,
  outboundNat,
  oneToOne,
  outboundNatMode,
  hostOverride,
  domainOverride,
  route,
  gateway,
  portForward,
  assignment
] as const

export type RegisteredKind = (typeof registered)[number]

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SpecOf<K> = K extends Kind<any, any, infer S, any, any> ? S : never
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LiveOf<K> = K extends Kind<any, any, any, infer L, any> ? L : never

/** The loaded site's items per kind: `site.rules`, `site.aliases`, ... */
export type DesiredCollections = {
  readonly [K in RegisteredKind as K["collection"]]: ReadonlyArray<DesiredItem<SpecOf<K>>>
}
/** The snapshot's objects per kind: `live.rules`, ... */
export type LiveCollections = { readonly [K in RegisteredKind as K["collection"]]: ReadonlyArray<LiveOf<K>> }
/** The client's calls per kind: `client.rules`, ... */
export type ClientCollections = {
  readonly [K in RegisteredKind as K["collection"]]: KindApi<SpecOf<K>, LiveOf<K>>
}

/** Every registered kind, in registration order. */
export const kinds: ReadonlyArray<AnyKind> = registered
const all = kinds

/** Every collection, empty: a site or snapshot that holds nothing yet (and fixtures that name only some kinds). */
export type EmptyCollections = { readonly [K in RegisteredKind as K["collection"]]: ReadonlyArray<never> }
export const emptyCollections = (): EmptyCollections =>
  Object.fromEntries(all.map((k) => [k.collection, []])) as unknown as EmptyCollections

const byName = new Map(all.map((k) => [k.name, k]))
const byCollection = new Map(all.map((k) => [k.collection, k]))

export const kindNames: ReadonlyArray<string> = all.map((k) => k.name)
export const collections: ReadonlyArray<string> = all.map((k) => k.collection)

/** A kind's name as tool inputs take it: one of the registered names. */
export const KindName = Schema.Literals(kindNames)

/** The kind of a plan's `kind`, or undefined for a name no kind has. */
export const kindNamed = (name: string): AnyKind | undefined => byName.get(name)
/** The kind of a top-level YAML key. */
export const kindAt = (collection: string): AnyKind | undefined => byCollection.get(collection)

/** A registered kind by name; the name comes from our own data (a plan, the journal), so it must exist. */
export const kindOf = (name: string): AnyKind => {
  const kind = byName.get(name)
  if (kind === undefined) throw new Error(`"${name}" is not a kind of object opnsense-mcp manages`)
  return kind
}

/** How many kinds depend on each kind. */
const dependents = (name: string): number => all.filter((k) => k.dependsOn.includes(name)).length

/** Kinds in write order: each after the kinds it depends on; among ready ones, the most depended on first. */
export const writeOrder: ReadonlyArray<AnyKind> = (() => {
  const out: Array<AnyKind> = []
  const placed = new Set<string>()
  while (out.length < all.length) {
    const ready = all.filter((k) => !placed.has(k.name) && k.dependsOn.every((d) => placed.has(d) || !byName.has(d)))
    // a dependency cycle: take the next kind in registration order
    const candidates = ready.length > 0 ? ready : all.filter((k) => !placed.has(k.name))
    const next = candidates.reduce<AnyKind | undefined>(
      (best, k) => (best === undefined || dependents(k.name) > dependents(best.name) ? k : best),
      undefined
    )
    if (next === undefined) break
    placed.add(next.name)
    out.push(next)
  }
  return out
})()

/** Kinds other kinds depend on: their deletes wait until the end, after every write. */
const dependedOn = new Set(all.flatMap((k) => k.dependsOn))

/** Delete phases: kinds nothing depends on first (before any write); the others after every write, in reverse. */
export const deletesFirst: ReadonlyArray<AnyKind> = [...writeOrder].reverse().filter((k) => !dependedOn.has(k.name))
export const deletesLast: ReadonlyArray<AnyKind> = [...writeOrder].reverse().filter((k) => dependedOn.has(k.name))

/** Subsystems in reconfigure order, each with the kind whose client reconfigures it. */
export const subsystems: ReadonlyArray<{ readonly name: string; readonly kind: AnyKind }> = all.flatMap((k, i) =>
  all.findIndex((other) => other.subsystem === k.subsystem) === i ? [{ name: k.subsystem, kind: k }] : []
)
export const subsystemOrder: ReadonlyArray<string> = subsystems.map((s) => s.name)

/** The kind whose client reconfigures a subsystem. */
export const reconfigurerOf = (subsystem: string): AnyKind | undefined =>
  subsystems.find((s) => s.name === subsystem)?.kind

/** A site's items of one kind. */
export const desiredOf = (site: object, kind: AnyKind): ReadonlyArray<DesiredItem<unknown>> =>
  (site as Readonly<Record<string, ReadonlyArray<DesiredItem<unknown>> | undefined>>)[kind.collection] ?? []

/** A snapshot's objects of one kind (none when an older cached snapshot lacks the kind). */
export const liveOf = (live: LiveSnapshot, kind: AnyKind): ReadonlyArray<LiveItem<unknown>> =>
  (live as unknown as Readonly<Record<string, ReadonlyArray<LiveItem<unknown>> | undefined>>)[kind.collection] ?? []

/** A client's calls for one kind. */
export const apiOf = (client: object, kind: AnyKind): KindApi<unknown, LiveItem<unknown>> =>
  (client as Readonly<Record<string, KindApi<unknown, LiveItem<unknown>>>>)[kind.collection] as KindApi<
    unknown,
    LiveItem<unknown>
  >

/** One entry per kind, by name (inventories, counts). */
export const perKind = <A>(f: (kind: AnyKind) => A): Record<string, A> =>
  Object.fromEntries(all.map((k) => [k.name, f(k)]))

/** "2 vlans, 3 aliases, 10 rules, 1 gateways": the kinds with objects, by top-level key, in registration order. */
export const countsText = (counts: Readonly<Record<string, number>>): string =>
  all.filter((k) => (counts[k.name] ?? 0) > 0).map((k) => `${counts[k.name] ?? 0} ${k.collection}`).join(", ") ||
  "nothing"

/** The live snapshot as the cache stores it. */
export const LiveSnapshotSchema = Schema.Struct({
  site: Schema.String,
  version: FirmwareVersion,
  fetchedAt: Schema.String,
  ...Object.fromEntries(all.map((k) => [k.collection, Schema.Array(k.live)])),
  /** the firewall's interfaces; absent when they could not be read (no privilege, older snapshot) */
  interfaces: Schema.optional(Schema.Array(LiveInterface)),
  /** kinds the API key may not read, held empty; absent when every kind was read (and in older snapshots) */
  unreadable: Schema.optional(Schema.Array(UnreadableKind)),
  /** true when served from cache while the firewall was unreachable (circuit open) */
  stale: Schema.Boolean
}) as unknown as Schema.Codec<LiveSnapshot, unknown>

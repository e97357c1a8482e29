/**
 * Desired against live, per kind, on canonical specs only. Produces the unordered changes of a
 * site; Order.ts puts them in execution order. A matched object with equal specs (and, for rules,
 * an unchanged sequence) produces nothing, which is what makes the plan after an apply empty.
 */
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { Change, FieldDiff } from "../Domain/Plan.ts"
import type { AnyKind, DesiredItem, LiveItem } from "../Kinds/Kind.ts"
import { desiredOf, kinds, liveOf, perKind } from "../Kinds/Registry.ts"
import type { Inventory } from "../Store/StateFile.ts"
import { type Identified, identify, type Match } from "./Identity.ts"
import { compileSequences } from "./Sequence.ts"

/** name → uuid per kind, as state.json keeps it for a site */
export type { Inventory }
export const emptyInventory: Inventory = perKind(() => ({}))

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const sameItems = (a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Equal as fieldDiff sees it (records by key, everything else by its JSON), without building the list. */
const sameValue = (from: unknown, to: unknown): boolean => {
  if (from === to) return true
  if (isRecord(from) && isRecord(to)) {
    const fromKeys = Object.keys(from)
    const toKeys = Object.keys(to)
    for (const key of fromKeys) if (!sameValue(from[key], to[key])) return false
    // specs from one normaliser have the same keys in the same order: nothing left to compare
    if (sameItems(fromKeys, toKeys)) return true
    for (const key of toKeys) if (!Object.hasOwn(from, key) && !sameValue(from[key], to[key])) return false
    return true
  }
  // two different strings never have the same JSON, and sets with the same members in order do
  if (typeof from === "string" && typeof to === "string") return false
  if (Array.isArray(from) && Array.isArray(to) && sameItems(from, to)) return true
  return JSON.stringify(from) === JSON.stringify(to)
}

const differences = (from: unknown, to: unknown, path: string): ReadonlyArray<FieldDiff> => {
  if (isRecord(from) && isRecord(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()
    return keys.flatMap((key) => differences(from[key], to[key], path === "" ? key : `${path}.${key}`))
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ path, from: from ?? null, to: to ?? null }]
}

/**
 * Field-level differences between two canonical values; sets (arrays) compare as a whole. Most
 * matched pairs are equal, so equality is checked first and the sorted field walk runs only for
 * the pairs that differ.
 */
export const fieldDiff = (from: unknown, to: unknown, path = ""): ReadonlyArray<FieldDiff> =>
  sameValue(from, to) ? [] : differences(from, to, path)

/** What identity found for each kind, by kind name. */
export type SiteIdentity = Readonly<Record<string, Identified<unknown, LiveItem<unknown>>>>

/** The identity of one kind (none found: nothing desired, nothing live). */
export const identityOf = (identity: SiteIdentity, kind: AnyKind): Identified<unknown, LiveItem<unknown>> =>
  identity[kind.name] ?? { matches: [], unmatched: [], orphans: [], unmanaged: [], readOnly: [] }

export const identifyKind = (
  kind: AnyKind,
  desired: DesiredSite,
  live: LiveSnapshot,
  inventory: Inventory
): Identified<unknown, LiveItem<unknown>> =>
  identify({
    desired: desiredOf(desired, kind),
    live: liveOf(live, kind),
    inventory: inventory[kind.name] ?? {},
    adoptionKey: kind.identity.adoptionKey,
    ...(kind.identity.readOnly === undefined ? {} : { readOnly: kind.identity.readOnly }),
    ...(kind.setting === undefined ? {} : { setting: true }),
    ...(kind.identity.writable === undefined ? {} : { writable: kind.identity.writable })
  })

export const identifySite = (desired: DesiredSite, live: LiveSnapshot, inventory: Inventory): SiteIdentity =>
  perKind((kind) => identifyKind(kind, desired, live, inventory))

const ownerDiff = <S, L extends LiveItem<S>>(match: Match<S, L>): ReadonlyArray<FieldDiff> =>
  match.live.owner === match.desired.name || (match.by === "inventory" && match.live.owner === undefined)
    ? []
    : [{ path: "owner", from: match.live.owner ?? null, to: match.desired.name }]

const reasonFor = <S, L extends LiveItem<S>>(match: Match<S, L>): string | undefined =>
  match.by === "adopted"
    ? match.live.owner === undefined
      ? "adopt: an unmanaged object with the same key exists; the update makes it managed (adds the ownership marker where the kind has one)"
      : `adopt: was managed as "${match.live.owner}", which left the desired state`
    : undefined

const withOptional = <A extends object>(
  base: A,
  extra: { readonly reason?: string | undefined; readonly sequence?: number | undefined }
) => ({
  ...base,
  ...(extra.reason === undefined ? {} : { reason: extra.reason }),
  ...(extra.sequence === undefined ? {} : { sequence: extra.sequence })
})

const kindChanges = <S, L extends LiveItem<S>>(
  kind: string,
  identified: Identified<S, L>,
  label: (live: L) => string,
  pruneUnmanaged: boolean
): Array<Change> => {
  const changes: Array<Change> = []
  for (const match of identified.matches) {
    const diff = [...fieldDiff(match.live.spec, match.desired.spec), ...ownerDiff(match)]
    if (diff.length === 0) continue
    changes.push(withOptional(
      {
        action: "update",
        kind,
        name: match.desired.name,
        uuid: match.live.uuid,
        before: match.live.spec,
        after: match.desired.spec,
        diff,
        source: match.desired.source
      },
      { reason: reasonFor(match) }
    ))
  }
  for (const desired of identified.unmatched) {
    changes.push({ action: "create", kind, name: desired.name, after: desired.spec, source: desired.source })
  }
  for (const orphan of identified.orphans) {
    changes.push({
      action: "delete",
      kind,
      name: orphan.name,
      uuid: orphan.live.uuid,
      before: orphan.live.spec,
      reason: orphan.why
    })
  }
  if (pruneUnmanaged) {
    for (const live of identified.unmanaged) {
      changes.push({
        action: "delete",
        kind,
        name: label(live),
        uuid: live.uuid,
        before: live.spec,
        reason: "unmanaged; the site's policy prunes unmanaged objects (prune_unmanaged in sites.yaml)"
      })
    }
  }
  return changes
}

/**
 * The sequence every desired item of an ordered kind should have, by name: compiled from YAML
 * order with gaps, the matched live objects keeping theirs where the order already holds. Plan
 * and drift both use it.
 */
export const sequenceTargets = (
  kind: AnyKind,
  desired: ReadonlyArray<DesiredItem<unknown>>,
  identified: Identified<unknown, LiveItem<unknown>>,
  live: LiveSnapshot
): ReadonlyMap<string, number> => {
  const order = kind.sequence
  if (order === undefined) return new Map()
  const byName = new Map(identified.matches.map((m) => [m.desired.name, m]))
  const targets = compileSequences(
    desired.map((d) => {
      const match = byName.get(d.name)
      return match === undefined ? undefined : order.of(match.live)
    }),
    order.max(live.version)
  )
  return new Map(desired.map((d, i) => [d.name, targets[i] ?? 0]))
}

/** Ordered kinds also carry their sequence: compiled from YAML order, kept where the order already holds. */
const orderedChanges = (
  kind: AnyKind,
  desired: ReadonlyArray<DesiredItem<unknown>>,
  identified: Identified<unknown, LiveItem<unknown>>,
  live: LiveSnapshot,
  prune: boolean
): Array<Change> => {
  const sequenceOfLive = (l: LiveItem<unknown>) => kind.sequence?.of(l)
  const byName = new Map(identified.matches.map((m) => [m.desired.name, m]))
  const sequenceOf = sequenceTargets(kind, desired, identified, live)
  const changes = kindChanges(kind.name, identified, kind.identity.label, prune).map((change): Change => {
    const sequence = change.action === "delete" ? undefined : sequenceOf.get(change.name)
    if (change.action !== "update" || sequence === undefined) {
      return sequence === undefined
        ? change
        : { ...change, sequence }
    }
    const match = byName.get(change.name)
    const from = match === undefined ? undefined : sequenceOfLive(match.live)
    return {
      ...change,
      sequence,
      diff: [
        ...(change.diff ?? []),
        ...(from === sequence ? [] : [{ path: "sequence", from: from ?? null, to: sequence }])
      ]
    }
  })
  // objects whose fields are equal but whose place in the order changed: an update of the sequence only
  const updated = new Set(changes.filter((c) => c.action === "update").map((c) => c.name))
  for (const match of identified.matches) {
    const target = sequenceOf.get(match.desired.name)
    const current = sequenceOfLive(match.live)
    if (updated.has(match.desired.name) || target === undefined || target === current) continue
    changes.push({
      action: "update",
      kind: kind.name,
      name: match.desired.name,
      uuid: match.live.uuid,
      before: match.live.spec,
      after: match.desired.spec,
      sequence: target,
      source: match.desired.source,
      diff: [{ path: "sequence", from: current ?? null, to: target }],
      reason: "reorder: its place in the YAML order moved"
    })
  }
  return changes
}

/** All changes for one site, unordered. */
export const diffSite = (
  desired: DesiredSite,
  live: LiveSnapshot,
  inventory: Inventory
): { readonly changes: ReadonlyArray<Change>; readonly identity: SiteIdentity } => {
  const identity = identifySite(desired, live, inventory)
  return {
    identity,
    changes: kinds.flatMap((kind): ReadonlyArray<Change> => {
      const prune = desired.config.pruneUnmanaged && kind.identity.keepUnmanaged === undefined
      return kind.sequence === undefined
        ? kindChanges(kind.name, identityOf(identity, kind), kind.identity.label, prune)
        : orderedChanges(kind, desiredOf(desired, kind), identityOf(identity, kind), live, prune)
    })
  }
}

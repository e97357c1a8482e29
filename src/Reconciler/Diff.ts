/**
 * Desired against live, per kind, on canonical specs only. Produces the unordered changes of a
 * site; Order.ts puts them in execution order. A matched object with equal specs (and, for rules,
 * an unchanged sequence) produces nothing, which is what makes the plan after an apply empty.
 */
import type { DesiredSite } from "../Domain/Desired.ts"
import type {
  AliasSpec,
  LiveAlias,
  LiveRule,
  LiveSnapshot,
  LiveVlan,
  ResourceKind,
  RuleSpec,
  VlanSpec
} from "../Domain/Model.ts"
import type { Change, FieldDiff } from "../Domain/Plan.ts"
import type { Inventory } from "../Store/StateFile.ts"
import { type Identified, identify, type LiveItem, type Match } from "./Identity.ts"
import { compileSequences, maxSequence } from "./Sequence.ts"

/** name → uuid per kind, as state.json keeps it for a site */
export type { Inventory }
export const emptyInventory: Inventory = { vlan: {}, alias: {}, rule: {} }

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

/**
 * Built-in aliases (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/static_aliases/core.json)
 * are excluded whatever the client reports. */
const BUILTIN_ALIASES = new Set(["bogons", "bogonsv6", "virusprot", "sshlockout"])
export const isBuiltinAlias = (alias: LiveAlias): boolean =>
  alias.origin === "builtin" || alias.spec.name.startsWith("__") || BUILTIN_ALIASES.has(alias.spec.name)

export const vlanKey = (spec: VlanSpec): string => `${spec.parent}.${spec.tag}`
export const ruleKey = (spec: RuleSpec): string => JSON.stringify(spec)

export interface SiteIdentity {
  readonly vlans: Identified<VlanSpec, LiveVlan>
  readonly aliases: Identified<AliasSpec, LiveAlias>
  readonly rules: Identified<RuleSpec, LiveRule>
}

export const identifySite = (desired: DesiredSite, live: LiveSnapshot, inventory: Inventory): SiteIdentity => ({
  vlans: identify({ desired: desired.vlans, live: live.vlans, inventory: inventory.vlan, adoptionKey: vlanKey }),
  aliases: identify({
    desired: desired.aliases,
    live: live.aliases,
    inventory: inventory.alias,
    adoptionKey: (spec) => spec.name,
    readOnly: isBuiltinAlias
  }),
  rules: identify({ desired: desired.rules, live: live.rules, inventory: inventory.rule, adoptionKey: ruleKey })
})

const ownerDiff = <S, L extends LiveItem<S>>(match: Match<S, L>): ReadonlyArray<FieldDiff> =>
  match.live.owner === match.desired.name || (match.by === "inventory" && match.live.owner === undefined)
    ? []
    : [{ path: "owner", from: match.live.owner ?? null, to: match.desired.name }]

const reasonFor = <S, L extends LiveItem<S>>(match: Match<S, L>): string | undefined =>
  match.by === "adopted"
    ? match.live.owner === undefined
      ? "adopt: an unmanaged object with the same key exists; the update adds the ownership marker"
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
  kind: ResourceKind,
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
 * The sequence every desired rule should have, by name: compiled from YAML order with gaps, the
 * matched live rules keeping theirs where the order already holds. Plan and drift both use it.
 */
export const ruleSequenceTargets = (
  desired: DesiredSite,
  identified: Identified<RuleSpec, LiveRule>,
  live: LiveSnapshot
): ReadonlyMap<string, number> => {
  const byName = new Map(identified.matches.map((m) => [m.desired.name, m]))
  const targets = compileSequences(
    desired.rules.map((r) => byName.get(r.name)?.live.sequence),
    maxSequence(live.version)
  )
  return new Map(desired.rules.map((r, i) => [r.name, targets[i] ?? 0]))
}

/** Rules also carry their sequence: compiled from YAML order, kept where the order already holds. */
const ruleChanges = (
  desired: DesiredSite,
  identified: Identified<RuleSpec, LiveRule>,
  live: LiveSnapshot,
  prune: boolean
): Array<Change> => {
  const byName = new Map(identified.matches.map((m) => [m.desired.name, m]))
  const sequenceOf = ruleSequenceTargets(desired, identified, live)
  const changes = kindChanges("rule", identified, (l) => l.spec.description || l.uuid, prune).map((change): Change => {
    const sequence = change.action === "delete" ? undefined : sequenceOf.get(change.name)
    if (change.action !== "update" || sequence === undefined) {
      return sequence === undefined
        ? change
        : { ...change, sequence }
    }
    const from = byName.get(change.name)?.live.sequence
    return {
      ...change,
      sequence,
      diff: [
        ...(change.diff ?? []),
        ...(from === sequence ? [] : [{ path: "sequence", from: from ?? null, to: sequence }])
      ]
    }
  })
  // rules whose fields are equal but whose place in the order changed: an update of the sequence only
  const updated = new Set(changes.filter((c) => c.action === "update").map((c) => c.name))
  for (const match of identified.matches) {
    const target = sequenceOf.get(match.desired.name)
    if (updated.has(match.desired.name) || target === undefined || target === match.live.sequence) continue
    changes.push({
      action: "update",
      kind: "rule",
      name: match.desired.name,
      uuid: match.live.uuid,
      before: match.live.spec,
      after: match.desired.spec,
      sequence: target,
      source: match.desired.source,
      diff: [{ path: "sequence", from: match.live.sequence, to: target }],
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
  const prune = desired.config.pruneUnmanaged
  return {
    identity,
    changes: [
      ...kindChanges("vlan", identity.vlans, (l) => l.device, prune),
      ...kindChanges("alias", identity.aliases, (l) => l.spec.name, prune),
      ...ruleChanges(desired, identity.rules, live, prune)
    ]
  }
}

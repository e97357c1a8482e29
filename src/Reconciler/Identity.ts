/**
 * Which live object is which desired object. In this order:
 *
 * 1. the ownership marker (`[gitops:<name>]` at the end of the description, parsed by the client
 *    into `owner`), which survives the loss of DATA_DIR;
 * 2. the key → uuid inventory in state.json;
 * 3. adoption: a live object nobody in the desired state claims, with the same natural key
 *    (alias: its name; VLAN: parent + tag; rule: every field equal). Objects owned by a name that
 *    left the desired state are adoptable too, so renaming an item in YAML is an update of its
 *    marker rather than a delete and a create.
 *
 * What is left is either owned (marker or inventory) and no longer desired, a prune candidate that
 * the plan deletes with a reason, or unmanaged, which is never touched unless the site opts in.
 * Objects the API cannot write (built-in aliases, legacy and automatic rules) are read-only.
 */
import type { Origin } from "../Domain/Model.ts"
import type { DesiredItem, LiveItem } from "../Kinds/Kind.ts"

export type { DesiredItem, LiveItem } from "../Kinds/Kind.ts"

export type MatchedBy = "marker" | "inventory" | "adopted"

export interface Match<S, L extends LiveItem<S>> {
  readonly desired: DesiredItem<S>
  readonly live: L
  readonly by: MatchedBy
}

/**
 * How an orphan is owned:
 * - `duplicate-marker`: a second object carrying the marker a desired item already matched;
 * - `unrecorded-marker`: a marker naming no desired item, on an object state.json never recorded
 *   under that name (copied or typed into a description, or the record was lost with DATA_DIR);
 * - `marker`: a marker naming no desired item, on the object state.json recorded under it (we
 *   created it and its item left the desired state);
 * - `inventory`: no marker, only a state.json record.
 *
 * The first two are forged as far as we can tell: drift reports them (Drift.ts).
 */
export type OrphanCause = "duplicate-marker" | "unrecorded-marker" | "marker" | "inventory"

export interface Orphan<L> {
  readonly live: L
  readonly name: string
  readonly why: string
  readonly cause: OrphanCause
}

export interface Identified<S, L extends LiveItem<S>> {
  readonly matches: ReadonlyArray<Match<S, L>>
  /** desired items with no live object: to create */
  readonly unmatched: ReadonlyArray<DesiredItem<S>>
  /** owned live objects that no desired item claims: to delete (with the name they were owned as) */
  readonly orphans: ReadonlyArray<Orphan<L>>
  /** writable objects nobody manages */
  readonly unmanaged: ReadonlyArray<L>
  /** objects the API cannot write */
  readonly readOnly: ReadonlyArray<L>
}

/** A live object whose marker names `owner`, which no desired item claims. */
export const markerOrphan = <L extends { readonly uuid: string }>(
  live: L,
  owner: string,
  inventory: Readonly<Record<string, string>>
): Orphan<L> =>
  inventory[owner] === live.uuid
    ? { live, name: owner, why: "removed from the desired state", cause: "marker" }
    : {
      live,
      name: owner,
      why: `marked "${owner}", which is not in the desired state, and never recorded in state.json: a copied or ` +
        "hand-written marker, or DATA_DIR was lost",
      cause: "unrecorded-marker"
    }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Only MVC objects with a real uuid can be written; everything else is read-only, whatever it claims. */
export const isWritable = (item: { readonly origin: Origin; readonly uuid: string }): boolean =>
  item.origin === "mvc" && UUID.test(item.uuid)

/** Items by a key, each list in input order. */
const groupBy = <A, K>(items: ReadonlyArray<A>, key: (item: A) => K): Map<K, Array<A>> => {
  const groups = new Map<K, Array<A>>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [item])
    else group.push(item)
  }
  return groups
}

/** A list read front to back across calls. */
interface Queue<A> {
  readonly items: ReadonlyArray<A>
  next: number
}

/**
 * The next item that passes, consuming the ones before it: during adoption an object that fails
 * once (claimed, or owned by a desired name) fails for good, so many equal keys stay linear.
 */
const takeFirst = <A>(queue: Queue<A> | undefined, passes: (item: A) => boolean): A | undefined => {
  while (queue !== undefined && queue.next < queue.items.length) {
    const item = queue.items[queue.next++]
    if (item !== undefined && passes(item)) return item
  }
  return undefined
}

export const identify = <S, L extends LiveItem<S>>(options: {
  readonly desired: ReadonlyArray<DesiredItem<S>>
  readonly live: ReadonlyArray<L>
  /** name → uuid from state.json */
  readonly inventory: Readonly<Record<string, string>>
  /** the natural key used for adoption; undefined = never adopt */
  readonly adoptionKey: (spec: S) => string | undefined
  /** extra read-only test (e.g. built-in alias names) */
  readonly readOnly?: (live: L) => boolean
  /** a site setting (src/Kinds/Kind.ts `setting`): one value, matched by its name, never created or deleted */
  readonly setting?: boolean
  /** the kind's own writability test, instead of isWritable (Kind.identity.writable) */
  readonly writable?: (live: L) => boolean
}): Identified<S, L> => {
  if (options.setting === true) return identifySetting(options.desired, options.live)
  const writableTest = options.writable ?? isWritable
  const readOnly = options.live.filter((l) => !writableTest(l) || options.readOnly?.(l) === true)
  // indexes built once per call: every step below looks up instead of scanning all live objects
  const readOnlySet = new Set(readOnly)
  const writable = options.live.filter((l) => !readOnlySet.has(l))
  const byOwner = groupBy(writable, (l) => l.owner)
  const byUuid = groupBy(writable, (l) => l.uuid)
  const desiredNames = new Set(options.desired.map((d) => d.name))
  const inventoryUuids = new Map(Object.entries(options.inventory).map(([name, uuid]) => [uuid, name]))
  const used = new Set<L>()
  const matched = new Map<string, Match<S, L>>()
  const orphans: Array<Orphan<L>> = []

  // 1. marker; several objects with one marker (a crash between create and record) keep one
  for (const desired of options.desired) {
    const owned = byOwner.get(desired.name) ?? []
    if (owned.length === 0) continue
    const preferred = owned.find((l) => l.uuid === options.inventory[desired.name]) ?? owned[0]
    if (preferred === undefined) continue
    used.add(preferred)
    matched.set(desired.name, { desired, live: preferred, by: "marker" })
    for (const duplicate of owned) {
      if (duplicate === preferred) continue
      used.add(duplicate)
      orphans.push({
        live: duplicate,
        name: desired.name,
        why: `duplicate of ${preferred.uuid} (same ownership marker)`,
        cause: "duplicate-marker"
      })
    }
  }
  // a live object may only be claimed by inventory/adoption when its marker names nobody desired
  const claimable = (l: L) => !used.has(l) && (l.owner === undefined || !desiredNames.has(l.owner))

  // 2. inventory
  for (const desired of options.desired) {
    if (matched.has(desired.name)) continue
    const uuid = options.inventory[desired.name]
    const live = uuid === undefined ? undefined : byUuid.get(uuid)?.find(claimable)
    if (live === undefined) continue
    used.add(live)
    matched.set(desired.name, { desired, live, by: "inventory" })
  }

  // 3. adoption by natural key; the key index is built only when some desired item gets this far
  let byKey: Map<string | undefined, Queue<L>> | undefined
  const adoptable = (l: L) => claimable(l) && !isInventoried(l)
  for (const desired of options.desired) {
    if (matched.has(desired.name)) continue
    const key = options.adoptionKey(desired.spec)
    if (key === undefined) continue
    byKey ??= new Map(
      [...groupBy(writable, (l) => options.adoptionKey(l.spec))].map(([k, items]) => [k, { items, next: 0 }])
    )
    const live = takeFirst(byKey.get(key), adoptable)
    if (live === undefined) continue
    used.add(live)
    matched.set(desired.name, { desired, live, by: "adopted" })
  }
  function isInventoried(l: L): boolean {
    const name = inventoryUuids.get(l.uuid)
    return name !== undefined && desiredNames.has(name)
  }

  const unmanaged: Array<L> = []
  for (const live of writable) {
    if (used.has(live)) continue
    if (live.owner !== undefined) orphans.push(markerOrphan(live, live.owner, options.inventory))
    else {
      const name = inventoryUuids.get(live.uuid)
      if (name !== undefined) {
        orphans.push({ live, name, why: "removed from the desired state (recorded in state.json)", cause: "inventory" })
      } else unmanaged.push(live)
    }
  }

  return {
    matches: options.desired.flatMap((d) => {
      const m = matched.get(d.name)
      return m === undefined ? [] : [m]
    }),
    unmatched: options.desired.filter((d) => !matched.has(d.name)),
    orphans,
    unmanaged,
    readOnly
  }
}

/**
 * A site setting: its one live object (owned by the setting's name) is matched to the site's
 * value; without a value it is read-only; a value with no live object (a version whose API
 * cannot read it) is neither matched nor to create: the plan warns about it instead.
 */
const identifySetting = <S, L extends LiveItem<S>>(
  desired: ReadonlyArray<DesiredItem<S>>,
  live: ReadonlyArray<L>
): Identified<S, L> => {
  const matches = desired.flatMap((d) => {
    const l = live.find((x) => x.owner === d.name)
    return l === undefined ? [] : [{ desired: d, live: l, by: "marker" as const }]
  })
  const used = new Set<L>(matches.map((m) => m.live))
  return { matches, unmatched: [], orphans: [], unmanaged: [], readOnly: live.filter((l) => !used.has(l)) }
}

/**
 * Import: YAML for live objects in the repository layout (vlans.yaml, aliases.yaml, rules.yaml in
 * the site folder), written so that loading it gives back the same canonical specs and therefore,
 * with the imported objects recorded in the inventory, an empty plan. Built-in aliases and
 * legacy/automatic rules are left out: the API cannot write them.
 *
 * Into a desired state that already holds items, `adoptionEdits` adds only the live objects no
 * desired item claims (the plan's own identity: marker, state.json, natural key), as edits for the
 * desired state's editor, so existing items, comments and formatting stay as they are.
 *
 * The YAML itself comes from src/DesiredState/Render.ts, the one spec → friendly YAML renderer.
 */
import type { Edit } from "../DesiredState/Edit.ts"
import { type RenderInput, renderYaml } from "../DesiredState/Render.ts"
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot, ResourceKind } from "../Domain/Model.ts"
import type { ImportResult } from "../Domain/Reports.ts"
import type { AnyKind, LiveItem } from "../Kinds/Kind.ts"
import { desiredOf, kinds, liveOf, perKind } from "../Kinds/Registry.ts"
import type { Inventory } from "../Store/StateFile.ts"
import { identifySite, identityOf } from "./Diff.ts"
import { type Identified, isWritable } from "./Identity.ts"
import { unreadableKinds } from "./Unavailable.ts"

/** Names not used yet: `taken` (the desired state's names) and every name handed out before. */
const uniqueNamer = (taken: Iterable<string> = []) => {
  const used = new Set<string>(taken)
  return (preferred: string): string => {
    let name = preferred
    for (let n = 2; used.has(name); n++) name = `${preferred}-${n}`
    used.add(name)
    return name
  }
}

export interface Imported {
  readonly result: ImportResult
  /** name → uuid of every imported object, for the inventory */
  readonly inventory: Inventory
}

const HEADER = "Imported from the live firewall by `opnsense-mcp import`. Review, then commit."

/** Objects of an ordered kind in their evaluation order; others as listed. */
const inLiveOrder = (kind: AnyKind, items: ReadonlyArray<LiveItem<unknown>>): ReadonlyArray<LiveItem<unknown>> => {
  const order = kind.sequence
  return order === undefined ? items : [...items].sort((a, b) => order.of(a) - order.of(b))
}

/** Why read-only objects of a kind are left out. */
const skippedLines = (kind: AnyKind, readOnly: ReadonlyArray<LiveItem<unknown>>): ReadonlyArray<string> =>
  readOnly.length === 0
    ? []
    : kind.identity.skipped?.(readOnly) ?? [`${readOnly.length} ${kind.noun[1]}: read-only in the API, never managed`]

export const importSnapshot = (site: string, live: LiveSnapshot, wanted: ReadonlyArray<ResourceKind>): Imported => {
  const skipped: Array<string> = []
  const inventory: Record<string, Record<string, string>> = perKind(() => ({}))
  const files: Array<{ path: string; content: string }> = []
  const write = (path: string, input: RenderInput) => {
    if (Object.values(input).some((items) => Array.isArray(items) && items.length > 0)) {
      files.push({ path, content: renderYaml(input, { header: HEADER }) })
    }
  }
  skipped.push(...unreadableKinds(live))
  for (const kind of kinds) {
    if (!wanted.includes(kind.name)) continue
    const all = liveOf(live, kind)
    const writable = kind.identity.writable ?? isWritable
    const readOnly = all.filter((l) => !writable(l) || kind.identity.readOnly?.(l) === true)
    skipped.push(...skippedLines(kind, readOnly))
    const named = uniqueNamer()
    const own = inventory[kind.name] ?? {}
    const items = inLiveOrder(kind, all.filter((l) => !readOnly.includes(l))).map((l) => {
      const name = kind.importer.fixedName === true
        ? kind.importer.name(l, undefined)
        : named(kind.importer.name(l, undefined))
      own[name] = l.uuid
      return { name, spec: l.spec }
    })
    write(kind.importer.file, { [kind.collection]: items })
  }
  return {
    inventory,
    result: {
      site,
      files,
      counts: perKind((kind) => Object.keys(inventory[kind.name] ?? {}).length),
      skipped
    }
  }
}

export interface Adoption {
  /** upserts of new items only, ordered kinds anchored next to their live neighbours */
  readonly edits: ReadonlyArray<Edit>
  /** name → uuid of every object added */
  readonly inventory: Inventory
  readonly skipped: ReadonlyArray<string>
}

/**
 * The live objects of `kinds` that no item of `desired` claims, as edits that add them to the
 * desired state: objects beside the items of their kind; for an ordered kind (rules) each object
 * right after the desired one that precedes it on the firewall (before the one that follows it
 * when none precedes), so YAML order stays live order and the plan reorders nothing. `desired`
 * must have its rule interfaces resolved against `live`, as the plan has them.
 */
export const adoptionEdits = (
  desired: DesiredSite,
  live: LiveSnapshot,
  inventory: Inventory,
  wanted: ReadonlyArray<ResourceKind>
): Adoption => {
  const identity = identifySite(desired, live, inventory)
  const added: Record<string, Record<string, string>> = perKind(() => ({}))
  const edits: Array<Edit> = []
  const skipped: Array<string> = [...unreadableKinds(live)]

  /** Unclaimed live objects in snapshot order, each with the name it was owned as, if any. */
  const unclaimed = (
    kind: AnyKind,
    identified: Identified<unknown, LiveItem<unknown>>,
    all: ReadonlyArray<LiveItem<unknown>>
  ): ReadonlyMap<LiveItem<unknown>, string | undefined> => {
    const kept = identified.matches.length
    if (kept > 0) {
      skipped.push(
        `${kept} ${kind.noun[kept === 1 ? 0 : 1]} already in the desired state (by ownership marker, state.json ` +
          "or the same key): left as they are"
      )
    }
    const owned = new Map<LiveItem<unknown>, string | undefined>(identified.unmanaged.map((l) => [l, undefined]))
    for (const orphan of identified.orphans) {
      if (orphan.cause === "duplicate-marker") {
        skipped.push(`${kind.name} ${kind.identity.label(orphan.live)}: ${orphan.why}; the plan deletes it`)
      } else owned.set(orphan.live, orphan.name)
    }
    return new Map(all.filter((l) => owned.has(l)).map((l) => [l, owned.get(l)]))
  }

  for (const kind of kinds) {
    if (!wanted.includes(kind.name)) continue
    const identified = identityOf(identity, kind)
    const all = liveOf(live, kind)
    const own = added[kind.name] ?? {}
    const items = desiredOf(desired, kind)
    const upsert = (
      name: string,
      l: LiveItem<unknown>,
      anchor: { readonly before?: string; readonly after?: string } = {}
    ) => {
      own[name] = l.uuid
      edits.push({ op: "upsert", kind: kind.collection, item: kind.yaml.render(name, l.spec), ...anchor })
    }
    skipped.push(...skippedLines(kind, identified.readOnly))
    const missing = unclaimed(kind, identified, all)
    if (kind.sequence === undefined) {
      const taken = new Set(items.map((d) => d.name))
      const named = uniqueNamer(taken)
      for (const [l, known] of missing) {
        if (kind.importer.fixedName === true) {
          const name = kind.importer.name(l, known)
          // the name is the object's key on the firewall and in YAML: it cannot be renamed on the way in
          if (taken.has(name)) {
            skipped.push(`${kind.name} ${name}: the desired state names another object so; rename one of them`)
            continue
          }
          upsert(name, l)
        } else upsert(named(kind.importer.name(l, known)), l)
      }
      continue
    }
    const named = uniqueNamer(items.map((d) => d.name))
    const claimedAs = new Map(identified.matches.map((m) => [m.live, m.desired.name]))
    const inOrder = inLiveOrder(kind, all.filter((l) => claimedAs.has(l) || missing.has(l)))
    // the objects with no desired one before them on the firewall go before the first one that follows
    let leading: Array<{ readonly name: string; readonly live: LiveItem<unknown> }> = []
    let previous: string | undefined
    for (const l of inOrder) {
      const claimed = claimedAs.get(l)
      if (claimed !== undefined) {
        for (const lead of leading) upsert(lead.name, lead.live, { before: claimed })
        leading = []
        previous = claimed
        continue
      }
      const name = named(kind.importer.name(l, missing.get(l)))
      if (previous === undefined) leading.push({ name, live: l })
      else {
        upsert(name, l, { after: previous })
        previous = name
      }
    }
    // no desired object of the kind is on the firewall yet: after the desired ones, in live order
    for (const lead of leading) upsert(lead.name, lead.live)
  }
  return { edits, inventory: added, skipped }
}

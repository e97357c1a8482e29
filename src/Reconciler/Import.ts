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
import { friendlyAlias, friendlyRule, friendlyVlan, type RenderInput, renderYaml } from "../DesiredState/Render.ts"
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveAlias, LiveRule, LiveSnapshot, LiveVlan, ResourceKind } from "../Domain/Model.ts"
import type { ImportResult } from "../Domain/Reports.ts"
import type { Inventory } from "../Store/StateFile.ts"
import { identifySite, isBuiltinAlias } from "./Diff.ts"
import { type Identified, isWritable, type LiveItem } from "./Identity.ts"

const ITEM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/

/** A name from free text: lower-case words joined by "-", or undefined when nothing usable is left. */
const slug = (text: string): string | undefined => {
  const s = text.toLowerCase().replace(/[^a-z0-9_.:-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 56)
  return s === "" ? undefined : s
}

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

const vlanName = (v: LiveVlan, known?: string): string =>
  known ?? v.owner ?? slug(v.spec.description) ?? `${v.spec.parent}-${v.spec.tag}`

const ruleName = (r: LiveRule, known?: string): string => {
  const preferred = known ?? r.owner ?? slug(r.spec.description) ?? `rule-${r.sequence}`
  return ITEM_NAME.test(preferred) ? preferred : `rule-${r.sequence}`
}

const HEADER = "Imported from the live firewall by `opnsense-mcp import`. Review, then commit."

export const importSnapshot = (site: string, live: LiveSnapshot, kinds: ReadonlyArray<ResourceKind>): Imported => {
  const skipped: Array<string> = []
  const inventory: Record<ResourceKind, Record<string, string>> = { vlan: {}, alias: {}, rule: {} }
  const files: Array<{ path: string; content: string }> = []
  const write = (path: string, input: RenderInput) => {
    if (Object.values(input).some((items: ReadonlyArray<unknown>) => items.length > 0)) {
      files.push({ path, content: renderYaml(input, { header: HEADER }) })
    }
  }

  if (kinds.includes("vlan")) {
    const named = uniqueNamer()
    const vlans = live.vlans.filter((v: LiveVlan) => isWritable(v))
    write("vlans.yaml", {
      vlans: vlans.map((v) => {
        const name = named(vlanName(v))
        inventory.vlan[name] = v.uuid
        return { name, spec: v.spec }
      })
    })
  }
  if (kinds.includes("alias")) {
    const aliases = live.aliases.filter((a: LiveAlias) => {
      const keep = isWritable(a) && !isBuiltinAlias(a)
      if (!keep) skipped.push(`alias ${a.spec.name}: built-in, managed by OPNsense`)
      return keep
    })
    write("aliases.yaml", {
      aliases: aliases.map((a) => {
        inventory.alias[a.spec.name] = a.uuid
        return { spec: a.spec }
      })
    })
  }
  if (kinds.includes("rule")) {
    const named = uniqueNamer()
    const readOnly = live.rules.filter((r) => !isWritable(r))
    if (readOnly.length > 0) {
      skipped.push(`${readOnly.length} legacy/automatic rules: read-only in the API, never managed`)
    }
    const rules = live.rules.filter((r: LiveRule) => isWritable(r)).sort((a, b) => a.sequence - b.sequence)
    write("rules.yaml", {
      rules: rules.map((r) => {
        const name = named(ruleName(r))
        inventory.rule[name] = r.uuid
        return { name, spec: r.spec }
      })
    })
  }
  return {
    inventory,
    result: {
      site,
      files,
      counts: {
        vlan: Object.keys(inventory.vlan).length,
        alias: Object.keys(inventory.alias).length,
        rule: Object.keys(inventory.rule).length
      },
      skipped
    }
  }
}

export interface Adoption {
  /** upserts of new items only, rules anchored next to their live neighbours */
  readonly edits: ReadonlyArray<Edit>
  /** name → uuid of every object added */
  readonly inventory: Inventory
  readonly skipped: ReadonlyArray<string>
}

const nouns = { vlan: ["VLAN", "VLANs"], alias: ["alias", "aliases"], rule: ["rule", "rules"] } as const

/**
 * The live objects of `kinds` that no item of `desired` claims, as edits that add them to the
 * desired state: VLANs and aliases beside the items of their kind, each rule right after the
 * desired rule that precedes it on the firewall (before the one that follows it when none
 * precedes), so YAML order stays live order and the plan reorders nothing. `desired` must have
 * its rule interfaces resolved against `live`, as the plan has them.
 */
export const adoptionEdits = (
  desired: DesiredSite,
  live: LiveSnapshot,
  inventory: Inventory,
  kinds: ReadonlyArray<ResourceKind>
): Adoption => {
  const identity = identifySite(desired, live, inventory)
  const added: Record<ResourceKind, Record<string, string>> = { vlan: {}, alias: {}, rule: {} }
  const edits: Array<Edit> = []
  const skipped: Array<string> = []

  /** Unclaimed live objects in snapshot order, each with the name it was owned as, if any. */
  const unclaimed = <S, L extends LiveItem<S>>(
    kind: ResourceKind,
    identified: Identified<S, L>,
    all: ReadonlyArray<L>,
    label: (l: L) => string
  ): ReadonlyMap<L, string | undefined> => {
    const kept = identified.matches.length
    if (kept > 0) {
      skipped.push(
        `${kept} ${nouns[kind][kept === 1 ? 0 : 1]} already in the desired state (by ownership marker, state.json ` +
          "or the same key): left as they are"
      )
    }
    const owned = new Map<L, string | undefined>(identified.unmanaged.map((l) => [l, undefined]))
    for (const orphan of identified.orphans) {
      if (orphan.cause === "duplicate-marker") {
        skipped.push(`${kind} ${label(orphan.live)}: ${orphan.why}; the plan deletes it`)
      } else owned.set(orphan.live, orphan.name)
    }
    return new Map(all.filter((l) => owned.has(l)).map((l) => [l, owned.get(l)]))
  }

  if (kinds.includes("vlan")) {
    const named = uniqueNamer(desired.vlans.map((v) => v.name))
    for (const [v, known] of unclaimed("vlan", identity.vlans, live.vlans, (l) => l.device)) {
      const name = named(vlanName(v, known))
      added.vlan[name] = v.uuid
      edits.push({ op: "upsert", kind: "vlans", item: friendlyVlan(name, v.spec) })
    }
  }
  if (kinds.includes("alias")) {
    for (const a of identity.aliases.readOnly) skipped.push(`alias ${a.spec.name}: built-in, managed by OPNsense`)
    const taken = new Set(desired.aliases.map((a) => a.name))
    for (const [a] of unclaimed("alias", identity.aliases, live.aliases, (l) => l.spec.name)) {
      // an alias's name is its key on the firewall and in YAML: it cannot be renamed on the way in
      if (taken.has(a.spec.name)) {
        skipped.push(`alias ${a.spec.name}: the desired state names another object so; rename one of them`)
        continue
      }
      added.alias[a.spec.name] = a.uuid
      edits.push({ op: "upsert", kind: "aliases", item: friendlyAlias(a.spec) })
    }
  }
  if (kinds.includes("rule")) {
    if (identity.rules.readOnly.length > 0) {
      skipped.push(`${identity.rules.readOnly.length} legacy/automatic rules: read-only in the API, never managed`)
    }
    const named = uniqueNamer(desired.rules.map((r) => r.name))
    const missing = unclaimed("rule", identity.rules, live.rules, (l) => l.spec.description || l.uuid)
    const claimedAs = new Map(identity.rules.matches.map((m) => [m.live, m.desired.name]))
    const inOrder = live.rules.filter((r) => claimedAs.has(r) || missing.has(r)).sort((a, b) => a.sequence - b.sequence)
    // the rules with no desired rule before them on the firewall go before the first one that follows
    let leading: Array<{ readonly name: string; readonly rule: LiveRule }> = []
    let previous: string | undefined
    for (const rule of inOrder) {
      const claimed = claimedAs.get(rule)
      if (claimed !== undefined) {
        for (const l of leading) {
          edits.push({ op: "upsert", kind: "rules", item: friendlyRule(l.name, l.rule.spec), before: claimed })
        }
        leading = []
        previous = claimed
        continue
      }
      const name = named(ruleName(rule, missing.get(rule)))
      added.rule[name] = rule.uuid
      if (previous === undefined) leading.push({ name, rule })
      else {
        edits.push({ op: "upsert", kind: "rules", item: friendlyRule(name, rule.spec), after: previous })
        previous = name
      }
    }
    // no desired rule is on the firewall yet: after the desired ones, in live order
    for (const l of leading) edits.push({ op: "upsert", kind: "rules", item: friendlyRule(l.name, l.rule.spec) })
  }
  return { edits, inventory: added, skipped }
}

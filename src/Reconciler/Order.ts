/**
 * Execution order of a plan's changes, and the steps an apply runs.
 *
 *   1. rule deletes                      (rules go before the aliases they use)
 *   2. alias creates/updates             (members before the aliases that nest them)
 *   3. VLAN creates/updates
 *   4. rule creates/updates              (in evaluation order)
 *   5. VLAN deletes
 *   6. alias deletes                     (containers before their members)
 *   then one reconfigure per touched subsystem: VLANs, aliases, filter rules.
 */
import type { Change } from "../Domain/Plan.ts"
import type { Subsystem } from "../Domain/Reports.ts"

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The entries of an alias spec carried as unknown in a Change. */
const aliasContent = (spec: unknown): ReadonlyArray<string> =>
  isRecord(spec) && Array.isArray(spec["content"])
    ? spec["content"].filter((v): v is string => typeof v === "string")
    : []

/** Kahn's algorithm, stable: among ready items the earlier one goes first. Cycles keep input order. */
const topological = (
  changes: ReadonlyArray<Change>,
  dependsOn: (change: Change) => ReadonlyArray<string>
): ReadonlyArray<Change> => {
  const names = new Set(changes.map((c) => c.name))
  const pending = [...changes]
  const done = new Set<string>()
  const out: Array<Change> = []
  while (pending.length > 0) {
    const index = pending.findIndex((c) => dependsOn(c).every((d) => d === c.name || !names.has(d) || done.has(d)))
    const [next] = pending.splice(index === -1 ? 0 : index, 1)
    if (next === undefined) break
    out.push(next)
    done.add(next.name)
  }
  return out
}

const of = (changes: ReadonlyArray<Change>, kind: Change["kind"], actions: ReadonlyArray<Change["action"]>) =>
  changes.filter((c) => c.kind === kind && actions.includes(c.action))

export const orderChanges = (changes: ReadonlyArray<Change>): ReadonlyArray<Change> => {
  const aliasWrites = topological(of(changes, "alias", ["create", "update"]), (c) => aliasContent(c.after))
  const aliasDeletes = [...topological(of(changes, "alias", ["delete"]), (c) => aliasContent(c.before))].reverse()
  const ruleWrites = [...of(changes, "rule", ["create", "update"])].sort((a, b) =>
    (a.sequence ?? 0) - (b.sequence ?? 0)
  )
  return [
    ...of(changes, "rule", ["delete"]),
    ...aliasWrites,
    ...of(changes, "vlan", ["create", "update"]),
    ...ruleWrites,
    ...of(changes, "vlan", ["delete"]),
    ...aliasDeletes
  ]
}

/** One unit of work of an apply. #6 (journal, revert) hooks in around each step. */
export type Step =
  | { readonly _tag: "Write"; readonly index: number; readonly change: Change }
  | { readonly _tag: "Reconfigure"; readonly subsystem: Subsystem }

export const RECONFIGURE_ORDER: ReadonlyArray<Subsystem> = ["vlan", "alias", "rule"]

/** The plan's changes (already in execution order) followed by one reconfigure per touched subsystem. */
export const compileSteps = (changes: ReadonlyArray<Change>): ReadonlyArray<Step> => {
  const touched = new Set(changes.map((c) => c.kind))
  return [
    ...changes.map((change, index): Step => ({ _tag: "Write", index, change })),
    ...RECONFIGURE_ORDER.filter((s) => touched.has(s)).map((subsystem): Step => ({ _tag: "Reconfigure", subsystem }))
  ]
}

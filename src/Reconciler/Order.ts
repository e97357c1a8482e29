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

/** Positions, smallest first (a binary heap): the ready changes in input order. */
class PositionHeap {
  private readonly items: Array<number> = []
  private at(i: number): number {
    return this.items[i] ?? Infinity
  }
  private swap(i: number, j: number): void {
    const a = this.at(i)
    this.items[i] = this.at(j)
    this.items[j] = a
  }
  push(position: number): void {
    this.items.push(position)
    for (let i = this.items.length - 1; i > 0 && this.at((i - 1) >> 1) > this.at(i); i = (i - 1) >> 1) {
      this.swap(i, (i - 1) >> 1)
    }
  }
  pop(): number | undefined {
    const top = this.items[0]
    const last = this.items.pop()
    if (this.items.length === 0 || last === undefined) return top
    this.items[0] = last
    for (let i = 0;;) {
      const [left, right] = [2 * i + 1, 2 * i + 2]
      const least = this.at(right) < this.at(left) ? right : left
      if (this.at(least) >= this.at(i)) return top
      this.swap(i, least)
      i = least
    }
  }
}

/**
 * Kahn's algorithm, stable: among ready items the earlier one goes first. Cycles keep input order
 * (the earliest waiting item goes next). Each change counts the names it still waits for, so
 * picking the next one is a heap pop rather than a scan of everything pending.
 */
const topological = (
  changes: ReadonlyArray<Change>,
  dependsOn: (change: Change) => ReadonlyArray<string>
): ReadonlyArray<Change> => {
  const names = new Set(changes.map((c) => c.name))
  const waitsFor = changes.map((c) => new Set(dependsOn(c).filter((d) => d !== c.name && names.has(d))))
  const waiters = new Map<string, Array<number>>()
  const ready = new PositionHeap()
  waitsFor.forEach((deps, index) => {
    for (const d of deps) {
      const list = waiters.get(d)
      if (list === undefined) waiters.set(d, [index])
      else list.push(index)
    }
    if (deps.size === 0) ready.push(index)
  })
  const taken = new Set<number>()
  let earliest = 0
  const out: Array<Change> = []
  while (out.length < changes.length) {
    let index = ready.pop()
    if (index === undefined) {
      while (taken.has(earliest)) earliest++
      index = earliest
    }
    const next = changes[index]
    if (next === undefined) break
    taken.add(index)
    out.push(next)
    for (const waiter of waiters.get(next.name) ?? []) {
      const deps = waitsFor[waiter]
      if (deps === undefined || !deps.delete(next.name)) continue
      if (deps.size === 0 && !taken.has(waiter)) ready.push(waiter)
    }
    waiters.delete(next.name)
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

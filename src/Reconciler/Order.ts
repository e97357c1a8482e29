/**
 * Execution order of a plan's changes, and the steps an apply runs. The kind order comes from the
 * registry (src/Kinds/Registry.ts: each kind after the kinds it depends on):
 *
 *   1. deletes of kinds nothing depends on   (a rule goes before the alias it uses)
 *   2. creates/updates, kind by kind         (within a kind: objects it references first, e.g.
 *                                             nested aliases; ordered kinds by sequence)
 *   3. deletes of the other kinds, in reverse (containers before their members)
 *   then one reconfigure per touched subsystem, in registration order (a kind with
 *   `activeDependencies` has some reconfigured in between: compileSteps).
 *
 * For today's kinds: rule deletes; VLAN, alias, assignment, rule creates/updates; assignment,
 * alias and VLAN deletes.
 */
import type { Change } from "../Domain/Plan.ts"
import type { AnyKind } from "../Kinds/Kind.ts"
import { deletesFirst, deletesLast, kindNamed, kinds, subsystemOrder, writeOrder } from "../Kinds/Registry.ts"

/** The names a change's spec needs written first (same kind), tolerant of a hand-edited plan. */
const referencesOf = (kind: AnyKind, spec: unknown): ReadonlyArray<string> => {
  if (kind.references === undefined || spec === undefined || spec === null) return []
  try {
    return kind.references(spec).filter((v) => typeof v === "string")
  } catch {
    return []
  }
}

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

const of = (changes: ReadonlyArray<Change>, kind: string, actions: ReadonlyArray<Change["action"]>) =>
  changes.filter((c) => c.kind === kind && actions.includes(c.action))

const writesOf = (changes: ReadonlyArray<Change>, kind: AnyKind): ReadonlyArray<Change> => {
  const writes = of(changes, kind.name, ["create", "update"])
  if (kind.sequence !== undefined) return [...writes].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0))
  return kind.references === undefined ? writes : topological(writes, (c) => referencesOf(kind, c.after))
}

const deletesOf = (changes: ReadonlyArray<Change>, kind: AnyKind): ReadonlyArray<Change> => {
  const deletes = of(changes, kind.name, ["delete"])
  return kind.references === undefined
    ? deletes
    : [...topological(deletes, (c) => referencesOf(kind, c.before))].reverse()
}

export const orderChanges = (changes: ReadonlyArray<Change>): ReadonlyArray<Change> => [
  ...deletesFirst.flatMap((kind) => deletesOf(changes, kind)),
  ...writeOrder.flatMap((kind) => writesOf(changes, kind)),
  ...deletesLast.flatMap((kind) => deletesOf(changes, kind)),
  // a change of no registered kind (a hand-edited plan) is kept, last: apply refuses the plan
  ...changes.filter((c) => kindNamed(c.kind) === undefined)
]

/** One unit of work of an apply. #6 (journal, revert) hooks in around each step. */
export type Step =
  | { readonly _tag: "Write"; readonly index: number; readonly change: Change }
  | { readonly _tag: "Reconfigure"; readonly subsystem: string }

/** Subsystems in the order they are reconfigured. */
export const RECONFIGURE_ORDER: ReadonlyArray<string> = subsystemOrder

/** The subsystem a kind's writes need (a kind's own name when it is not registered). */
export const subsystemOf = (kind: string): string => kindNamed(kind)?.subsystem ?? kind

/**
 * The plan's changes (already in execution order) followed by one reconfigure per touched
 * subsystem. A kind with `activeDependencies` (Kind.ts) gets what it needs in between: before its
 * first create/update, the subsystems of the kinds it depends on that earlier changes touched
 * (VLAN before assignment); before a delete of a kind it depends on, its own subsystem when
 * earlier changes touched it (assignment before VLAN delete). A subsystem reconfigured in between
 * is reconfigured again at the end only when later changes touched it.
 */
export const compileSteps = (changes: ReadonlyArray<Change>): ReadonlyArray<Step> => {
  const steps: Array<Step> = []
  const pending = new Set<string>()
  const settle = (subsystem: string) => {
    if (!pending.delete(subsystem)) return
    steps.push({ _tag: "Reconfigure", subsystem })
  }
  changes.forEach((change, index) => {
    const kind = kindNamed(change.kind)
    if (change.action !== "delete" && kind?.activeDependencies !== undefined) {
      for (const dependency of kind.dependsOn) settle(subsystemOf(dependency))
    }
    if (change.action === "delete") {
      for (const dependent of needsActive) if (dependent.dependsOn.includes(change.kind)) settle(dependent.subsystem)
    }
    steps.push({ _tag: "Write", index, change })
    pending.add(subsystemOf(change.kind))
  })
  for (const subsystem of RECONFIGURE_ORDER) if (pending.has(subsystem)) steps.push({ _tag: "Reconfigure", subsystem })
  return steps
}

/** Kinds whose writes need their dependencies active (Kind.ts `activeDependencies`). */
const needsActive: ReadonlyArray<AnyKind> = kinds.filter((k) => k.activeDependencies !== undefined)

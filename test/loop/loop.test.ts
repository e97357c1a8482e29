/**
 * The reconcile loop under TestClock: cycles every interval, exponential backoff while failing
 * (capped), conditions and the last five results, observe never applies, a blocked plan stalls,
 * a held lock is not a failure, suspend/resume, and the in-process leader election.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { layer as loopLayer, nextDelay, parseInterval, ReconcileStatus } from "../../src/Reconciler/Loop.ts"
import { layerMemory, makeMemory } from "../../src/Safety/Leader.ts"
import { type Scripted, stubReconciler } from "./stub.ts"

const I = 1_000

const loop = (mode: "observe" | "enforce", next: (n: number) => Scripted, calls: Array<{ at: number; op: string }>) =>
  loopLayer({ intervalMs: I, mode, sites: ["default"] }).pipe(
    Layer.provide(Layer.mergeAll(stubReconciler(next, calls), layerMemory({ instance: "test" })))
  )

const status = ReconcileStatus.use((s) => s.site("default"))
const condition = (type: string) => Effect.map(status, (s) => s?.conditions.find((c) => c.type === type))

describe("reconcile loop", () => {
  it("parses intervals and computes the backoff", () => {
    expect(parseInterval("30s")).toBe(30_000)
    expect(parseInterval("5m")).toBe(300_000)
    expect(parseInterval("1h")).toBe(3_600_000)
    expect(parseInterval("250ms")).toBe(250)
    expect(parseInterval("90")).toBe(90_000)
    expect(parseInterval("soon")).toBeUndefined()
    expect(parseInterval("0s")).toBeUndefined()
    expect([0, 1, 2, 3, 4, 5].map((n) => nextDelay(1000, n, 8000))).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
  })

  it.effect("enforce: applies every interval, records the revision, Ready", () => {
    const calls: Array<{ at: number; op: string }> = []
    return Effect.gen(function*() {
      yield* TestClock.adjust("10 millis")
      yield* TestClock.adjust(I * 3)
      expect(calls.map((c) => c.at)).toEqual([0, I, 2 * I, 3 * I])
      const s = yield* status
      expect(s?.lastAppliedRevision).toBe(`a${"0".repeat(63)}`)
      expect(s?.lastAttemptedRevision).toBe(`n${"0".repeat(63)}`)
      expect(s?.leader).toBe(true)
      expect(yield* condition("Ready")).toMatchObject({ status: true, reason: "Reconciled" })
      expect(yield* condition("Stalled")).toMatchObject({ status: false })
      expect(yield* condition("Reconciling")).toMatchObject({ status: false })
      expect(s?.lastResults.map((r) => r.result)).toEqual(["applied", "ok", "ok", "ok"])
    }).pipe(Effect.provide(loop("enforce", (n) => (n === 1 ? "applied" : "nothing-to-do"), calls)))
  })

  it.effect("backs off exponentially while failing, stalls with the reason, recovers, keeps five results", () => {
    const calls: Array<{ at: number; op: string }> = []
    return Effect.gen(function*() {
      yield* TestClock.adjust("10 millis")
      // failures at 0, +2I, +4I, +8I, +8I (cap 8I), then success, then every I
      yield* TestClock.adjust(2 * I + 4 * I + 8 * I + 8 * I)
      expect(calls.map((c) => c.at)).toEqual([0, 2 * I, 6 * I, 14 * I, 22 * I])
      expect(yield* condition("Stalled")).toMatchObject({ status: true, reason: "StoreError" })
      expect(yield* condition("Ready")).toMatchObject({ status: false, reason: "StoreError" })
      expect((yield* status)?.consecutiveFailures).toBe(5)
      yield* TestClock.adjust(8 * I)
      expect(calls.at(-1)?.at).toBe(30 * I)
      expect(yield* condition("Stalled")).toMatchObject({ status: false })
      expect(yield* condition("Ready")).toMatchObject({ status: true })
      yield* TestClock.adjust(I)
      expect(calls.at(-1)?.at).toBe(31 * I)
      const s = yield* status
      expect(s?.lastResults).toHaveLength(5)
      expect(s?.lastResults.map((r) => r.result)).toEqual(["failed", "failed", "failed", "ok", "ok"])
    }).pipe(Effect.provide(loop("enforce", (n) => (n <= 5 ? "error" : "nothing-to-do"), calls)))
  })

  it.effect("observe reports drift and never applies", () => {
    const calls: Array<{ at: number; op: string }> = []
    return Effect.gen(function*() {
      yield* TestClock.adjust("10 millis")
      expect(yield* condition("Ready")).toMatchObject({ status: false, reason: "Drift" })
      yield* TestClock.adjust(I)
      expect(yield* condition("Ready")).toMatchObject({ status: true, reason: "Reconciled" })
      expect(calls.map((c) => c.op)).toEqual(["drift", "drift"])
      expect((yield* status)?.lastAttemptedRevision).toBeUndefined()
    }).pipe(Effect.provide(loop("observe", (n) => (n === 1 ? "drift" : "clean"), calls)))
  })

  it.effect("observe on a stale snapshot (breaker open) says Stale, never Reconciled", () => {
    const calls: Array<{ at: number; op: string }> = []
    return Effect.gen(function*() {
      yield* TestClock.adjust("10 millis")
      expect(yield* condition("Ready")).toMatchObject({ status: false, reason: "Stale" })
      expect((yield* status)?.lastResults.at(-1)?.result).toBe("stale")
    }).pipe(Effect.provide(loop("observe", () => "stale", calls)))
  })

  it.effect("a blocked plan stalls as LockoutRisk; a held lock is retried at the interval, not backed off", () => {
    const calls: Array<{ at: number; op: string }> = []
    return Effect.gen(function*() {
      yield* TestClock.adjust("10 millis")
      expect(yield* condition("Stalled")).toMatchObject({ status: true, reason: "LockoutRisk" })
      yield* TestClock.adjust(2 * I)
      expect(yield* condition("Ready")).toMatchObject({ status: false, reason: "Locked" })
      expect(yield* condition("Stalled")).toMatchObject({ status: false })
      yield* TestClock.adjust(I)
      expect(calls.map((c) => c.at)).toEqual([0, 2 * I, 3 * I])
    }).pipe(Effect.provide(loop("enforce", (n) => (n === 1 ? "blocked" : n === 2 ? "locked" : "nothing-to-do"), calls)))
  })

  it.effect("suspend stops the cycles of a site, resume restarts them", () => {
    const calls: Array<{ at: number; op: string }> = []
    return Effect.gen(function*() {
      yield* TestClock.adjust("10 millis")
      expect(yield* ReconcileStatus.use((s) => s.suspend("default"))).toBe(true)
      expect(yield* ReconcileStatus.use((s) => s.suspend("nowhere"))).toBe(false)
      yield* TestClock.adjust(5 * I)
      expect(calls).toHaveLength(1)
      expect((yield* status)?.suspended).toBe(true)
      yield* ReconcileStatus.use((s) => s.resume("default"))
      yield* TestClock.adjust(I)
      expect(calls.length).toBeGreaterThan(1)
    }).pipe(Effect.provide(loop("enforce", () => "nothing-to-do", calls)))
  })
})

describe("in-process leader election", () => {
  it.effect("one campaigner of a site leads; when it resigns another takes over", () =>
    Effect.gen(function*() {
      const leader = yield* makeMemory({ instance: "p" })
      const a = yield* Effect.scoped(Effect.gen(function*() {
        const first = yield* leader.campaign("s")
        const second = yield* Effect.scoped(Effect.gen(function*() {
          const c = yield* leader.campaign("s")
          return yield* c.isLeader
        }))
        return [yield* first.isLeader, second]
      }))
      expect(a).toEqual([true, false])
      const third = yield* Effect.scoped(Effect.flatMap(leader.campaign("s"), (c) => c.isLeader))
      expect(third).toBe(true)
    }))
})

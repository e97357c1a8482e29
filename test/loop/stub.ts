/**
 * A SafeReconciler test layer for the loop: drift and planAndApply answer from a script, every call
 * is counted with the (test) clock time it was made at. The loop is the unit under test here; the
 * safe reconciler itself is tested against the simulator in test/safety.
 */
import { Clock, Effect, Layer } from "effect"
import type { ApplyReport, DriftReport } from "../../src/Domain/Reports.ts"
import { PlanBlocked, StoreError } from "../../src/Reconciler.ts"
import { LockHeld } from "../../src/Safety/Errors.ts"
import { SafeReconciler, type SafeReconcilerShape } from "../../src/Safety/SafeReconciler.ts"

export type Scripted =
  | "applied"
  | "nothing-to-do"
  | "failed"
  | "error"
  | "blocked"
  | "locked"
  | "drift"
  | "clean"
  | "stale"

export const report = (result: ApplyReport["result"], planId = "p".repeat(64)): ApplyReport => ({
  site: "default",
  planId,
  actor: "loop",
  startedAt: "",
  finishedAt: "",
  result,
  changes: [],
  reconfigured: [],
  verification: { clean: result !== "failed", remaining: [] },
  message: `result ${result}`
})

const drift = (hasDrift: boolean): DriftReport => ({
  site: "default",
  checkedAt: "",
  firewallVersion: "26.7.5",
  drifted: [],
  missing: hasDrift ? [{ kind: "rule", name: "x", uuid: "u" }] : [],
  pending: [],
  unmanaged: [],
  readOnly: { legacy: 0, automatic: 0, builtin: 0 },
  hasDrift
})

export const stubReconciler = (
  next: (call: number) => Scripted,
  calls: Array<{ readonly at: number; readonly op: string }>,
  onCall: (op: string) => Effect.Effect<void> = () => Effect.void
): Layer.Layer<SafeReconciler> => {
  const unused = Effect.die("not used by the loop")
  const answer = (op: string) =>
    Effect.gen(function*() {
      calls.push({ at: yield* Clock.currentTimeMillis, op })
      yield* onCall(op)
      return next(calls.length)
    })
  const shape: SafeReconcilerShape = {
    sites: Effect.succeed([{ name: "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} }]),
    plan: () => unused,
    loadPlan: () => unused,
    importLive: () => unused,
    auditLog: () => unused,
    apply: () => unused,
    recover: () => unused,
    drift: () =>
      Effect.flatMap(
        answer("drift"),
        (s) =>
          s === "error"
            ? Effect.fail(new StoreError({ message: "disk full", path: "/data" }))
            : Effect.succeed(s === "stale" ? { ...drift(false), stale: true } : drift(s === "drift"))
      ),
    planAndApply: () =>
      Effect.flatMap(answer("apply"), (s): Effect.Effect<ApplyReport, StoreError | PlanBlocked | LockHeld> => {
        switch (s) {
          case "error":
            return Effect.fail(new StoreError({ message: "disk full", path: "/data" }))
          case "blocked":
            return Effect.fail(
              new PlanBlocked({ message: "would cut the management path", planId: "b".repeat(64), site: "default" })
            )
          case "locked":
            return Effect.fail(new LockHeld({ message: "locked by cli", site: "default", holder: undefined }))
          case "applied":
          case "nothing-to-do":
          case "failed":
            return Effect.succeed(report(s, `${s[0]}${"0".repeat(63)}`))
          default:
            return Effect.succeed(report("nothing-to-do"))
        }
      })
  }
  return Layer.succeed(SafeReconciler, shape)
}

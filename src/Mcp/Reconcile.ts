/**
 * Which reconciler the MCP tools plan and apply with: the SafeReconciler (lockout guard on plans;
 * apply under the per-firewall lock, journaled, verified, reverted on failure) whenever the
 * composition provides it, the plain Reconciler otherwise. Tools never pick the unsafe one when the
 * safe one exists.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Plan } from "../Domain/Plan.ts"
import type { ApplyReport } from "../Domain/Reports.ts"
import { type ApplyOptions, Reconciler, type ReconcilerShape } from "../Reconciler.ts"
import { SafeReconciler } from "../Safety/SafeReconciler.ts"

export interface Planner {
  /** true when plans carry the lockout guard and applies run under lock, journal and revert */
  readonly safe: boolean
  readonly plan: ReconcilerShape["plan"]
  readonly loadPlan: ReconcilerShape["loadPlan"]
  readonly apply: (plan: Plan, options: ApplyOptions) => Effect.Effect<ApplyReport, unknown>
}

export const planner: Effect.Effect<Planner, never, Reconciler> = Effect.gen(function*() {
  const safe = yield* Effect.serviceOption(SafeReconciler)
  if (Option.isSome(safe)) {
    const s = safe.value
    return { safe: true, plan: s.plan, loadPlan: s.loadPlan, apply: (plan, options) => s.apply(plan, options) }
  }
  const r = yield* Reconciler
  return { safe: false, plan: r.plan, loadPlan: r.loadPlan, apply: (plan, options) => r.apply(plan, options) }
})

/**
 * The intent guard, beside the lockout guard: apply checks the intents a plan carries again on the
 * snapshot it applies to, and refuses a plan that violates one (PlanBlocked, exit 3, nothing
 * written) unless every violated intent is overridden by name with a reason, which the audit log
 * keeps (Policy/PlanIntents.ts auditedOverride).
 */
import type { SiteConfig } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { Plan } from "../Domain/Plan.ts"
import { planIntentResults, violatedIntents, withIntents } from "../Policy/PlanIntents.ts"

/** The plan with its intents evaluated again against `live` (the snapshot the apply starts from). */
export const recheckIntents = (plan: Plan, live: LiveSnapshot, config: SiteConfig): Plan =>
  plan.intents === undefined || plan.intents.length === 0
    ? plan
    : withIntents(plan, planIntentResults(plan, live, plan.intents.map((r) => r.intent), config))

export type IntentVerdictForApply =
  | { readonly _tag: "Clear" }
  | { readonly _tag: "Overridden"; readonly names: ReadonlyArray<string>; readonly reason: string }
  | { readonly _tag: "Refused"; readonly message: string }

export const judgeIntents = (
  plan: Plan,
  override: { readonly names: ReadonlyArray<string>; readonly reason: string } | undefined
): IntentVerdictForApply => {
  const violated = violatedIntents(plan)
  if (violated.length === 0) return { _tag: "Clear" }
  const open = violated.filter((r) => override?.names.includes(r.intent.name) !== true)
  if (open.length === 0 && override !== undefined) {
    return { _tag: "Overridden", names: violated.map((r) => r.intent.name), reason: override.reason }
  }
  const at = (r: (typeof open)[number]) =>
    r.intent.source === undefined ? "" : ` (${r.intent.source.file}:${r.intent.source.line}:${r.intent.source.column})`
  return {
    _tag: "Refused",
    message: `plan ${plan.planId.slice(0, 12)} violates ${
      open.length === 1 ? "an intent" : `${open.length} intents`
    }: ${
      open.map((r) =>
        `intent "${r.intent.name}"${at(r)} ${r.message}${r.change === undefined ? "" : `; broken by ${r.change}`}`
      ).join("; ")
    }. Fix the rules, or apply with --override-intent ${
      open.map((r) => r.intent.name).join(" --override-intent ")
    } --reason "…" (it is audited)`
  }
}

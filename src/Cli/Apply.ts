/**
 * `opnsense-mcp apply [--plan FILE] [--auto-approve] [--override-lockout REASON] [--override-intent NAME --reason
 * TEXT] [--allow-destroy]`: apply a saved plan, or plan and apply. A plan with `blocked` changes (lockout guard) is
 * refused unless --override-lockout gives the reason, a plan that violates an intent unless --override-intent names
 * it and --reason says why; the audit log keeps both.
 * Asks for confirmation on a terminal; without a terminal it refuses unless --auto-approve is
 * given. Exit 0 applied or nothing to do, 1 failed (state stays consistent), 3 refused (stale or
 * blocked plan, no approval).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { createInterface } from "node:readline/promises"
import type { Plan } from "../Domain/Plan.ts"
import type { ApplyReport } from "../Domain/Reports.ts"
import { violatedIntents } from "../Policy/PlanIntents.ts"
import { isRefusal, Reconciler } from "../Reconciler.ts"
import { renderApplyReport, renderPlan } from "../Reconciler/Render.ts"
import * as Runtime from "../Runtime.ts"
import { SafeReconciler } from "../Safety/SafeReconciler.ts"
import type { ApplyFlags } from "./Commands.ts"
import { colourOn, destroyNote, err, ExitCode, exitWith, optionToUndefined, out } from "./Common.ts"
import { siteNames } from "./Plan.ts"

const ask = (question: string) =>
  Effect.promise(async () => {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    try {
      return (await rl.question(question)).trim()
    } finally {
      rl.close()
    }
  })

/** true when approved: --auto-approve, or "yes" typed at a terminal. */
const approval = (plan: Plan, autoApprove: boolean) =>
  Effect.gen(function*() {
    if (autoApprove) return true
    if (process.stdin.isTTY !== true) return false
    const answer = yield* ask(`Apply ${plan.changes.length} change(s) to site "${plan.site}"? Only 'yes' is accepted: `)
    return answer === "yes"
  })

/** --override-intent NAME… with --reason; either alone is a usage error (exit 1 before anything is read) */
const intentOverride = (flags: ApplyFlags) => {
  const reason = Option.getOrUndefined(flags.reason)?.trim()
  if (flags.overrideIntent.length === 0) {
    return reason === undefined
      ? Effect.succeed(undefined)
      : Effect.fail(new Error("--reason goes with --override-intent NAME: name the intents it overrides"))
  }
  if (reason === undefined || reason === "") {
    return Effect.fail(
      new Error("--override-intent needs --reason \"…\": the audit log keeps why the intent may be violated")
    )
  }
  return Effect.succeed({ names: flags.overrideIntent, reason })
}

export const run = (flags: ApplyFlags) =>
  Effect.gen(function*() {
    const overrideIntents = yield* intentOverride(flags)
    const reconciler = yield* Reconciler
    const { desiredDir } = yield* Runtime.settings({ dir: optionToUndefined(flags.dir) })
    const colour = colourOn(process.stdout)
    const plans: Array<Plan> = Option.isSome(flags.plan)
      ? [yield* reconciler.loadPlan(flags.plan.value)]
      : yield* Effect.forEach(yield* siteNames(flags.site), (site) => reconciler.plan({ site }))
    const reports: Array<ApplyReport> = []
    let code: ExitCode = ExitCode.ok
    for (const plan of plans) {
      if (!flags.json) yield* out(renderPlan(plan, { colour }))
      yield* destroyNote(plan, desiredDir)
      // an empty fresh plan needs nothing; an empty saved plan is still checked for staleness
      const empty = plan.changes.length === 0
      if (empty && Option.isNone(flags.plan)) {
        // nothing to change, but an apply killed earlier may have left its journal open: close it now
        const recovered = yield* SafeReconciler.use((safe) => safe.recover({ site: plan.site }))
        if (recovered !== undefined) yield* err(`${recovered.message}\n`)
        continue
      }
      if (!empty && !(yield* approval(plan, flags.autoApprove))) {
        yield* err(
          process.stdin.isTTY === true
            ? "apply cancelled: nothing was changed\n"
            : "apply refused: stdin is not a terminal, so nobody can confirm; pass --auto-approve to apply without asking\n"
        )
        code = ExitCode.refused
        continue
      }
      const override = Option.match(flags.overrideLockout, {
        onNone: () => undefined,
        onSome: (reason) => ({ reason })
      })
      if (override !== undefined && plan.blocked.length > 0) {
        yield* err(`warning: applying ${plan.blocked.length} blocked change(s) on purpose: ${override.reason}\n`)
      }
      const violated = violatedIntents(plan).filter((r) => overrideIntents?.names.includes(r.intent.name) === true)
      if (overrideIntents !== undefined && violated.length > 0) {
        yield* err(
          `warning: applying a plan that violates intent(s) ${
            violated.map((r) => r.intent.name).join(", ")
          } on purpose: ${overrideIntents.reason}\n`
        )
      }
      const report = yield* reconciler.apply(plan, {
        approve: true,
        override,
        overrideIntents,
        allowDestroy: flags.allowDestroy
      }).pipe(
        Effect.map((r): ApplyReport | undefined => r),
        Effect.catchIf(isRefusal, (refusal) => Effect.as(err(`apply refused: ${refusal.message}\n`), undefined))
      )
      if (report === undefined) {
        code = ExitCode.refused
        continue
      }
      reports.push(report)
      if (!flags.json) yield* out(renderApplyReport(report, { colour }))
      if (report.result === "failed" && code === ExitCode.ok) code = ExitCode.error
    }
    if (flags.json) yield* out(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`)
    yield* exitWith(code)
  }).pipe(Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) })))

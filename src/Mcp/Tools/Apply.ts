/**
 * `apply_plan`: the one destructive tool. It applies only a plan that `plan` (or `propose_change`)
 * stored, only while that plan is still current, never one with blocked changes, never in
 * read-only mode, and only after a person confirmed it: through elicitation when the client can
 * ask its user, otherwise by the agent echoing `confirm: true` and the plan's summary.
 */
import { inputRequired, inputResponse } from "@modelcontextprotocol/server"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Plan } from "../../Domain/Plan.ts"
import { ApplyReport } from "../../Domain/Reports.ts"
import { renderApplyReport } from "../../Reconciler/Render.ts"
import { McpConfig } from "../Config.ts"
import { planner } from "../Reconcile.ts"
import { defineTool, done, refused, type ToolReply } from "../Tool.ts"
import { confirmationPhrase } from "./Inspect.ts"

const CONFIRM_KEY = "confirm_apply"

/** "create 1, update 2, delete 0" in any order and spacing; undefined when a count is missing. */
export const parseSummary = (text: string): Plan["summary"] | undefined => {
  const count = (word: string) => {
    const match = new RegExp(`\\b${word}\\w*\\s*[:=]?\\s*(\\d+)`, "i").exec(text)
    return match?.[1] === undefined ? undefined : Number(match[1])
  }
  const create = count("create")
  const update = count("update")
  const del = count("delete")
  return create === undefined || update === undefined || del === undefined ? undefined : { create, update, delete: del }
}

const sameSummary = (a: Plan["summary"], b: Plan["summary"]) =>
  a.create === b.create && a.update === b.update && a.delete === b.delete

const changeLines = (plan: Plan): string => {
  const sign = { create: "+", update: "~", delete: "-" } as const
  const lines = plan.changes.slice(0, 30).map((c) => `${sign[c.action]} ${c.kind} ${c.name}`)
  return plan.changes.length > 30 ? `${lines.join("\n")}\n… and ${plan.changes.length - 30} more` : lines.join("\n")
}

export const apply = defineTool({
  name: "apply_plan",
  title: "Apply a stored plan",
  description: "DESTRUCTIVE: writes to the live firewall. Applies a plan returned by `plan` (or by propose_change, " +
    "once its branch is merged) by its planId. Refused when the server is read-only, when the plan has blocked " +
    "changes, or when the firewall or desired state changed since the plan was made (then run plan again). " +
    "If your client supports elicitation the user is asked to confirm; otherwise show the plan to the user, and only " +
    "with their approval call again with `confirm: true` and `summary` set to the plan's counts exactly as " +
    "\"create N, update N, delete N\". Returns the apply report: each change done/failed and the verification re-plan.",
  input: Schema.Struct({
    planId: Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/)).annotate({
      description: "planId from plan or propose_change (64 hex digits)"
    }),
    confirm: Schema.optional(
      Schema.Boolean.annotate({ description: "true once the user approved this plan (clients without elicitation)" })
    ),
    summary: Schema.optional(
      Schema.String.annotate({ description: "the plan's counts echoed back, e.g. \"create 1, update 2, delete 0\"" })
    )
  }),
  output: ApplyReport,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  audit: true,
  run: Effect.fn("Mcp.apply_plan")(function*(input, call) {
    const config = yield* McpConfig
    if (config.readOnly) {
      return yield* Effect.fail(refused(
        `this MCP server is read-only (MCP_READ_ONLY=true, the default over HTTP): apply_plan is refused. ` +
          `An operator can apply it with \`opnsense-mcp apply --plan ${input.planId}\`, or run the server with MCP_READ_ONLY=false.`
      ))
    }
    const reconciler = yield* planner
    const stored = yield* reconciler.loadPlan(input.planId)
    if (stored.blocked.length > 0) {
      const reasons = stored.blocked.map((b) => `${b.action} ${b.kind} ${b.name}: ${b.reason}`).join("; ")
      return yield* Effect.fail(refused(
        `plan ${input.planId} has blocked changes (${reasons}); it would cut off management access and is never ` +
          "applied through MCP. Change the desired state so the plan has no blocked changes, then plan again."
      ))
    }
    // the plan must still be what planning now would produce: same planId = same desired, live, version
    const current = yield* reconciler.plan({ site: stored.site })
    if (current.planId !== stored.planId) {
      return yield* Effect.fail(refused(
        `plan ${input.planId} is stale: the firewall or the desired state changed since it was made. ` +
          `The current plan is ${current.planId} (${
            confirmationPhrase(current.summary)
          }); review it and apply that one.`
      ))
    }
    if (stored.changes.length === 0) {
      return yield* Effect.fail(refused(`plan ${input.planId} has no changes: nothing to apply`))
    }
    const phrase = confirmationPhrase(stored.summary)
    if (call.canElicit) {
      const answer = inputResponse(call.inputResponses, CONFIRM_KEY)
      if (answer.kind === "missing") {
        const ask: ToolReply<ApplyReport> = {
          _tag: "Ask",
          result: inputRequired({
            inputRequests: {
              [CONFIRM_KEY]: inputRequired.elicit({
                message: `Apply plan ${stored.planId.slice(0, 12)} to site ${stored.site} (${phrase})?\n${
                  changeLines(stored)
                }`,
                requestedSchema: {
                  type: "object",
                  properties: {
                    confirm: { type: "boolean", title: "Apply these changes to the firewall", default: false }
                  },
                  required: ["confirm"]
                }
              })
            }
          })
        }
        return ask
      }
      if (answer.kind !== "elicit" || answer.action !== "accept" || answer.content?.["confirm"] !== true) {
        return yield* Effect.fail(refused("the user did not confirm the apply; nothing was changed"))
      }
    } else {
      const echoed = input.summary === undefined ? undefined : parseSummary(input.summary)
      if (input.confirm !== true || echoed === undefined || !sameSummary(echoed, stored.summary)) {
        return yield* Effect.fail(refused(
          `confirmation required: show the plan to the user and, with their approval, call apply_plan again with ` +
            `{ "planId": "${stored.planId}", "confirm": true, "summary": "${phrase}" }`
        ))
      }
    }
    const report = yield* reconciler.apply(stored, { approve: true, actor: config.actor })
    return done(
      report,
      renderApplyReport(report, { colour: false }).trimEnd(),
      `${report.result}: plan ${report.planId} on ${report.site} (${phrase})`
    )
  })
})

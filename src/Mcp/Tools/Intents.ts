/**
 * `check_intents`: the site's intents (or ones given in the call) checked against the desired
 * rules, the rules a plan leaves, or the live firewall's rules. Read-only: with `against: "plan"`
 * and no planId it plans first, as the `plan` tool does.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { DesiredState } from "../../DesiredState.ts"
import { IntentInput, toIntent } from "../../DesiredState/Intents.ts"
import { IntentResult } from "../../Domain/Intent.ts"
import * as Policy from "../../Policy.ts"
import { withDesiredIntents } from "../../Policy/Input.ts"
import { intentResults } from "../../Policy/Intents.ts"
import { planIntentResults } from "../../Policy/PlanIntents.ts"
import { renderIntentResults } from "../../Policy/Render.ts"
import { Firewalls } from "../../Reconciler.ts"
import { McpConfig } from "../Config.ts"
import { planner } from "../Reconcile.ts"
import { chooseSite, defineTool, done } from "../Tool.ts"
import { clip, Site } from "./Inspect.ts"

const Against = Schema.Literals(["desired", "plan", "live"])

export const checkIntents = defineTool({
  name: "check_intents",
  title: "Check intents",
  description: "Check intents (\"guests never reach the servers on 22\", \"admins reach the GUI\") against the " +
    "desired rules (default), the rules a plan leaves (`against: \"plan\"`, with a planId or a fresh plan) or the " +
    "live firewall's rules (legacy and automatic ones included). Without `intents` the site's own (the `intents:` " +
    "key of its YAML) are checked; pass `intents` to ask about others without writing them down. Each result is " +
    "held (every packet from → to gets the expected decision), violated (with a packet, the port forward or 1:1 NAT " +
    "entry that translated it first, the rule that decides it and, for plans, the change that breaks it) or unknown (aliases or interfaces whose contents are only known on " +
    "the firewall leave it open).",
  input: Schema.Struct({
    site: Site,
    against: Schema.optional(Against.annotate({ description: "which rules: desired (default), plan or live" })),
    planId: Schema.optional(
      Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/)).annotate({
        description: "with against \"plan\": a stored plan (from plan or propose_change); default a fresh plan"
      })
    ),
    intents: Schema.optional(
      Schema.Array(IntentInput).annotate({
        description: "ad-hoc intents, each { name, from, to, protocol?, port?, interface?, expect: pass|block }"
      })
    )
  }),
  output: Schema.Struct({
    site: Schema.String,
    against: Against,
    planId: Schema.optional(Schema.String),
    counts: Schema.Struct({ held: Schema.Number, violated: Schema.Number, unknown: Schema.Number }),
    results: Schema.Array(IntentResult)
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  audit: false,
  run: Effect.fn("Mcp.check_intents")(function*(args) {
    const config = yield* McpConfig
    const { tree } = yield* (yield* DesiredState).load({ dir: config.desiredStateDir, site: args.site })
    const chosen = yield* chooseSite(tree.sites, args.site)
    const intents = args.intents === undefined ? chosen.intents ?? [] : args.intents.map((i) => toIntent(i))
    const against = args.against ?? "desired"
    let planId: string | undefined
    let results: ReadonlyArray<IntentResult>
    if (against === "desired") {
      results = intentResults(Policy.compile(Policy.fromDesired(chosen)), intents)
    } else {
      const client = yield* (yield* Firewalls).forSite(chosen.config)
      if (against === "live") {
        const live = Policy.fromLive(yield* client.snapshot(), chosen.config)
        results = intentResults(Policy.compile(withDesiredIntents(live, { ...chosen, intents })), intents)
      } else {
        const reconciler = yield* planner
        const plan = args.planId === undefined
          ? yield* reconciler.plan({ site: chosen.config.name })
          : yield* reconciler.loadPlan(args.planId)
        planId = plan.planId
        results = planIntentResults(plan, yield* client.snapshot(), intents, chosen.config)
      }
    }
    const counts = {
      held: results.filter((r) => r.verdict === "held").length,
      violated: results.filter((r) => r.verdict === "violated").length,
      unknown: results.filter((r) => r.verdict === "unknown").length
    }
    const text = results.length === 0
      ? `${chosen.config.name}: no intents to check (the site declares none and none were given)`
      : renderIntentResults(
        `${chosen.config.name} (${against}${planId === undefined ? "" : ` ${planId.slice(0, 12)}`})`,
        results
      )
    return done(
      { site: chosen.config.name, against, ...(planId === undefined ? {} : { planId }), counts, results },
      clip(text.trimEnd())
    )
  })
})

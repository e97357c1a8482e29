/**
 * Intents against a plan: checked on the rules the plan leaves (the live snapshot with its changes
 * applied), and for each one it breaks, the change responsible: the change that makes the new
 * deciding rule, the change that removes or alters the rule that used to keep the intent, or a
 * change to an alias either of them names. An intent the live rules already break is not the
 * plan's doing and names no change.
 */
import type { SiteConfig } from "../Domain/Desired.ts"
import type { Intent, IntentResult } from "../Domain/Intent.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { Change, Plan } from "../Domain/Plan.ts"
import { compile, type CompiledPolicy } from "./Compile.ts"
import { fromLive, fromPlan } from "./Input.ts"
import { decideWithCertainty, intentResults } from "./Intents.ts"
import { compilePacket } from "./Packet.ts"

const describe = (change: Change): string =>
  `${change.action} ${change.kind} ${change.name}${
    change.source === undefined ? "" : ` (${change.source.file}:${change.source.line}:${change.source.column})`
  }`

const aliasNameOf = (change: Change): string => {
  const spec = change.after ?? change.before
  return typeof spec === "object" && spec !== null && "name" in spec && typeof spec.name === "string"
    ? spec.name
    : change.name
}

/** the aliases a rule of the policy names in its addresses and ports */
const namedBy = (policy: CompiledPolicy, rule: string | undefined): ReadonlySet<string> => {
  const found = rule === undefined ? undefined : policy.rules.find((r) => r.rule.name === rule)
  if (found === undefined) return new Set()
  const { destination, source } = found.rule.spec
  return new Set([...source.addresses, ...destination.addresses, source.port, destination.port])
}

const responsible = (
  result: IntentResult,
  before: CompiledPolicy,
  after: CompiledPolicy,
  plan: Plan
): { readonly change?: Change; readonly already: boolean } => {
  if (result.packet === undefined) return { already: false }
  const compiled = compilePacket(before, result.packet)
  if (compiled._tag === "Invalid") return { already: false }
  const was = decideWithCertainty(before, compiled.packet)
  const wasKept = (was.action === "pass" ? "pass" : "block") === result.intent.expect
  if (!wasKept && was.certain) return { already: true }
  const now = result.decidedBy?.kind === "rule" ? result.decidedBy.rule : undefined
  const old = was.rule?.rule.name
  const rules = plan.changes.filter((c) => c.kind === "rule")
  const change = rules.find((c) => c.name === now && c.action !== "delete") ??
    rules.find((c) => c.name === old && c.action !== "create")
  if (change !== undefined) return { change, already: false }
  const aliases = new Set([...namedBy(after, now), ...namedBy(before, old)])
  const alias = plan.changes.find((c) => c.kind === "alias" && aliases.has(aliasNameOf(c)))
  return alias === undefined ? { already: false } : { change: alias, already: false }
}

/** The intents' results on the rules `plan` leaves, each violation with the change that breaks it. */
export const planIntentResults = (
  plan: Plan,
  live: LiveSnapshot,
  intents: ReadonlyArray<Intent>,
  config?: SiteConfig
): ReadonlyArray<IntentResult> => {
  if (intents.length === 0) return []
  const after = compile({ ...fromPlan(live, plan, config).input })
  let before: CompiledPolicy | undefined
  return intentResults(after, intents).map((result) => {
    if (result.verdict !== "violated") return result
    before ??= compile(fromLive(live, config))
    const found = responsible(result, before, after, plan)
    if (found.change !== undefined) return { ...result, change: describe(found.change) }
    return found.already
      ? { ...result, preexisting: true, message: `${result.message} (already so on the live firewall)` }
      : result
  })
}

/** The plan with its intents' results (none when the site has no intents). */
export const withIntents = (plan: Plan, results: ReadonlyArray<IntentResult>): Plan =>
  results.length === 0 ? plan : { ...plan, intents: results }

/**
 * The intents the plan breaks: "violated" on the rules it leaves, and not already on the live rules
 * (those are drift's and lint --live's to report; refusing them would hold back every other change).
 */
export const violatedIntents = (plan: Plan): ReadonlyArray<IntentResult> =>
  (plan.intents ?? []).filter((r) => r.verdict === "violated" && r.preexisting !== true)

/** A built plan with the results of its site's intents on the rules it leaves. */
export const withSiteIntents = <A extends { readonly plan: Plan }>(
  built: A,
  site: { readonly config: SiteConfig; readonly intents?: ReadonlyArray<Intent> | undefined },
  live: LiveSnapshot
): A => ({
  ...built,
  plan: withIntents(built.plan, planIntentResults(built.plan, live, site.intents ?? [], site.config))
})

/**
 * What the audit log keeps of the overrides an apply used: the lockout override's reason when the
 * plan has blocked changes, and the intents overridden (those the plan violates) with their reason.
 */
export const auditedOverride = (
  plan: Plan,
  opts: {
    readonly override?: { readonly reason: string } | undefined
    readonly overrideIntents?: { readonly names: ReadonlyArray<string>; readonly reason: string } | undefined
  }
): { readonly override?: string } => {
  const parts: Array<string> = []
  if (opts.override !== undefined && plan.blocked.length > 0) parts.push(opts.override.reason)
  const overridden = violatedIntents(plan).filter((r) => opts.overrideIntents?.names.includes(r.intent.name) === true)
  if (opts.overrideIntents !== undefined && overridden.length > 0) {
    parts.push(
      `intent${overridden.length === 1 ? "" : "s"} ${
        overridden.map((r) => r.intent.name).join(", ")
      } overridden: ${opts.overrideIntents.reason}`
    )
  }
  return parts.length === 0 ? {} : { override: parts.join("; ") }
}

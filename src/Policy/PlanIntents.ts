/**
 * Intents against a plan: checked on the rules and NAT entries the plan leaves (the live snapshot
 * with its changes applied), and for each one it breaks, the change responsible: the change that
 * makes the new deciding rule or translating port forward or 1:1 entry, the change that removes or
 * alters the one that used to keep the intent, or a change to an alias either of them names. An
 * intent the live rules already break is not the plan's doing and names no change.
 */
import type { SiteConfig } from "../Domain/Desired.ts"
import type { Intent, IntentResult } from "../Domain/Intent.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { Change, Plan } from "../Domain/Plan.ts"
import { compile, type CompiledPolicy } from "./Compile.ts"
import type { NatKind } from "./Domain.ts"
import { fromLive, fromPlan } from "./Input.ts"
import { type Decided, decideWithCertainty, intentResults } from "./Intents.ts"
import { forwardsOf, oneToOnesOf } from "./Nat.ts"
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

/** a rule, port forward or 1:1 NAT entry of a policy, by the kind its changes carry */
interface Ref {
  readonly kind: "rule" | NatKind
  readonly name: string
}

/** the aliases a rule or NAT entry of the policy names in its addresses, ports and target */
const namedBy = (policy: CompiledPolicy, ref: Ref): ReadonlyArray<string> => {
  if (ref.kind === "rule") {
    const found = policy.rules.find((r) => r.rule.name === ref.name)
    if (found === undefined) return []
    const { destination, source } = found.rule.spec
    return [...source.addresses, ...destination.addresses, source.port, destination.port]
  }
  if (ref.kind === "one_to_one_nat") {
    const entry = oneToOnesOf(policy).find((b) => b.entry.name === ref.name)?.entry.spec
    return entry === undefined ? [] : [entry.internal, entry.destination, entry.external]
  }
  const found = forwardsOf(policy).find((f) => f.forward.name === ref.name)
  if (found === undefined) return []
  const { destination, localPort, source, target } = found.forward.spec
  return [...source.addresses, ...destination.addresses, source.port, destination.port, target, localPort]
}

/** what decides a packet and what translated it, as references to the plan's changes */
const refsOf = (decision: Decided): ReadonlyArray<Ref> => [
  ...(decision.rule !== undefined ? [{ kind: "rule" as const, name: decision.rule.rule.name }] : []),
  ...(decision.forward !== undefined ? [{ kind: "port_forward" as const, name: decision.forward.forward.name }] : []),
  ...(decision.translated !== undefined
    ? [{ kind: decision.translated.entry.kind, name: decision.translated.entry.name }]
    : [])
]

const responsible = (
  result: IntentResult,
  before: CompiledPolicy,
  after: CompiledPolicy,
  plan: Plan
): { readonly change?: Change; readonly already: boolean } => {
  if (result.packet === undefined) return { already: false }
  // the packet's interface may not exist on the live firewall yet (the plan assigns it): nothing decided it before
  const compiled = compilePacket(before, result.packet)
  const was = compiled._tag === "Ok" ? decideWithCertainty(before, compiled.packet) : undefined
  if (was !== undefined && was.certain && (was.action === "pass" ? "pass" : "block") !== result.intent.expect) {
    return { already: true }
  }
  const compiledAfter = compilePacket(after, result.packet)
  const now = compiledAfter._tag === "Ok" ? refsOf(decideWithCertainty(after, compiledAfter.packet)) : []
  const old = was === undefined ? [] : refsOf(was)
  // the change that makes what now decides (or translates), else the one that removes or alters what used to
  const change =
    now.map((r) => plan.changes.find((c) => c.kind === r.kind && c.name === r.name && c.action !== "delete"))
      .find((c) => c !== undefined) ??
      old.map((r) => plan.changes.find((c) => c.kind === r.kind && c.name === r.name && c.action !== "create"))
        .find((c) => c !== undefined)
  if (change !== undefined) return { change, already: false }
  const aliases = new Set([...now.flatMap((r) => namedBy(after, r)), ...old.flatMap((r) => namedBy(before, r))])
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
  const after = compile(fromPlan(live, plan, config).input)
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

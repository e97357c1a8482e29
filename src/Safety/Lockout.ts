/**
 * The lockout guard: would this plan cut the management path? The path is the TCP connection this
 * service (and the admin) uses to reach the firewall:
 *
 * - SiteConfig.management: the interface it arrives on, the firewall's address and port, the
 *   admin's source;
 * - the API URL the service talks to (its host when it is an address, its port or 443), arriving
 *   on the interface of the firewall that holds that address (interfaces/overview), else on the
 *   declared management interface; never on lo0, which pf skips. When neither is known, the plan
 *   says the guard is blind to that path and how to declare it (Policy/Management.ts).
 *
 * Each path is evaluated as a packet with the rule evaluator (Policy.ts), once against the live
 * rules and once against the rules the plan would leave behind, and judged by `pathVerdict`, the
 * function `validate` judges the declared path with too. When the plan turns a pass into a
 * block (or a "may block"), the changes responsible go under `plan.blocked`: the rule that now
 * decides, the rule that used to pass it if the plan deletes, disables or changes it, and alias
 * changes those two rules depend on. If no change can be singled out, every rule and alias change
 * is blocked. Apply refuses a plan with blocked changes unless given an override with a reason.
 *
 * The guard sees only rules the API sees. With `antiLockout: true` the automatic anti-lockout rule
 * is trusted to keep the path open and the path is not evaluated (docs/safety.md).
 */
import * as Result from "effect/Result"
import type { SiteConfig } from "../Domain/Desired.ts"
import type { LiveInterface, LiveSnapshot } from "../Domain/Model.ts"
import type { BlockedChange, Change, Plan } from "../Domain/Plan.ts"
import { compile, explain, type Explanation, fromLive, fromPlan } from "../Policy.ts"
import {
  declareHint,
  type ManagementPacket,
  type ManagementPaths,
  managementPaths,
  pathVerdict,
  sourceExample
} from "../Policy/Management.ts"

export type { ManagementPacket }

/** The management paths of a site: the declared one and the one the API URL implies. */
export const sitePaths = (
  config: SiteConfig,
  apiUrl: string | undefined,
  interfaces?: ReadonlyArray<LiveInterface>,
  representative?: (source: string) => string | undefined
): ManagementPaths => managementPaths(config.management, { apiUrl, interfaces, representative })

export const managementPackets = (
  config: SiteConfig,
  apiUrl: string | undefined,
  interfaces?: ReadonlyArray<LiveInterface>
): ReadonlyArray<ManagementPacket> => sitePaths(config, apiUrl, interfaces).packets

export interface GuardResult {
  readonly blocked: ReadonlyArray<BlockedChange>
  readonly warnings: ReadonlyArray<string>
}

const decidingRule = (
  e: Explanation
): string | undefined => (e.decidedBy.kind === "rule" ? e.decidedBy.rule : undefined)

/** Aliases a rule names in its addresses or ports. */
const aliasesOf = (plan: Plan, live: LiveSnapshot, rule: string | undefined): ReadonlySet<string> => {
  if (rule === undefined) return new Set()
  const spec = plan.changes.find((c) => c.kind === "rule" && c.name === rule)?.after ??
    live.rules.find((r) => r.owner === rule)?.spec
  if (typeof spec !== "object" || spec === null || !("source" in spec) || !("destination" in spec)) return new Set()
  const refs: Array<string> = []
  for (const side of [spec.source, spec.destination]) {
    if (typeof side !== "object" || side === null) continue
    if ("addresses" in side && Array.isArray(side.addresses)) {
      refs.push(...side.addresses.filter((a): a is string => typeof a === "string"))
    }
    if ("port" in side && typeof side.port === "string") refs.push(side.port)
  }
  return new Set(refs)
}

const aliasName = (change: Change): string => {
  const spec = change.after ?? change.before
  return typeof spec === "object" && spec !== null && "name" in spec && typeof spec.name === "string"
    ? spec.name
    : change.name
}

const unpassed = (label: string) =>
  `lockout guard: the management path (${label}) is not passed by any rule the API shows, before or after this plan; check it by hand`

export const guardPlan = (
  plan: Plan,
  live: LiveSnapshot,
  config: SiteConfig,
  apiUrl: string | undefined
): GuardResult => {
  if (config.management?.antiLockout === true || plan.changes.length === 0) return { blocked: [], warnings: [] }
  // compiled once: the paths' source example and every evaluation use them
  const before = compile(fromLive(live, config))
  const planned = fromPlan(live, plan, config)
  const after = compile(planned.input)
  const skipped = planned.skipped
  const paths = sitePaths(config, apiUrl, live.interfaces, sourceExample(before))
  const blocked = new Map<string, BlockedChange>()
  const warnings: Array<string> = []
  const block = (change: Change, reason: string) => {
    const key = `${change.kind}/${change.name}/${change.action}`
    if (!blocked.has(key)) blocked.set(key, { kind: change.kind, name: change.name, action: change.action, reason })
  }
  for (const reason of paths.blind) {
    warnings.push(
      `lockout guard: blind to the API's own path (${
        apiUrl ?? ""
      }): ${reason}; this plan is not checked against cutting it. ${declareHint(config.name, undefined)}`
    )
  }
  for (const { label, packet } of paths.packets) {
    const was = explain(before, packet)
    const now = explain(after, packet)
    if (Result.isFailure(was) || Result.isFailure(now)) {
      warnings.push(
        `lockout guard: the management path (${label}) cannot be evaluated: ${
          Result.isFailure(now) ? now.failure.message : ""
        }`
      )
      continue
    }
    const b = was.success
    const a = now.success
    const verdict = pathVerdict(a, b)
    if (verdict._tag === "Open") continue
    if (verdict._tag === "AtRisk") {
      warnings.push(
        `lockout guard: after this plan the management path (${label}) is passed by ${
          decidingRule(a) ?? "no rule"
        }, but not certainly: ${a.notes.join("; ")}`
      )
      continue
    }
    if (verdict._tag === "Unattributed") {
      warnings.push(
        unpassed(label)
      )
      continue
    }
    const newDecider = verdict.decider
    const oldDecider = decidingRule(b)
    const verb = a.certain ? "blocks" : "may block"
    const reason =
      `${verb} the management path (${label}): after this plan it is decided by ${
        newDecider === undefined ? "the default deny" : `rule "${newDecider}"`
      }` +
      (b.decision === "pass"
        ? `, before by ${oldDecider === undefined ? "an automatic rule" : `rule "${oldDecider}"`} (pass)`
        : "")
    const responsible: Array<Change> = []
    for (const change of plan.changes) {
      if (change.kind === "rule" && change.name === newDecider && change.action !== "delete") responsible.push(change)
      if (change.kind === "rule" && change.name === oldDecider && b.decision === "pass" && change.action !== "create") {
        responsible.push(change)
      }
    }
    const used = new Set([...aliasesOf(plan, live, newDecider), ...aliasesOf(plan, live, oldDecider)])
    for (const change of plan.changes) {
      if (change.kind === "alias" && used.has(aliasName(change))) responsible.push(change)
    }
    if (b.decision !== "pass" && responsible.length === 0) {
      // the live rules the API shows do not pass it either (legacy or automatic rules must): not this plan's doing
      warnings.push(
        unpassed(label)
      )
      continue
    }
    const targets = responsible.length > 0
      ? responsible
      : plan.changes.filter((c) => c.kind === "rule" || c.kind === "alias")
    for (const change of targets) block(change, reason)
  }
  for (const s of skipped) warnings.push(`lockout guard: ${s}`)
  return { blocked: [...blocked.values()], warnings }
}

/** The plan with the guard's findings added (existing blocked entries and warnings kept). */
export const withGuard = (plan: Plan, result: GuardResult): Plan => ({
  ...plan,
  blocked: [
    ...plan.blocked,
    ...result.blocked.filter((b) =>
      !plan.blocked.some((x) => x.kind === b.kind && x.name === b.name && x.action === b.action)
    )
  ],
  warnings: [...plan.warnings, ...result.warnings.filter((w) => !plan.warnings.includes(w))]
})

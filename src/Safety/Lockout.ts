/**
 * The lockout guard: would this plan cut the management path? The path is the TCP connection this
 * service (and the admin) uses to reach the firewall:
 *
 * - SiteConfig.management: the interface it arrives on, the firewall's address and port, the
 *   admin's source;
 * - the API URL the service talks to (its host when it is an address, its port or 443), arriving
 *   on the management interface when one is declared (not when it is a loopback address: that is
 *   the embedded sandbox or a tunnel, whose traffic never crosses the filter).
 *
 * Each path is evaluated as a packet with the rule evaluator (Policy.ts), once against the live
 * rules and once against the rules the plan would leave behind. When the plan turns a pass into a
 * block (or a "may block"), the changes responsible go under `plan.blocked`: the rule that now
 * decides, the rule that used to pass it if the plan deletes, disables or changes it, and alias
 * changes those two rules depend on. If no change can be singled out, every rule and alias change
 * is blocked. Apply refuses a plan with blocked changes unless given an override with a reason.
 *
 * The guard sees only rules the API sees. With `antiLockout: true` the automatic anti-lockout rule
 * is trusted to keep the path open and the path is not evaluated (docs/safety.md).
 */
import { Result } from "effect"
import type { SiteConfig } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { BlockedChange, Change, Plan } from "../Domain/Plan.ts"
import { explain, type Explanation, fromLive, fromPlan, type Packet } from "../Policy.ts"

export interface ManagementPacket {
  readonly label: string
  readonly packet: Packet
}

const isAddress = (host: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":")
const isLoopback = (host: string): boolean => host.startsWith("127.") || host === "::1"

/** The management paths of a site: the declared one and the one the API URL implies. */
export const managementPackets = (config: SiteConfig, apiUrl: string | undefined): ReadonlyArray<ManagementPacket> => {
  const m = config.management
  const out: Array<ManagementPacket> = []
  const add = (address: string | undefined, port: number) => {
    const packet: Packet = {
      protocol: "tcp",
      destinationPort: port,
      direction: "in",
      ...(m?.interface !== undefined ? { interface: m.interface } : {}),
      ...(m?.source !== undefined && isAddress(m.source) ? { source: m.source } : {}),
      ...(address !== undefined ? { destination: address } : {})
    }
    const label = `tcp ${packet.source ?? "any source"} → ${address ?? "(firewall)"}:${port}${
      packet.interface !== undefined ? ` in on ${packet.interface}` : ""
    }`
    if (!out.some((p) => p.label === label)) out.push({ label, packet })
  }
  let api: { host: string; port: number } | undefined
  if (apiUrl !== undefined) {
    try {
      const url = new URL(apiUrl)
      const host = url.hostname.replace(/^\[|\]$/g, "")
      api = { host, port: url.port !== "" ? Number(url.port) : url.protocol === "http:" ? 80 : 443 }
    } catch {
      api = undefined
    }
  }
  if (m !== undefined) {
    add(m.address ?? (api !== undefined && isAddress(api.host) ? api.host : undefined), m.port ?? api?.port ?? 443)
  }
  // a loopback URL is the embedded sandbox or a tunnel: that connection never crosses the filter
  if (api !== undefined && isAddress(api.host) && !isLoopback(api.host)) add(api.host, api.port)
  return out
}

export interface GuardResult {
  readonly blocked: ReadonlyArray<BlockedChange>
  readonly warnings: ReadonlyArray<string>
}

const decidingRule = (
  e: Explanation
): string | undefined => (e.decidedBy.kind === "rule" ? e.decidedBy.rule : undefined)
const certainPass = (e: Explanation) => e.decision === "pass" && e.certain

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

export const guardPlan = (
  plan: Plan,
  live: LiveSnapshot,
  config: SiteConfig,
  apiUrl: string | undefined
): GuardResult => {
  if (config.management?.antiLockout === true || plan.changes.length === 0) return { blocked: [], warnings: [] }
  const before = fromLive(live, config)
  const { input: after, skipped } = fromPlan(live, plan, config)
  const blocked = new Map<string, BlockedChange>()
  const warnings: Array<string> = []
  const block = (change: Change, reason: string) => {
    const key = `${change.kind}/${change.name}/${change.action}`
    if (!blocked.has(key)) blocked.set(key, { kind: change.kind, name: change.name, action: change.action, reason })
  }
  for (const { label, packet } of managementPackets(config, apiUrl)) {
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
    if (certainPass(a)) continue
    if (a.decision === "pass") {
      warnings.push(
        `lockout guard: after this plan the management path (${label}) is passed by ${
          decidingRule(a) ?? "no rule"
        }, but not certainly: ${a.notes.join("; ")}`
      )
      continue
    }
    const newDecider = decidingRule(a)
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
        `lockout guard: the management path (${label}) is not passed by any rule the API shows, before or after this plan; check it by hand`
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

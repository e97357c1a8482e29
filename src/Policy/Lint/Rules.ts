/**
 * Rule-order findings: shadowed (never decides, and an earlier or overriding rule does the opposite),
 * redundant (never decides, or deleting it changes nothing), contradicted (part of its traffic is
 * decided otherwise), and per-rule hygiene: any-any pass, unlogged pass on sensitive interfaces,
 * references to names that are neither aliases nor interfaces.
 */
import type { CompiledPolicy, CompiledRule, InterfaceMatch } from "../Compile.ts"
import { certainlyOverlap, covers, mayOverlap } from "../Relations.ts"
import { type Draft, quote, ruleDraft } from "./Finding.ts"

const MAX_RELATED = 5

const describe = (r: CompiledRule) => `${quote(r.rule.name)} (${r.quick ? "quick " : ""}${r.action}, ${r.group})`

const verb = (r: CompiledRule) => (r.action === "pass" ? "passes" : `${r.action}s`)

const orderNote = (earlier: CompiledRule, later: CompiledRule) =>
  earlier.priority < later.priority && earlier.rule.origin === "mvc" && later.rule.origin === "mvc"
    ? ` (${earlier.group} rules are evaluated before ${later.group} rules, whatever their order in the files)`
    : ""

/**
 * For each rule, the positions (into `active`) of the rules that can share an interface with it, in
 * order: a rule bound to one interface only meets rules on that interface and floating rules. This
 * index keeps lint near-linear when rules spread over interfaces.
 */
const neighbours = (active: ReadonlyArray<CompiledRule>): ((r: CompiledRule) => ReadonlyArray<number>) => {
  const general: Array<number> = []
  const byName = new Map<string, Array<number>>()
  active.forEach((r, i) => {
    if (r.interfaces.kind !== "only") return general.push(i)
    for (const n of r.interfaces.names) {
      const list = byName.get(n) ?? []
      list.push(i)
      byName.set(n, list)
    }
  })
  const all = active.map((_, i) => i)
  const merged = new Map<string, ReadonlyArray<number>>()
  return (r) => {
    if (r.interfaces.kind !== "only" || r.interfaces.names.size !== 1) return all
    const key = r.interfaces.names.values().next().value
    if (key === undefined) return all
    const cached = merged.get(key)
    if (cached !== undefined) return cached
    const list = [...(byName.get(key) ?? []), ...general].sort((a, b) => a - b)
    merged.set(key, list)
    return list
  }
}

/** Shadowed, redundant and contradicted rules. Only enabled rules take part. */
export const orderFindings = (policy: CompiledPolicy): ReadonlyArray<Draft> => {
  const active = policy.rules.filter((r) => r.enabled)
  const near = neighbours(active)
  const drafts: Array<Draft> = []
  for (let i = 0; i < active.length; i++) {
    const r = active[i]!
    if (r.rule.origin !== "mvc") continue
    const candidates = near(r)
    let settled = false
    const contradicting: Array<CompiledRule> = []
    for (const j of candidates) {
      if (j >= i) break
      const q = active[j]!
      if (!q.quick) continue
      if (covers(q, r)) {
        drafts.push(
          q.action === r.action
            ? ruleDraft(
              r,
              "redundant-rule",
              `rule ${quote(r.rule.name)} never matches: earlier rule ${describe(q)} already ${verb(q)} every packet it would match${orderNote(q, r)}`,
              `delete ${quote(r.rule.name)}, or move it above ${quote(q.rule.name)} if it is meant to be narrower`,
              [q.rule.name]
            )
            : ruleDraft(
              r,
              "shadowed-rule",
              `rule ${quote(r.rule.name)} (${r.action}) never matches: earlier rule ${describe(q)} decides every packet it would match${orderNote(q, r)}`,
              `move ${quote(r.rule.name)} above ${quote(q.rule.name)}, narrow ${quote(q.rule.name)}, or delete ${quote(r.rule.name)}`,
              [q.rule.name]
            )
        )
        settled = true
        break
      }
      if (q.action !== r.action && contradicting.length < MAX_RELATED && certainlyOverlap(q, r)) contradicting.push(q)
    }
    const later = laterOf(active, candidates, i)
    if (!settled && !r.quick) settled = laterOverride(later, r, drafts, contradicting)
    if (!settled && r.quick) settled = laterSameEffect(later, r, drafts)
    if (!settled && contradicting.length > 0) {
      const names = contradicting.map((c) => c.rule.name)
      drafts.push(ruleDraft(
        r,
        "contradicted-rule",
        `part of the traffic rule ${quote(r.rule.name)} (${r.action}) matches is decided otherwise by ${contradicting.map(describe).join(", ")}`,
        `if that is intended (an exception before a broader rule), nothing to do; otherwise reorder or narrow the rules`,
        names
      ))
    }
  }
  return drafts
}

/** the candidates after position i, lazily, in order */
function* laterOf(active: ReadonlyArray<CompiledRule>, candidates: ReadonlyArray<number>, i: number): Generator<CompiledRule> {
  let low = 0
  let high = candidates.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (candidates[mid]! <= i) low = mid + 1
    else high = mid
  }
  for (let k = low; k < candidates.length; k++) yield active[candidates[k]!]!
}

/** A non-quick rule is overridden by any later rule that covers it (last match wins). */
const laterOverride = (
  later: Iterable<CompiledRule>,
  r: CompiledRule,
  drafts: Array<Draft>,
  contradicting: Array<CompiledRule>
): boolean => {
  for (const s of later) {
    if (covers(s, r)) {
      const same = s.action === r.action
      drafts.push(ruleDraft(
        r,
        same ? "redundant-rule" : "shadowed-rule",
        `non-quick rule ${quote(r.rule.name)} (${r.action}) never decides: later rule ${describe(s)} matches every packet it matches, and the last match wins${same ? "" : ` with ${s.action}`}`,
        same
          ? `delete ${quote(r.rule.name)}`
          : `make ${quote(r.rule.name)} quick, move it below ${quote(s.rule.name)}, or narrow ${quote(s.rule.name)}`,
        [s.rule.name]
      ))
      return true
    }
    if (s.action !== r.action && contradicting.length < MAX_RELATED && certainlyOverlap(s, r)) contradicting.push(s)
  }
  return false
}

/**
 * A quick rule is redundant when a later quick rule with the same action covers it and no quick
 * rule between them could decide any of its packets differently: deleting it changes no decision.
 */
const laterSameEffect = (later: Iterable<CompiledRule>, r: CompiledRule, drafts: Array<Draft>): boolean => {
  for (const s of later) {
    if (!s.quick) continue
    if (s.action === r.action) {
      if (covers(s, r)) {
        drafts.push(ruleDraft(
          r,
          "redundant-rule",
          `rule ${quote(r.rule.name)} is redundant: later rule ${describe(s)} ${verb(s)} every packet it matches and nothing between them decides otherwise`,
          `delete ${quote(r.rule.name)} (the decision stays the same), or keep it deliberately for logging`,
          [s.rule.name]
        ))
        return true
      }
    } else if (mayOverlap(s, r)) {
      return false
    }
  }
  return false
}

const applies = (match: InterfaceMatch, names: ReadonlyArray<string>): ReadonlyArray<string> =>
  match.kind === "all" ? names : names.filter((n) => (match.kind === "only" ? match.names.has(n) : !match.names.has(n)))

const suspicious = /^(unknown name|unknown port)|nesting cycle|used as (a port|an address)/

/** any-any pass, unlogged pass on sensitive interfaces, unknown references */
export const hygieneFindings = (
  policy: CompiledPolicy,
  sensitive: ReadonlyArray<string>
): ReadonlyArray<Draft> => {
  const drafts: Array<Draft> = []
  for (const r of policy.rules) {
    if (!r.enabled || r.rule.origin !== "mvc") continue
    const where = r.interfaces.kind === "all" ? "every interface" : [...r.interfaces.names].join(", ")
    if (
      r.action === "pass" && r.protocols === undefined &&
      r.source.addresses.any && !r.source.invert && r.destination.addresses.any && !r.destination.invert
    ) {
      drafts.push(ruleDraft(
        r,
        "any-any-pass",
        `rule ${quote(r.rule.name)} passes any protocol from any source to any destination on ${where}`,
        "name the sources, destinations and protocols this rule is for"
      ))
    }
    const on = applies(r.interfaces, sensitive)
    if (r.action === "pass" && !r.log && on.length > 0) {
      drafts.push(ruleDraft(
        r,
        "unlogged-pass",
        `pass rule ${quote(r.rule.name)} applies on sensitive interface ${on.join(", ")} without logging`,
        "add `log: true`, or change the site's sensitive interfaces"
      ))
    }
    const odd = [...r.source.addresses.tokens, ...r.destination.addresses.tokens, ...r.source.port.tokens, ...r.destination.port.tokens]
      .filter((t) => suspicious.test(t))
    if (odd.length > 0) {
      drafts.push(ruleDraft(
        r,
        "unknown-reference",
        `rule ${quote(r.rule.name)} names what is neither an address, an alias of the right type nor an interface: ${[...new Set(odd)].join("; ")}; it is treated as opaque`,
        "fix the name, or declare the alias"
      ))
    }
  }
  return drafts
}

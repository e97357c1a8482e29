/**
 * Rule-order findings: shadowed (never decides, and an earlier or overriding rule does the opposite),
 * redundant (never decides, or deleting it changes nothing), contradicted (part of its traffic is
 * decided otherwise), and per-rule hygiene: any-any pass, unlogged pass on sensitive interfaces,
 * references to names that are neither aliases nor interfaces.
 */
import type { CompiledPolicy, CompiledRule, InterfaceMatch } from "../Compile.ts"
import { type NumberRanges, type Ranges, V4_MAX, V6_MAX } from "../Ranges.ts"
import { certainlyOverlap, covers, mayOverlap } from "../Relations.ts"
import { type Draft, quote, ruleDraft } from "./Finding.ts"

const MAX_RELATED = 5

/** automatic and legacy rules are not listed as contradicting: nothing in git can change them */
const contradicts = (other: CompiledRule, r: CompiledRule, found: ReadonlyArray<CompiledRule>) =>
  other.action !== r.action && other.rule.origin === "mvc" && found.length < MAX_RELATED && certainlyOverlap(other, r)

const describe = (r: CompiledRule) => `${quote(r.rule.name)} (${r.quick ? "quick " : ""}${r.action}, ${r.group})`

const verb = (r: CompiledRule) => (r.action === "pass" ? "passes" : `${r.action}s`)

const orderNote = (earlier: CompiledRule, later: CompiledRule) =>
  earlier.priority < later.priority && earlier.rule.origin === "mvc" && later.rule.origin === "mvc"
    ? ` (${earlier.group} rules are evaluated before ${later.group} rules, whatever their order in the files)`
    : ""

type Buckets = ReadonlyArray<number> | "wide"

/** the /24 blocks an IPv4 range set touches; "wide" beyond 1024 of them (a /14) */
const buckets24 = (ranges: NumberRanges): Buckets => {
  const buckets = new Set<number>()
  for (let i = 0; i < ranges.length; i += 2) {
    const from = Math.floor(ranges[i]! / 256)
    const to = Math.floor(ranges[i + 1]! / 256)
    if (to - from >= 1024) return "wide"
    for (let b = from; b <= to; b++) buckets.add(b)
    if (buckets.size > 1024) return "wide"
  }
  return [...buckets]
}

/** where a rule is filed: by the destinations it certainly matches (for covers/certainlyOverlap) */
const fileByLower = (r: CompiledRule): Buckets => (r.families !== 1 ? "wide" : buckets24(r.destination.lower4))
/** ... or by the destinations it may match (for mayOverlap) */
const fileByUpper = (r: CompiledRule): Buckets => (r.families !== 1 ? "wide" : buckets24(r.destination.upper4))
/** what a rule looks up: everything its own destinations may touch */
const lookup = (r: CompiledRule): Buckets =>
  r.families !== 1 || r.destination.upper4.length === 0 ? "wide" : buckets24(r.destination.upper4)

/** the opaque names (GeoIP, URL aliases, ...) of a destination that is not inverted */
const opaqueNames = (
  r: CompiledRule
): ReadonlyArray<string> => (r.destination.invert ? [] : r.destination.addresses.tokens)

/**
 * What a rule looks up to find the rules that may cover it or certainly overlap it. An opaque name
 * makes its possible destinations everything, yet such a rule is only covered by a rule matching
 * any destination (filed as wide) or naming the same opaque names, and only certainly overlaps a
 * rule meeting its concrete destinations or sharing a name: so it looks up those, not every rule.
 */
const lookupCertain = (r: CompiledRule): { readonly buckets: Buckets; readonly names: ReadonlyArray<string> } => {
  const names = opaqueNames(r)
  return names.length > 0 && r.families === 1
    ? { buckets: buckets24(r.destination.lower4), names }
    : { buckets: lookup(r), names: [] }
}

/**
 * For each rule, the sorted lists of positions (into `active`) of the rules it can be related to.
 * Two rules are only related when they share an interface and their destinations meet, so rules
 * are filed by interface and by the /24 blocks of their destination. A rule covering another must
 * certainly match all of its destinations, so for covers it is filed by what it certainly matches:
 * an opaque alias (GeoIP, URL) then files nothing, instead of making the rule relate to everything.
 * Every rule is also filed under "+" (any interface), where a floating rule, which can meet rules
 * of any interface, looks its destinations up. This keeps lint near-linear on large rule sets; a
 * wide destination falls back to every rule of the interface.
 */
const neighbours = (
  active: ReadonlyArray<CompiledRule>,
  file: (r: CompiledRule) => Buckets,
  look: (r: CompiledRule) => { readonly buckets: Buckets; readonly names: ReadonlyArray<string> }
): (i: number) => Lists => {
  // interface ("*" floating, "+" any) → key (a /24 block, "w" wide, "=name", "all") → positions
  const lists = new Map<string, Map<number | string, Array<number>>>()
  const add = (iface: string, key: number | string, i: number) => {
    let keys = lists.get(iface)
    if (keys === undefined) lists.set(iface, keys = new Map())
    const list = keys.get(key)
    if (list === undefined) keys.set(key, [i])
    else list.push(i)
  }
  const ifaces = active.map(ifaceOf)
  active.forEach((r, i) => {
    const iface = ifaces[i] ?? "*"
    add(iface, "all", i)
    const buckets = file(r)
    const keys = [...(buckets === "wide" ? ["w"] : buckets), ...opaqueNames(r).map((name) => `=${name}`)]
    for (const key of keys) {
      add(iface, key, i)
      add("+", key, i)
    }
  })
  const everything = [active.map((_, i) => i)]
  const none: ReadonlyArray<number> = []
  const floating = lists.get("*")
  const any = lists.get("+")
  return (i) => {
    const iface = ifaces[i]
    const { buckets, names } = look(active[i]!)
    const own = iface === undefined ? undefined : lists.get(iface)
    if (buckets === "wide") {
      return iface === undefined
        ? everything
        : [own?.get("all") ?? none, floating?.get("all") ?? none]
    }
    const keys = ["w", ...buckets, ...names.map((name) => `=${name}`)]
    return iface === undefined
      ? keys.map((key) => any?.get(key) ?? none)
      : keys.flatMap((key) => [own?.get(key) ?? none, floating?.get(key) ?? none])
  }
}

/** the interface of a rule on exactly one; undefined for floating rules */
const ifaceOf = (r: CompiledRule): string | undefined =>
  r.interfaces.kind === "only" && r.interfaces.names.size === 1 ? r.interfaces.names.values().next().value : undefined

/** several sorted lists of positions */
type Lists = ReadonlyArray<ReadonlyArray<number>>

const firstAfter = (list: ReadonlyArray<number>, position: number): number => {
  let low = 0
  let high = list.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (list[mid]! <= position) low = mid + 1
    else high = mid
  }
  return low
}

/** the positions in the lists strictly between `after` and `before`, ascending, each once */
function* walk(lists: Lists, after: number, before: number): Generator<number> {
  const cursors = lists.map((l) => firstAfter(l, after))
  let last = after
  for (;;) {
    let best = -1
    let bestValue = before
    for (let k = 0; k < lists.length; k++) {
      const list = lists[k]!
      let c = cursors[k]!
      while (c < list.length && list[c]! <= last) c++
      cursors[k] = c
      if (c < list.length && list[c]! < bestValue) {
        bestValue = list[c]!
        best = k
      }
    }
    if (best < 0) return
    last = bestValue
    yield bestValue
  }
}

/**
 * Shadowed, redundant and contradicted rules. Only enabled rules take part. `indexed: false`
 * compares every pair (the reference the index is tested against).
 */
export const orderFindings = (
  policy: CompiledPolicy,
  options: { readonly indexed?: boolean } = {}
): ReadonlyArray<Draft> => {
  const active = policy.rules.filter((r) => r.enabled)
  const all: Lists = [active.map((_, i) => i)]
  const indexed = options.indexed ?? true
  const near = indexed ? neighbours(active, fileByLower, lookupCertain) : () => all
  const nearUpper = indexed ? neighbours(active, fileByUpper, (r) => ({ buckets: lookup(r), names: [] })) : () => all
  const drafts: Array<Draft> = []
  for (let i = 0; i < active.length; i++) {
    const r = active[i]!
    if (r.rule.origin !== "mvc") continue
    const candidates = near(i)
    let settled = false
    const contradicting: Array<CompiledRule> = []
    for (const j of walk(candidates, -1, i)) {
      const q = active[j]!
      if (!q.quick) continue
      if (covers(q, r)) {
        drafts.push(
          q.action === r.action
            ? ruleDraft(
              r,
              "redundant-rule",
              `rule ${quote(r.rule.name)} never matches: earlier rule ${describe(q)} already ${
                verb(q)
              } every packet it would match${orderNote(q, r)}`,
              `delete ${quote(r.rule.name)}, or move it above ${quote(q.rule.name)} if it is meant to be narrower`,
              [q.rule.name]
            )
            : ruleDraft(
              r,
              "shadowed-rule",
              `rule ${quote(r.rule.name)} (${r.action}) never matches: earlier rule ${
                describe(q)
              } decides every packet it would match${orderNote(q, r)}`,
              `move ${quote(r.rule.name)} above ${quote(q.rule.name)}, narrow ${quote(q.rule.name)}, or delete ${
                quote(r.rule.name)
              }`,
              [q.rule.name]
            )
        )
        settled = true
        break
      }
      if (contradicts(q, r, contradicting)) contradicting.push(q)
    }
    if (!settled && !r.quick) settled = laterOverride(laterOf(active, candidates, i), r, drafts, contradicting)
    if (!settled && r.quick) settled = laterSameEffect(laterOf(active, nearUpper(i), i), r, drafts)
    if (!settled && contradicting.length > 0) {
      const names = contradicting.map((c) => c.rule.name)
      drafts.push(ruleDraft(
        r,
        "contradicted-rule",
        `part of the traffic rule ${quote(r.rule.name)} (${r.action}) matches is decided otherwise by ${
          contradicting.map(describe).join(", ")
        }`,
        `if that is intended (an exception before a broader rule), nothing to do; otherwise reorder or narrow the rules`,
        names
      ))
    }
  }
  return drafts
}

/** the candidates after position i, lazily, in order */
function* laterOf(active: ReadonlyArray<CompiledRule>, candidates: Lists, i: number): Generator<CompiledRule> {
  for (const j of walk(candidates, i, Number.POSITIVE_INFINITY)) yield active[j]!
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
        `non-quick rule ${quote(r.rule.name)} (${r.action}) never decides: later rule ${
          describe(s)
        } matches every packet it matches, and the last match wins${same ? "" : ` with ${s.action}`}`,
        same
          ? `delete ${quote(r.rule.name)}`
          : `make ${quote(r.rule.name)} quick, move it below ${quote(s.rule.name)}, or narrow ${quote(s.rule.name)}`,
        [s.rule.name]
      ))
      return true
    }
    if (contradicts(s, r, contradicting)) contradicting.push(s)
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
          `rule ${quote(r.rule.name)} is redundant: later rule ${describe(s)} ${
            verb(s)
          } every packet it matches and nothing between them decides otherwise`,
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

const isFull = (ranges: Ranges, max: bigint) => ranges.length === 1 && ranges[0]?.lo === 0n && ranges[0]?.hi === max

/**
 * An endpoint that matches every address: "any", or literals/aliases that cover a whole address
 * family the rule matches (0.0.0.0/0, ::/0, an alias holding them) with nothing opaque beside
 * them. Writing 0.0.0.0/0 instead of any changes nothing for pf, so it must not change the lint.
 */
const matchesEverything = (endpoint: CompiledRule["source"], families: number): boolean =>
  endpoint.addresses.any ||
  (!endpoint.invert && endpoint.addresses.tokens.length === 0 &&
    (((families & 1) !== 0 && isFull(endpoint.addresses.v4, V4_MAX)) ||
      ((families & 2) !== 0 && isFull(endpoint.addresses.v6, V6_MAX))))

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
      r.action === "pass" && r.protocols === undefined && !r.source.invert && !r.destination.invert &&
      matchesEverything(r.source, r.families) && matchesEverything(r.destination, r.families)
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
    const odd = [
      ...r.source.addresses.tokens,
      ...r.destination.addresses.tokens,
      ...r.source.port.tokens,
      ...r.destination.port.tokens
    ]
      .filter((t) => suspicious.test(t))
    if (odd.length > 0) {
      drafts.push(ruleDraft(
        r,
        "unknown-reference",
        `rule ${quote(r.rule.name)} names what is neither an address, an alias of the right type nor an interface: ${
          [...new Set(odd)].join("; ")
        }; it is treated as opaque`,
        "fix the name, or declare the alias"
      ))
    }
  }
  return drafts
}

/**
 * Destination NAT as pf applies it to an inbound packet, before any filter rule. pf's
 * pf_get_translation (FreeBSD sys/netpfil/pf/pf_lb.c) tries the `rdr` rules first and, when none
 * translates, the `binat` rules; within each, the first matching rule applies, and a matching
 * `no rdr` stops the `rdr` rules only.
 *
 * - Port forwards are the `rdr` rules (opnsense/core 26.7.2:
 *   src/opnsense/mvc/app/library/OPNsense/Firewall/ForwardRule.php writes each as one `rdr`/`no rdr`
 *   line; src/etc/inc/filter.inc registers the anti-lockout `no rdr` entries (priority 300) before
 *   the DNat model's port forwards (600), sorted by sequence). A port forward with `pass`
 *   (`rdr pass`) skips the filter rules; one with "Register rule" gets a pass rule at the end of the
 *   rule set (filter.lib.inc, priority 500000).
 * - 1:1 NAT entries of type binat are the `binat` rules (src/etc/inc/plugins.inc.d/pf.inc registers
 *   the onetoone model by sequence; OPNsense/Firewall/DNatRule.php writes
 *   `binat on <if> from <internal> to <destination> -> <external>`, giving a bare external address
 *   the internal subnet's prefix). Inbound, pf matches the source against `<destination>` and the
 *   destination against `<external>`, and maps the destination onto `<internal>` address for
 *   address. Entries of type nat translate outbound traffic only.
 *
 * The filter rules then see the translated destination and port.
 */
import type { RuleSpec } from "../Kinds/Rule/Spec.ts"
import { type CompiledPolicy, type CompiledRule, compiledRule, excludedBy } from "./Compile.ts"
import type {
  Explanation,
  NatKind,
  NatStep,
  Packet,
  PolicyOneToOne,
  PolicyPortForward,
  PolicyRule,
  PriorityGroup,
  Translation
} from "./Domain.ts"
import { explainCompiled, lastFailure, type Match, matchRule, MAYBE, NO, YES } from "./Evaluate.ts"
import { type CompiledPacket, showIp } from "./Packet.ts"
import * as R from "./Ranges.ts"

export interface CompiledForward {
  readonly position: number
  readonly forward: PolicyPortForward
  /** the forward's match conditions as a rule (quick pass, direction in): rule matching and relations reuse it */
  readonly match: CompiledRule
  /** the one address the target stands for; undefined when it is not one known address */
  readonly target: R.Ip | undefined
  /** the first local port ("" in the spec: undefined, the destination port is kept) */
  readonly localPort: number | undefined
  /** the first port of the destination range the local port maps from */
  readonly destinationFrom: number | undefined
}

/** The conditions of a NAT entry written as a rule's: what its pf line matches, as a quick pass rule. */
export type NatConditions = Pick<
  RuleSpec,
  "enabled" | "interfaces" | "direction" | "ipVersion" | "protocol" | "source" | "destination" | "log" | "description"
>

/**
 * A NAT entry's match conditions compiled as a rule on its interfaces (and their groups' members):
 * matching a packet and comparing entries (covers) then work as for filter rules.
 */
export const natMatch = (
  policy: CompiledPolicy,
  entry: Pick<PolicyRule, "name" | "sequence" | "origin" | "source">,
  conditions: NatConditions,
  position: number,
  placed: { readonly group: PriorityGroup; readonly priority: number }
): CompiledRule => {
  const groups = policy.input.groups ?? {}
  const names = new Set(conditions.interfaces.flatMap((n) => [n, ...(groups[n]?.members ?? [])]))
  const spec: RuleSpec = {
    ...conditions,
    action: "pass",
    quick: true,
    interfaceInvert: false,
    gateway: "",
    categories: []
  }
  return compiledRule(
    policy.resolver,
    {
      name: entry.name,
      spec,
      sequence: entry.sequence,
      origin: entry.origin,
      ...(entry.source !== undefined ? { source: entry.source } : {})
    },
    position,
    { ...placed, interfaces: names.size === 0 ? { kind: "all" } : { kind: "only", names } }
  )
}

const single = (ranges: R.Ranges): bigint | undefined =>
  ranges.length === 1 && ranges[0]!.lo === ranges[0]!.hi ? ranges[0]!.lo : undefined

const compiledForwards = new WeakMap<CompiledPolicy, ReadonlyArray<CompiledForward>>()

/** The policy's port forwards in the order pf meets them (anti-lockout entries first, then by sequence). */
export const forwardsOf = (policy: CompiledPolicy): ReadonlyArray<CompiledForward> => {
  const known = compiledForwards.get(policy)
  if (known !== undefined) return known
  const { resolver, input } = policy
  const ordered = (input.portForwards ?? [])
    .map((forward, index) => ({ forward, index }))
    .sort((a, b) =>
      (a.forward.origin === "automatic" ? 0 : 1) - (b.forward.origin === "automatic" ? 0 : 1) ||
      a.forward.sequence - b.forward.sequence || a.index - b.index
    )
  const made = ordered.map(({ forward }, position): CompiledForward => {
    const { spec } = forward
    // what pf's `rdr on <if> ... from ... to ...` matches
    const match = natMatch(
      policy,
      forward,
      {
        enabled: spec.enabled,
        interfaces: spec.interfaces,
        direction: "in",
        ipVersion: spec.ipVersion === "any" ? "inet46" : spec.ipVersion,
        protocol: spec.protocol,
        source: spec.source,
        destination: spec.destination,
        log: spec.log,
        description: spec.description
      },
      position,
      {
        group: forward.origin === "automatic" ? "automatic" : "interface",
        priority: forward.origin === "automatic" ? 300 : 600
      }
    )
    const target = resolver.addresses(forward.spec.target === "" ? [] : [forward.spec.target])
    const v4 = target.tokens.length === 0 && !target.any && target.v6.length === 0 ? single(target.v4) : undefined
    const v6 = target.tokens.length === 0 && !target.any && target.v4.length === 0 ? single(target.v6) : undefined
    const local = resolver.port(forward.spec.localPort)
    const from = match.destination.port.any ? undefined : match.destination.port.ranges[0]?.lo
    return {
      position,
      forward,
      match,
      target: v4 !== undefined ? { family: 4, value: v4 } : v6 !== undefined ? { family: 6, value: v6 } : undefined,
      localPort: local.any || local.ranges.length === 0 ? undefined : Number(local.ranges[0]!.lo),
      destinationFrom: from === undefined ? undefined : Number(from)
    }
  })
  compiledForwards.set(policy, made)
  return made
}

export interface CompiledOneToOne {
  /** position in evaluation order, after every port forward */
  readonly position: number
  readonly entry: PolicyOneToOne
  /** the inbound binat's match conditions as a rule: from `destination` to `external`, any protocol */
  readonly match: CompiledRule
  /** the outbound match (binat and nat alike): from `internal` to `destination`, any protocol */
  readonly outbound: CompiledRule
  /** the internal address an external one maps to; undefined when that is not known offline */
  readonly map: ((destination: R.Ip) => R.Ip | undefined) | undefined
  /** internal minus external: a filter rule's boundary carried back through the mapping (intents) */
  readonly offset: { readonly family: R.Family; readonly by: bigint } | undefined
}

/** the one block an address field stands for, or undefined (an alias of several, a name not known offline) */
const blockOf = (policy: CompiledPolicy, text: string): R.Block | undefined => {
  const set = policy.resolver.addresses(text === "" ? [] : [text])
  if (set.tokens.length > 0 || set.any) return undefined
  const blocks: Array<R.Block> = [
    ...set.v4.map((interval) => ({ family: 4 as const, interval })),
    ...set.v6.map((interval) => ({ family: 6 as const, interval }))
  ]
  return blocks.length === 1 ? blocks[0] : undefined
}

const compiledOneToOne = new WeakMap<CompiledPolicy, ReadonlyArray<CompiledOneToOne>>()

/** The policy's 1:1 NAT entries in the order pf meets their binat rules (by sequence), after the port forwards. */
export const oneToOnesOf = (policy: CompiledPolicy): ReadonlyArray<CompiledOneToOne> => {
  const known = compiledOneToOne.get(policy)
  if (known !== undefined) return known
  const after = forwardsOf(policy).length
  const made = (policy.input.oneToOne ?? [])
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.sequence - b.entry.sequence || a.index - b.index)
    .map(({ entry }, i): CompiledOneToOne => {
      const { spec } = entry
      // DNatRule.php: a bare external address takes the internal subnet's prefix
      const prefix = spec.internal.includes("/") ? spec.internal.slice(spec.internal.indexOf("/")) : ""
      const externalText = spec.external.includes("/") ? spec.external : `${spec.external}${prefix}`
      const external = R.parseBlock(externalText)
      const ipVersion = external?.family === 6 ? "inet6" : "inet"
      const remote = { addresses: spec.destination === "" ? [] : [spec.destination], invert: spec.destinationInvert }
      /** the entry's conditions in one direction as a rule (any protocol) */
      const asRule = (
        direction: "in" | "out",
        source: { readonly addresses: ReadonlyArray<string>; readonly invert: boolean },
        destination: { readonly addresses: ReadonlyArray<string>; readonly invert: boolean }
      ): CompiledRule =>
        natMatch(
          policy,
          entry,
          {
            enabled: spec.enabled,
            interfaces: [spec.interface],
            direction,
            ipVersion,
            protocol: "any",
            source: { ...source, port: "" },
            destination: { ...destination, port: "" },
            log: spec.log,
            description: spec.description
          },
          after + i,
          { group: "interface", priority: 500 }
        )
      const match = asRule("in", remote, { addresses: [externalText], invert: false })
      const outbound = asRule("out", { addresses: [spec.internal], invert: spec.internalInvert }, remote)
      const internal = spec.internalInvert ? undefined : blockOf(policy, spec.internal)
      const size = (b: R.Block) => b.interval.hi - b.interval.lo
      const mapped = internal !== undefined && external !== undefined && internal.family === external.family &&
          size(internal) === size(external)
        ? { family: external.family, by: internal.interval.lo - external.interval.lo }
        : undefined
      const single = internal !== undefined && size(internal) === 0n ? internal : undefined
      return {
        position: after + i,
        entry,
        match,
        outbound,
        map: mapped !== undefined
          ? (d) => ({ family: mapped.family, value: d.value + mapped.by })
          : single !== undefined
          ? () => ({ family: single.family, value: single.interval.lo })
          : undefined,
        offset: mapped
      }
    })
  compiledOneToOne.set(policy, made)
  return made
}

/** The port the target sees: the local port, shifted along a destination range (ForwardRule.php). */
const translatedPort = (f: CompiledForward, port: number | undefined): number | undefined => {
  if (f.localPort === undefined) return port
  if (port === undefined || f.destinationFrom === undefined) return f.localPort
  return f.localPort + (port - f.destinationFrom)
}

/** the port forward or 1:1 NAT entry a step or a translation is about */
export interface Entry {
  readonly kind: NatKind
  readonly position: number
  readonly name: string
  readonly sequence: number
  readonly origin: PolicyPortForward["origin"]
  readonly enabled: boolean
  readonly source: PolicyPortForward["source"]
}

const forwardEntry = (f: CompiledForward): Entry => ({
  kind: "port_forward",
  position: f.position,
  name: f.forward.name,
  sequence: f.forward.sequence,
  origin: f.forward.origin,
  enabled: f.forward.spec.enabled,
  source: f.forward.source
})

const oneToOneEntry = (b: CompiledOneToOne): Entry => ({
  kind: "one_to_one_nat",
  position: b.position,
  name: b.entry.name,
  sequence: b.entry.sequence,
  origin: b.entry.origin,
  enabled: b.entry.spec.enabled,
  source: b.entry.source
})

const natStep = (e: Entry, match: Match, outcome: NatStep["outcome"], reasons: ReadonlyArray<string>): NatStep => ({
  position: e.position + 1,
  kind: e.kind,
  forward: e.name,
  sequence: e.sequence,
  origin: e.origin,
  enabled: e.enabled,
  match: match === YES ? "yes" as const : match === MAYBE ? "maybe" as const : "no" as const,
  outcome,
  // the conditions are matched as a rule's: say whose they are
  reasons: reasons.map((r) =>
    r.replace(/\bthe rule\b/g, e.kind === "port_forward" ? "the port forward" : "the 1:1 NAT entry")
  ),
  ...(e.source !== undefined ? { source: e.source } : {})
})

export interface Translated {
  readonly translation: Translation
  /** the packet the filter rules see */
  readonly packet: CompiledPacket
  /** the port forward that applied (translated or exempted), if any */
  readonly forward: CompiledForward | undefined
  /** the entry that translated or exempted the packet: a port forward or a 1:1 NAT entry */
  readonly entry: Entry | undefined
}

/** the packet with the destination (and port) the filter rules see */
const rewritten = (packet: CompiledPacket, target: R.Ip | undefined, port: number | undefined): CompiledPacket => ({
  ...packet,
  destination: target,
  destination4: target?.family === 4 ? Number(target.value) : NaN,
  family: packet.family ?? target?.family,
  destinationPort: port
})

/** the shown form of a translated destination and port */
const shownTo = (target: R.Ip | undefined, fallback: string, port: number | undefined) =>
  `${target === undefined ? fallback : showIp(target)}${port === undefined ? "" : `:${port}`}`

/** How a matching condition set is met: excluded by interface or protocol, else matchRule's answer. */
const meet = (match: CompiledRule, packet: CompiledPacket, why: Array<string>, noun: string): Match | string => {
  const out = excludedBy(match, packet.interface, "in", packet.protocol)
  const spec = match.rule.spec
  if (out === "interface") {
    return `interface ${packet.interface ?? "?"}: the ${noun} is on ${spec.interfaces.join(", ")}`
  }
  if (out === "protocol") return `protocol ${packet.protocol}: the ${noun} is for ${spec.protocol}`
  return matchRule(match, packet, why)
}

/** What pf's translation rules do to an inbound packet; undefined when the policy has no destination NAT. */
export const translate = (policy: CompiledPolicy, packet: CompiledPacket): Translated | undefined => {
  const forwards = forwardsOf(policy)
  const binats = oneToOnesOf(policy)
  if ((forwards.length === 0 && binats.length === 0) || packet.direction !== "in") return undefined
  const steps: Array<NatStep> = []
  let certain = true
  /** why the entry matches for certain; undefined (its step recorded) when it does not apply or may not */
  const matching = (entry: Entry, match: CompiledRule, noun: string, skipped: string | undefined) => {
    if (skipped !== undefined) {
      steps.push(natStep(entry, NO, entry.enabled ? "no-match" : "disabled", [skipped]))
      return undefined
    }
    const why: Array<string> = []
    const m = meet(match, packet, why, noun)
    if (typeof m === "string" || m === NO) {
      steps.push(natStep(entry, NO, "no-match", [typeof m === "string" ? m : lastFailure()]))
      return undefined
    }
    if (m === MAYBE) {
      certain = false
      steps.push(natStep(entry, MAYBE, "may-match", why))
      return undefined
    }
    return why
  }
  /** the entry translates the packet to `target` and `port` */
  const translated = (
    entry: Entry,
    why: ReadonlyArray<string>,
    to: { readonly target: R.Ip | undefined; readonly port: number | undefined; readonly unknown: string },
    forward: CompiledForward | undefined
  ): Translated => {
    steps.push(natStep(entry, YES, "translates", [
      ...why,
      `translated to ${shownTo(to.target, to.unknown, to.port)}${forward === undefined ? " (binat)" : ""}`
    ]))
    return {
      translation: {
        outcome: "translated",
        kind: entry.kind,
        forward: entry.name,
        ...(entry.source !== undefined ? { source: entry.source } : {}),
        ...(to.target !== undefined ? { destination: showIp(to.target) } : {}),
        ...(to.port !== undefined ? { destinationPort: to.port } : {}),
        ...(forward !== undefined ? { filterRule: forward.forward.spec.filterRule } : {}),
        certain,
        steps
      },
      packet: rewritten(packet, to.target, to.port),
      forward,
      entry
    }
  }
  let exempted: CompiledForward | undefined
  for (const f of forwards) {
    const entry = forwardEntry(f)
    const why = matching(
      entry,
      f.match,
      "port forward",
      f.forward.spec.enabled ? undefined : "the port forward is disabled"
    )
    if (why === undefined) continue
    if (f.forward.spec.noRdr) {
      // `no rdr` ends the rdr rules; the binat rules still apply (pf_get_translation)
      steps.push(natStep(entry, YES, "not-redirected", [...why, "no_rdr: the port forwards after it do not apply"]))
      exempted = f
      break
    }
    const port = translatedPort(f, packet.destinationPort)
    return translated(entry, why, { target: f.target, port, unknown: f.forward.spec.target }, f)
  }
  for (const b of binats) {
    const entry = oneToOneEntry(b)
    const skipped = !b.entry.spec.enabled
      ? "the 1:1 NAT entry is disabled"
      : b.entry.spec.type !== "binat"
      ? "type nat: it translates outbound traffic only"
      : undefined
    const why = matching(entry, b.match, "1:1 NAT entry", skipped)
    if (why === undefined) continue
    const target = packet.destination === undefined ? undefined : b.map?.(packet.destination)
    return translated(entry, why, { target, port: packet.destinationPort, unknown: b.entry.spec.internal }, undefined)
  }
  if (exempted !== undefined) {
    const entry = forwardEntry(exempted)
    return {
      translation: {
        outcome: "not-redirected",
        kind: "port_forward",
        forward: exempted.forward.name,
        ...(entry.source !== undefined ? { source: entry.source } : {}),
        certain,
        steps
      },
      packet,
      forward: exempted,
      entry
    }
  }
  return { translation: { outcome: "none", certain, steps }, packet, forward: undefined, entry: undefined }
}

const NOTHING_EXCLUDED = { interface: 0, direction: 0, protocol: 0 }

/**
 * Whether the port forward that translated a packet, not the filter rules, decides it: with
 * filter_rule pass always (`rdr pass` skips the filter rules); with register unless a quick user
 * rule decided first (OPNsense's pass rule for the forward comes after every user rule). `explain`
 * and the intent checker both ask this, so they cannot disagree.
 */
export const forwardDecides = (nat: Translated, quickRuleDecided: boolean): nat is Translated & {
  readonly forward: CompiledForward
} =>
  nat.translation.outcome === "translated" && nat.forward !== undefined &&
  (nat.translation.filterRule === "pass" || (nat.translation.filterRule === "register" && !quickRuleDecided))

/**
 * `explain` with destination NAT first: the port forwards an inbound packet meets, then the filter
 * decision on the packet as translated. A forward with filter_rule pass decides itself (`rdr pass`
 * skips the filter rules); with register, OPNsense's pass rule after every user rule decides unless
 * a quick user rule did before it.
 */
export const explainWithNat = (
  policy: CompiledPolicy,
  packet: CompiledPacket,
  original: Packet,
  notes: ReadonlyArray<string>
): Explanation => {
  const e = explainTranslated(policy, packet, original, notes)
  // `certain` is about what was read (the lockout guard and the management check rely on it);
  // what could not be read is said in a note
  const unread = (policy.input.notRead ?? []).filter((n) => DECIDING_KINDS.includes(n.kind))
  return unread.length === 0
    ? e
    : { ...e, notes: [...e.notes, ...unread.map((n) => `${n.why}: they could decide otherwise`)] }
}

/** the kinds whose objects decide a packet: rules, the aliases they name, and destination NAT */
export const DECIDING_KINDS: ReadonlyArray<string> = ["rule", "alias", "port_forward", "one_to_one_nat"]

const explainTranslated = (
  policy: CompiledPolicy,
  packet: CompiledPacket,
  original: Packet,
  notes: ReadonlyArray<string>
): Explanation => {
  const nat = translate(policy, packet)
  if (nat === undefined) return explainCompiled(policy, packet, original, notes)
  const { entry, forward, translation } = nat
  const natNotes: Array<string> = []
  if (translation.outcome === "translated" && entry !== undefined && translation.destination === undefined) {
    natNotes.push(
      forward !== undefined
        ? `port forward ${entry.name}: target "${forward.forward.spec.target}" is not one known address; ` +
          "the filter rules are evaluated with the destination unknown"
        : `1:1 NAT entry ${entry.name}: its internal address for this destination is not known offline; ` +
          "the filter rules are evaluated with the destination unknown"
    )
  }
  if (!translation.certain) {
    natNotes.push("a port forward or 1:1 NAT entry may match this packet: the translation is not certain")
  }
  const base = explainCompiled(policy, nat.packet, original, [...notes, ...natNotes])
  const certain = base.certain && translation.certain
  const quickDecided = base.decidedBy.kind === "rule" && base.steps.some((s) => s.outcome === "decides" && s.quick)
  if (!forwardDecides(nat, quickDecided)) return { ...base, certain, translation }
  const source = nat.forward.forward.source
  const decidedBy = (description: string) => ({
    kind: "port-forward" as const,
    rule: nat.forward.forward.name,
    description,
    ...(source !== undefined ? { source } : {})
  })
  if (translation.filterRule === "pass") {
    return {
      ...base,
      decision: "pass",
      certain: translation.certain,
      decidedBy: decidedBy("filter_rule pass (rdr pass): the translated traffic skips the filter rules"),
      steps: [],
      excluded: NOTHING_EXCLUDED,
      notConsidered: policy.rules.length,
      translation
    }
  }
  return {
    ...base,
    decision: "pass",
    certain,
    decidedBy: decidedBy(
      "filter_rule register: OPNsense's pass rule for this port forward, after every user rule, " +
        "passes the translated traffic"
    ),
    steps: base.steps.map((s) =>
      s.outcome === "decides"
        ? {
          ...s,
          outcome: "overridden" as const,
          reasons: [...s.reasons, "overridden by the port forward's registered rule"]
        }
        : s
    ),
    translation
  }
}

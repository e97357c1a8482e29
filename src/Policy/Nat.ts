/**
 * Destination NAT (port forwards) as pf applies it to an inbound packet, before any filter rule:
 * pf evaluates translation rules first, in order, and the first matching one applies; a `no rdr`
 * rule that matches stops translation (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/library/OPNsense/Firewall/ForwardRule.php writes each port forward as one
 * `rdr`/`no rdr` line; src/etc/inc/filter.inc registers the anti-lockout `no rdr` entries (priority
 * 300) before the DNat model's port forwards (600), sorted by sequence). The filter rules then see
 * the translated destination and port. A port forward with `pass` (`rdr pass`) skips the filter
 * rules; one with "Register rule" gets a pass rule at the end of the rule set (filter.lib.inc,
 * priority 500000).
 */
import type { RuleSpec } from "../Kinds/Rule/Spec.ts"
import {
  type CompiledPolicy,
  type CompiledRule,
  compileEndpoint,
  excludedBy,
  familiesOf,
  type InterfaceMatch,
  maskOf,
  protocolsOf
} from "./Compile.ts"
import type { Explanation, NatStep, Packet, PolicyPortForward, Translation } from "./Domain.ts"
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

/** A port forward's match conditions in a rule's terms: what pf's `rdr on <if> ... from ... to ...` matches. */
const asRuleSpec = (f: PolicyPortForward): RuleSpec => ({
  enabled: f.spec.enabled,
  action: "pass",
  quick: true,
  interfaces: f.spec.interfaces,
  interfaceInvert: false,
  direction: "in",
  ipVersion: f.spec.ipVersion === "any" ? "inet46" : f.spec.ipVersion,
  protocol: f.spec.protocol,
  source: f.spec.source,
  destination: f.spec.destination,
  log: f.spec.log,
  gateway: "",
  description: f.spec.description,
  categories: f.spec.categories
})

const single = (ranges: R.Ranges): bigint | undefined =>
  ranges.length === 1 && ranges[0]!.lo === ranges[0]!.hi ? ranges[0]!.lo : undefined

const compiledForwards = new WeakMap<CompiledPolicy, ReadonlyArray<CompiledForward>>()

/** The policy's port forwards in the order pf meets them (anti-lockout entries first, then by sequence). */
export const forwardsOf = (policy: CompiledPolicy): ReadonlyArray<CompiledForward> => {
  const known = compiledForwards.get(policy)
  if (known !== undefined) return known
  const { resolver, input } = policy
  const groups = input.groups ?? {}
  const ordered = (input.portForwards ?? [])
    .map((forward, index) => ({ forward, index }))
    .sort((a, b) =>
      (a.forward.origin === "automatic" ? 0 : 1) - (b.forward.origin === "automatic" ? 0 : 1) ||
      a.forward.sequence - b.forward.sequence || a.index - b.index
    )
  const made = ordered.map(({ forward }, position): CompiledForward => {
    const spec = asRuleSpec(forward)
    const protocols = protocolsOf(spec.protocol)
    const names = new Set(spec.interfaces.flatMap((n) => [n, ...(groups[n]?.members ?? [])]))
    const interfaces: InterfaceMatch = names.size === 0 ? { kind: "all" } : { kind: "only", names }
    const match: CompiledRule = {
      position,
      rule: {
        name: forward.name,
        spec,
        sequence: forward.sequence,
        origin: forward.origin,
        ...(forward.source !== undefined ? { source: forward.source } : {})
      },
      group: forward.origin === "automatic" ? "automatic" : "interface",
      priority: forward.origin === "automatic" ? 300 : 600,
      enabled: spec.enabled,
      action: "pass",
      quick: true,
      log: spec.log,
      interfaces,
      direction: "in",
      families: familiesOf(spec.ipVersion),
      protocols,
      protocolMask: maskOf(protocols),
      source: compileEndpoint(resolver, spec.source),
      destination: compileEndpoint(resolver, spec.destination)
    }
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

/** The port the target sees: the local port, shifted along a destination range (ForwardRule.php). */
const translatedPort = (f: CompiledForward, port: number | undefined): number | undefined => {
  if (f.localPort === undefined) return port
  if (port === undefined || f.destinationFrom === undefined) return f.localPort
  return f.localPort + (port - f.destinationFrom)
}

const natStep = (f: CompiledForward, match: Match, outcome: NatStep["outcome"], reasons: ReadonlyArray<string>) => ({
  position: f.position + 1,
  forward: f.forward.name,
  sequence: f.forward.sequence,
  origin: f.forward.origin,
  enabled: f.forward.spec.enabled,
  match: match === YES ? "yes" as const : match === MAYBE ? "maybe" as const : "no" as const,
  outcome,
  // the conditions are matched as a rule's: say whose they are
  reasons: reasons.map((r) => r.replace(/\bthe rule\b/g, "the port forward")),
  ...(f.forward.source !== undefined ? { source: f.forward.source } : {})
})

export interface Translated {
  readonly translation: Translation
  /** the packet the filter rules see */
  readonly packet: CompiledPacket
  /** the forward that applied (translated or exempted), if any */
  readonly forward: CompiledForward | undefined
}

/** What pf's translation rules do to an inbound packet; undefined when the policy has no port forwards. */
export const translate = (policy: CompiledPolicy, packet: CompiledPacket): Translated | undefined => {
  const forwards = forwardsOf(policy)
  if (forwards.length === 0 || packet.direction !== "in") return undefined
  const steps: Array<NatStep> = []
  let certain = true
  for (const f of forwards) {
    if (!f.forward.spec.enabled) {
      steps.push(natStep(f, NO, "disabled", ["the port forward is disabled"]))
      continue
    }
    const excluded = excludedReason(f, packet)
    if (excluded !== undefined) {
      steps.push(natStep(f, NO, "no-match", [excluded]))
      continue
    }
    const why: Array<string> = []
    const m = matchRule(f.match, packet, why)
    if (m === NO) {
      steps.push(natStep(f, NO, "no-match", [lastFailure()]))
      continue
    }
    if (m === MAYBE) {
      certain = false
      steps.push(natStep(f, MAYBE, "may-match", why))
      continue
    }
    const source = f.forward.source
    if (f.forward.spec.noRdr) {
      steps.push(natStep(f, YES, "not-redirected", [...why, "no_rdr: matching traffic is not translated"]))
      return {
        translation: {
          outcome: "not-redirected",
          forward: f.forward.name,
          ...(source !== undefined ? { source } : {}),
          certain,
          steps
        },
        packet,
        forward: f
      }
    }
    const port = translatedPort(f, packet.destinationPort)
    const target = f.target
    const shown = target === undefined ? undefined : showIp(target)
    steps.push(natStep(f, YES, "translates", [
      ...why,
      `translated to ${shown ?? f.forward.spec.target}${port === undefined ? "" : `:${port}`}`
    ]))
    return {
      translation: {
        outcome: "translated",
        forward: f.forward.name,
        ...(source !== undefined ? { source } : {}),
        ...(shown !== undefined ? { destination: shown } : {}),
        ...(port !== undefined ? { destinationPort: port } : {}),
        filterRule: f.forward.spec.filterRule,
        certain,
        steps
      },
      packet: {
        ...packet,
        destination: target,
        destination4: target?.family === 4 ? Number(target.value) : NaN,
        family: packet.family ?? target?.family,
        destinationPort: port
      },
      forward: f
    }
  }
  return { translation: { outcome: "none", certain, steps }, packet, forward: undefined }
}

/** Interface and protocol, which matchRule leaves to the rule index: the reason they fail, if they do. */
const excludedReason = (f: CompiledForward, p: CompiledPacket): string | undefined => {
  const spec = f.match.rule.spec
  const out = excludedBy(f.match, p.interface, "in", p.protocol)
  if (out === "interface") {
    return `interface ${p.interface ?? "?"}: the port forward is on ${spec.interfaces.join(", ")}`
  }
  if (out === "protocol") return `protocol ${p.protocol}: the port forward is for ${spec.protocol}`
  return undefined
}

const NOTHING_EXCLUDED = { interface: 0, direction: 0, protocol: 0 }

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
  const nat = translate(policy, packet)
  if (nat === undefined) return explainCompiled(policy, packet, original, notes)
  const { translation, forward } = nat
  const natNotes: Array<string> = []
  if (translation.outcome === "translated" && forward !== undefined && forward.target === undefined) {
    natNotes.push(
      `port forward ${forward.forward.name}: target "${forward.forward.spec.target}" is not one known address; ` +
        "the filter rules are evaluated with the destination unknown"
    )
  }
  if (!translation.certain) natNotes.push("a port forward may match this packet: the translation is not certain")
  const base = explainCompiled(policy, nat.packet, original, [...notes, ...natNotes])
  const certain = base.certain && translation.certain
  const source = forward?.forward.source
  if (translation.outcome === "translated" && forward !== undefined && translation.filterRule === "pass") {
    return {
      ...base,
      decision: "pass",
      certain: translation.certain,
      decidedBy: {
        kind: "port-forward",
        rule: forward.forward.name,
        description: "filter_rule pass (rdr pass): the translated traffic skips the filter rules",
        ...(source !== undefined ? { source } : {})
      },
      steps: [],
      excluded: NOTHING_EXCLUDED,
      notConsidered: policy.rules.length,
      translation
    }
  }
  const quickDecided = base.decidedBy.kind === "rule" && base.steps.some((s) => s.outcome === "decides" && s.quick)
  if (
    translation.outcome === "translated" && forward !== undefined && translation.filterRule === "register" &&
    !quickDecided
  ) {
    return {
      ...base,
      decision: "pass",
      certain,
      decidedBy: {
        kind: "port-forward",
        rule: forward.forward.name,
        description: "filter_rule register: OPNsense's pass rule for this port forward, after every user rule, " +
          "passes the translated traffic",
        ...(source !== undefined ? { source } : {})
      },
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
  return { ...base, certain, translation }
}

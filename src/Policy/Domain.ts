/**
 * The policy analyser's inputs and outputs as Schemas: what `lint` and `explain` take and return,
 * shared by the CLI, the MCP tools (`lint`, `explain_traffic`) and tests. A PolicyInput is built from
 * desired state, from a live snapshot, or from the desired state a plan would produce (Policy/Input.ts).
 */
import * as Schema from "effect/Schema"
import { InterfaceNet, ManagementPath, Severity } from "../Domain/Desired.ts"
import { Intent } from "../Domain/Intent.ts"
import { Origin } from "../Domain/Model.ts"
import { SourceRef } from "../Domain/Plan.ts"
import { AliasSpec } from "../Kinds/Alias/Spec.ts"
import { OneToOneSpec } from "../Kinds/OneToOne/Spec.ts"
import { OutboundNatSpec } from "../Kinds/OutboundNat/Spec.ts"
import { FilterRuleMode, PortForwardSpec } from "../Kinds/PortForward/Spec.ts"
import { RuleAction, RuleSpec } from "../Kinds/Rule/Spec.ts"

/** the site settings the analysis reads, as sites.yaml gives them */
export { InterfaceNet, ManagementPath }

/**
 * A rule-like entry (filter rule, port forward, 1:1 NAT entry) with its canonical spec: `name` is
 * the desired-state name, or for live ones the owner name, description or uuid; `sequence` orders
 * it (desired ones: their position in the files).
 */
const ordered = <S extends Schema.Top>(spec: S) =>
  Schema.Struct({
    name: Schema.String,
    spec,
    sequence: Schema.Number,
    origin: Origin,
    uuid: Schema.optional(Schema.String),
    source: Schema.optional(SourceRef)
  })

/** A filter rule; its sequence orders it within its priority group. */
export const PolicyRule = ordered(RuleSpec)
export type PolicyRule = typeof PolicyRule.Type

export const PolicyAlias = Schema.Struct({
  name: Schema.String,
  spec: AliasSpec,
  origin: Origin,
  source: Schema.optional(SourceRef)
})
export type PolicyAlias = typeof PolicyAlias.Type

/** A port forward: pf meets them before filter rules, in sequence order (anti-lockout exceptions first). */
export const PolicyPortForward = ordered(PortForwardSpec)
export type PolicyPortForward = typeof PolicyPortForward.Type

/** A 1:1 NAT entry: its binat translates inbound packets to the external address after the port forwards. */
export const PolicyOneToOne = ordered(OneToOneSpec)
export type PolicyOneToOne = typeof PolicyOneToOne.Type

/** An outbound NAT rule: pf tries the nat rules in order for a packet leaving on their interface, after every binat. */
export const PolicyOutboundNat = ordered(OutboundNatSpec)
export type PolicyOutboundNat = typeof PolicyOutboundNat.Type

/** An interface group: rules on it land in priority group 300000 + sequence. */
export const InterfaceGroup = Schema.Struct({
  members: Schema.Array(Schema.String),
  sequence: Schema.optional(Schema.Number)
})
export type InterfaceGroup = typeof InterfaceGroup.Type

export const PolicyInput = Schema.Struct({
  site: Schema.String,
  /** where the rules come from: shown in output */
  origin: Schema.Literals(["desired", "live", "plan"]),
  rules: Schema.Array(PolicyRule),
  aliases: Schema.Array(PolicyAlias),
  /** port forwards (destination NAT): inbound packets are translated by the first matching one first */
  portForwards: Schema.optional(Schema.Array(PolicyPortForward)),
  /** 1:1 NAT entries: an inbound packet no port forward translates meets their binat next */
  oneToOne: Schema.optional(Schema.Array(PolicyOneToOne)),
  /** outbound NAT rules (lint only: intents and explain are inbound) */
  outboundNat: Schema.optional(Schema.Array(PolicyOutboundNat)),
  /**
   * live and plan input: the kinds the snapshot holds none of whatever the firewall has (its
   * version has no API for them, or the API key may not read them), each with why
   */
  notRead: Schema.optional(Schema.Array(Schema.Struct({ kind: Schema.String, why: Schema.String }))),
  /** interface identifier → networks/addresses; unknown interfaces are treated as opaque */
  interfaces: Schema.optional(Schema.Record(Schema.String, InterfaceNet)),
  /**
   * interface identifier → its description, as the firewall's interface list gives them (live and
   * plan input): `explain` takes an interface by either ("opt2" or "GUEST")
   */
  interfaceDescriptions: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  groups: Schema.optional(Schema.Record(Schema.String, InterfaceGroup)),
  management: Schema.optional(ManagementPath),
  /** interfaces where pass rules should log (default ["wan"]) */
  sensitiveInterfaces: Schema.optional(Schema.Array(Schema.String)),
  /** lint code → severity override (SiteConfig.lint) */
  severities: Schema.optional(Schema.Record(Schema.String, Severity)),
  /** where site-level findings point (e.g. desired-state/sites.yaml) */
  siteFile: Schema.optional(Schema.String),
  /** the site's intents: lint reports those the rules break or cannot be shown to keep */
  intents: Schema.optional(Schema.Array(Intent)),
  /**
   * the aliases the intents' from, to and port are read with when they are not these rules' own
   * (live rules: the desired state's aliases, which may not be on the firewall yet); these win
   */
  intentAliases: Schema.optional(Schema.Array(PolicyAlias))
})
export type PolicyInput = typeof PolicyInput.Type

// ---------------------------------------------------------------------------------------------
// lint

export const FindingCode = Schema.Literals([
  "shadowed-rule",
  "redundant-rule",
  "contradicted-rule",
  "unused-alias",
  "empty-alias",
  "duplicate-alias-content",
  "any-any-pass",
  "management-lockout",
  "management-at-risk",
  "unlogged-pass",
  "read-only-rules",
  "unknown-reference",
  "intent-violated",
  "intent-unknown",
  "intent-invalid",
  "forward-unpassed",
  "shadowed-forward",
  "shadowed-one-to-one",
  "shadowed-outbound-nat",
  "kinds-not-read"
])
export type FindingCode = typeof FindingCode.Type

export const Finding = Schema.Struct({
  code: FindingCode,
  severity: Severity,
  kind: Schema.Literals(["rule", "alias", "site", "intent", "port_forward", "one_to_one_nat", "outbound_nat"]),
  /** the rule, alias or intent the finding is about */
  name: Schema.optional(Schema.String),
  message: Schema.String,
  hint: Schema.String,
  /** YAML location of the rule or alias (desired state); absent for live objects */
  source: Schema.optional(SourceRef),
  /** the other rules or aliases involved (the shadowing rule, the duplicate alias, ...) */
  related: Schema.Array(Schema.String)
})
export type Finding = typeof Finding.Type

// ---------------------------------------------------------------------------------------------
// explain

export const PacketDirection = Schema.Literals(["in", "out"])
export type PacketDirection = typeof PacketDirection.Type

export const Packet = Schema.Struct({
  /** source address; absent = unknown (every source condition becomes "may match") */
  source: Schema.optional(Schema.String),
  destination: Schema.optional(Schema.String),
  /** "tcp", "UDP", "icmp", ... */
  protocol: Schema.String,
  sourcePort: Schema.optional(Schema.Number),
  destinationPort: Schema.optional(Schema.Number),
  /** interface the packet crosses; absent = inferred from interface networks when possible */
  interface: Schema.optional(Schema.String),
  /** default "in" */
  direction: Schema.optional(PacketDirection)
})
export type Packet = typeof Packet.Type

export const MatchResult = Schema.Literals(["yes", "no", "maybe"])
export type MatchResult = typeof MatchResult.Type

export const PriorityGroup = Schema.Literals(["automatic", "floating", "group", "interface", "unloaded"])
export type PriorityGroup = typeof PriorityGroup.Type

export const Step = Schema.Struct({
  /** 1-based position in evaluation order */
  position: Schema.Number,
  rule: Schema.String,
  group: PriorityGroup,
  sequence: Schema.Number,
  origin: Origin,
  action: RuleAction,
  quick: Schema.Boolean,
  enabled: Schema.Boolean,
  match: MatchResult,
  /** what this rule did to the outcome */
  outcome: Schema.Literals(["decides", "candidate", "overridden", "no-match", "may-match", "disabled"]),
  /** why it did or did not match: the failing condition, or every condition that held */
  reasons: Schema.Array(Schema.String),
  source: Schema.optional(SourceRef)
})
export type Step = typeof Step.Type

export const Decider = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("rule"),
    rule: Schema.String,
    position: Schema.Number,
    source: Schema.optional(SourceRef),
    /** policy routing: the gateway a deciding pass rule sends the packet to (its `gateway`) */
    gateway: Schema.optional(Schema.String)
  }),
  Schema.Struct({ kind: Schema.Literal("default"), rule: Schema.String, description: Schema.String }),
  /** a port forward whose translated traffic skips the filter rules (filter_rule: pass, `rdr pass`) */
  Schema.Struct({
    kind: Schema.Literal("port-forward"),
    rule: Schema.String,
    description: Schema.String,
    source: Schema.optional(SourceRef)
  })
])
export type Decider = typeof Decider.Type

/** Rules before the decision that cannot apply to the packet, by the first condition that rules them out. */
export const Excluded = Schema.Struct({
  /** rules on other interfaces */
  interface: Schema.Number,
  /** rules for the other direction */
  direction: Schema.Number,
  /** rules for other protocols */
  protocol: Schema.Number
})
export type Excluded = typeof Excluded.Type

/** which kind of entry translates: a port forward (rdr) or a 1:1 NAT entry (binat) */
export const NatKind = Schema.Literals(["port_forward", "one_to_one_nat"])
export type NatKind = typeof NatKind.Type

/** One port forward or 1:1 NAT entry an inbound packet met, in evaluation order. */
export const NatStep = Schema.Struct({
  /** 1-based position in evaluation order */
  position: Schema.Number,
  kind: NatKind,
  /** the entry's name */
  forward: Schema.String,
  sequence: Schema.Number,
  origin: Origin,
  enabled: Schema.Boolean,
  match: MatchResult,
  outcome: Schema.Literals(["translates", "not-redirected", "no-match", "may-match", "disabled"]),
  reasons: Schema.Array(Schema.String),
  source: Schema.optional(SourceRef)
})
export type NatStep = typeof NatStep.Type

/** What destination NAT did to an inbound packet before the filter rules saw it. */
export const Translation = Schema.Struct({
  /**
   * translated: a port forward or 1:1 NAT entry redirected it; not-redirected: a no_rdr port forward
   * matched first and stopped the port forwards, and no 1:1 entry matched; none: nothing matched
   */
  outcome: Schema.Literals(["translated", "not-redirected", "none"]),
  /** whether `forward` names a port forward or a 1:1 NAT entry */
  kind: Schema.optional(NatKind),
  /** the port forward or 1:1 NAT entry that translated or exempted it */
  forward: Schema.optional(Schema.String),
  source: Schema.optional(SourceRef),
  /** the destination the filter rules see; absent when the target is not one known address */
  destination: Schema.optional(Schema.String),
  destinationPort: Schema.optional(Schema.Number),
  /** how the forward's traffic meets the filter rules (manual: user rules, pass: skips them, register: OPNsense's rule at the end) */
  filterRule: Schema.optional(FilterRuleMode),
  /** false when a port forward or 1:1 entry whose match could not be decided comes before the outcome */
  certain: Schema.Boolean,
  steps: Schema.Array(NatStep)
})
export type Translation = typeof Translation.Type

export const Explanation = Schema.Struct({
  site: Schema.String,
  origin: Schema.Literals(["desired", "live", "plan"]),
  packet: Packet,
  /** the interface used when none was given and it could be inferred */
  interface: Schema.optional(Schema.String),
  decision: RuleAction,
  /** false when a rule whose match could not be decided (opaque alias, missing port) could change the decision */
  certain: Schema.Boolean,
  decidedBy: Decider,
  /**
   * the rules considered, in evaluation order, up to the deciding quick rule: those that can apply to
   * the packet's interface, direction and protocol (disabled ones included)
   */
  steps: Schema.Array(Step),
  /** the rules before the decision that cannot apply, counted rather than listed */
  excluded: Excluded,
  /** rules never reached (after the deciding quick rule) */
  notConsidered: Schema.Number,
  notes: Schema.Array(Schema.String),
  /**
   * inbound packets: the port forwards met first (pf evaluates rdr before filter rules); the
   * decision and the steps above are then those of the translated packet
   */
  translation: Schema.optional(Translation)
})
export type Explanation = typeof Explanation.Type

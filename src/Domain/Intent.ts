/**
 * Intents: statements about traffic that must stay true whatever the rules say ("guests never reach
 * the servers on 22", "admins reach the GUI"). They are not reconciled to the firewall; they are
 * checked against the rules of the desired state, of a plan and of the live firewall.
 */
import * as Schema from "effect/Schema"

/** where something is written (Plan.ts's SourceRef, which imports this module, has the same shape) */
const SourceRef = Schema.Struct({ file: Schema.String, line: Schema.Number, column: Schema.Number })

export const IntentExpect = Schema.Literals(["pass", "block"])
export type IntentExpect = typeof IntentExpect.Type

/** One intent, as written under `intents:` (port as text: "22", "8000-8080", a port alias). */
export const Intent = Schema.Struct({
  name: Schema.String,
  /** address, CIDR, alias, interface net ("opt2"), "(self)" or "any" */
  from: Schema.String,
  to: Schema.String,
  /** one protocol (tcp, udp, icmp, ...) or tcp/udp; absent = any protocol */
  protocol: Schema.optional(Schema.String),
  /** destination port, range or port alias; absent = any port */
  port: Schema.optional(Schema.String),
  /** the interface the traffic arrives on; absent = inferred from the source's interface network */
  interface: Schema.optional(Schema.String),
  expect: IntentExpect,
  /** where it is written (absent for ad-hoc intents) */
  source: Schema.optional(SourceRef)
})
export type Intent = typeof Intent.Type

/**
 * held: every packet the intent describes gets the expected decision, certainly; violated: some
 * packet certainly gets the other one; unknown: neither can be said (opaque aliases, rules whose
 * match cannot be decided offline, an intent too wide to check packet by packet, or one that holds
 * on what was read while rules or NAT entries of the firewall could not be read).
 */
export const IntentVerdict = Schema.Literals(["held", "violated", "unknown"])
export type IntentVerdict = typeof IntentVerdict.Type

/** A packet the intent describes, as `explain` takes it. */
export const IntentPacket = Schema.Struct({
  source: Schema.String,
  destination: Schema.String,
  protocol: Schema.String,
  sourcePort: Schema.optional(Schema.Number),
  destinationPort: Schema.optional(Schema.Number),
  interface: Schema.optional(Schema.String)
})
export type IntentPacket = typeof IntentPacket.Type

export const IntentResult = Schema.Struct({
  intent: Intent,
  verdict: IntentVerdict,
  /** the rules it was checked against */
  origin: Schema.Literals(["desired", "live", "plan"]),
  /** one line for people: what holds, or which packet breaks it and why */
  message: Schema.String,
  /** a packet that breaks the intent (violated) or whose decision is not certain (unknown) */
  packet: Schema.optional(IntentPacket),
  /** the decision that packet gets */
  decision: Schema.optional(Schema.Literals(["pass", "block", "reject"])),
  /**
   * what decides it: a rule, the firewall's default rule, or a port forward whose translated
   * traffic skips the filter rules (filter_rule pass) or is passed by its registered rule
   */
  decidedBy: Schema.optional(Schema.Struct({
    kind: Schema.Literals(["rule", "default", "port-forward"]),
    rule: Schema.String,
    source: Schema.optional(SourceRef)
  })),
  /** the port forward or 1:1 NAT entry that translated that packet before the filter rules saw it, and to what */
  translation: Schema.optional(Schema.Struct({
    kind: Schema.Literals(["port_forward", "one_to_one_nat"]),
    forward: Schema.String,
    destination: Schema.optional(Schema.String),
    destinationPort: Schema.optional(Schema.Number),
    source: Schema.optional(SourceRef)
  })),
  /** plans: the change that breaks it ("update rule allow-guest-ssh (30-rules.yaml:12:5)") */
  change: Schema.optional(Schema.String),
  /** plans: the live rules already break it, so the plan is not what breaks it (apply is not refused for it) */
  preexisting: Schema.optional(Schema.Boolean),
  /** how many packets, one per class the rules cannot tell apart, were evaluated */
  packets: Schema.Number
})
export type IntentResult = typeof IntentResult.Type

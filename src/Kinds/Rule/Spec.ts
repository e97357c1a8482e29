/**
 * The canonical filter rule (firewall/filter) and the live one.
 * The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { Endpoint, liveFields } from "../../Domain/Model.ts"

export const RuleAction = Schema.Literals(["pass", "block", "reject"])
export type RuleAction = typeof RuleAction.Type
export const Direction = Schema.Literals(["in", "out", "any"])
export type Direction = typeof Direction.Type
export const IpVersion = Schema.Literals(["inet", "inet6", "inet46"])
export type IpVersion = typeof IpVersion.Type

export const RuleSpec = Schema.Struct({
  enabled: Schema.Boolean,
  action: RuleAction,
  quick: Schema.Boolean,
  /** sorted interface identifiers; [] = floating (all interfaces) */
  interfaces: Schema.Array(Schema.String),
  interfaceInvert: Schema.Boolean,
  direction: Direction,
  ipVersion: IpVersion,
  /** "any" or the upper-case protocol name */
  protocol: Schema.String,
  source: Endpoint,
  destination: Endpoint,
  log: Schema.Boolean,
  /** gateway name, "" for default routing */
  gateway: Schema.String,
  description: Schema.String,
  /** category names, sorted */
  categories: Schema.Array(Schema.String)
})
export type RuleSpec = typeof RuleSpec.Type

export const LiveRule = Schema.Struct({
  ...liveFields,
  /** evaluation order within the rule's priority group (1..999999; 1..99999 before 25.7) */
  sequence: Schema.Number,
  spec: RuleSpec
})
export type LiveRule = typeof LiveRule.Type

/**
 * The canonical port forward (destination NAT, `firewall/d_nat`, model OPNsense/Firewall/DNat) and
 * the live one. Fields follow opnsense/core 26.1 … 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/DNat.xml; the canonical form's general rules are
 * in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { Endpoint, liveFields } from "../../Domain/Model.ts"

/** ipprotocol: "" (BlankDesc "any") is kept as "any": the redirect names no family */
export const ForwardIpVersion = Schema.Literals(["any", "inet", "inet6", "inet46"])
export type ForwardIpVersion = typeof ForwardIpVersion.Type

/** natreflection: "" = the system default, purenat = enable, disable */
export const NatReflection = Schema.Literals(["default", "enable", "disable"])
export type NatReflection = typeof NatReflection.Type

/**
 * pass: "" (Manual) = a filter rule of the user must pass the translated traffic; "pass" = `rdr
 * pass`, translated traffic skips the filter rules; "rule" (Register rule) = OPNsense registers a
 * pass rule for the translated traffic at the end of the rule set (priority 500000).
 * opnsense/core 26.7.2: src/opnsense/mvc/app/library/OPNsense/Firewall/ForwardRule.php, src/etc/inc/filter.lib.inc
 */
export const FilterRuleMode = Schema.Literals(["manual", "pass", "register"])
export type FilterRuleMode = typeof FilterRuleMode.Type

export const PortForwardSpec = Schema.Struct({
  enabled: Schema.Boolean,
  /** nordr: an exception, traffic matching it is not redirected (no target, no local port) */
  noRdr: Schema.Boolean,
  /** sorted interface identifiers */
  interfaces: Schema.Array(Schema.String),
  ipVersion: ForwardIpVersion,
  /** "any" or the upper-case protocol name (the firewall stores it lower-case) */
  protocol: Schema.String,
  source: Endpoint,
  destination: Endpoint,
  /** the address (or host alias) traffic is redirected to; "" only with noRdr */
  target: Schema.String,
  /** the port on the target; "" = the destination port unchanged */
  localPort: Schema.String,
  /** poolopts value ("" = pf's default) */
  poolOptions: Schema.String,
  filterRule: FilterRuleMode,
  natReflection: NatReflection,
  log: Schema.Boolean,
  /** pf tag set on matching packets / tag a packet must carry */
  tag: Schema.String,
  tagged: Schema.String,
  /** nosync: kept out of HA configuration sync */
  noSync: Schema.Boolean,
  description: Schema.String,
  /** category names, sorted */
  categories: Schema.Array(Schema.String)
})
export type PortForwardSpec = typeof PortForwardSpec.Type

export const LivePortForward = Schema.Struct({
  ...liveFields,
  /** evaluation order (DNatSequenceField, 1..999999): pf meets port forwards in this order */
  sequence: Schema.Number,
  spec: PortForwardSpec
})
export type LivePortForward = typeof LivePortForward.Type

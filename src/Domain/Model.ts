/**
 * The canonical model: the one form that both the desired state (YAML) and the live firewall
 * (OPNsense JSON) are normalised into before they are compared. Diffs compare these values only,
 * so every representational difference ("1" vs true, label vs value, list order where order does
 * not matter, defaults omitted in YAML) must be gone by the time a value has this type.
 *
 * Rules of the canonical form:
 * - booleans are booleans, numbers are numbers;
 * - sets (interfaces, addresses, alias content, categories) are sorted, de-duplicated arrays;
 * - "any" address is the empty list; "any" port is "";
 * - ports are "<n>" or "<a>-<b>" (well-known names resolved to numbers) or an alias name;
 * - protocols are upper case as OPNsense stores them ("TCP", "TCP/UDP", "IPV6-ICMP"), except "any";
 * - descriptions never carry the ownership marker (see Ownership.ts).
 */
import * as Schema from "effect/Schema"

export const ResourceKind = Schema.Literals(["vlan", "alias", "rule"])
export type ResourceKind = typeof ResourceKind.Type

/** Where a live object comes from. Only "mvc" objects can ever be written through the API. */
export const Origin = Schema.Literals(["mvc", "legacy", "automatic", "builtin"])
export type Origin = typeof Origin.Type

// ---------------------------------------------------------------------------------------------
// VLANs (interfaces/vlan_settings)

export const VlanProto = Schema.Literals(["", "802.1q", "802.1ad"])
export type VlanProto = typeof VlanProto.Type

export const VlanSpec = Schema.Struct({
  /** parent device, e.g. "igb1" */
  parent: Schema.String,
  /** 1..4094 */
  tag: Schema.Number,
  /** 802.1p priority code point, 0..7 */
  priority: Schema.Number,
  proto: VlanProto,
  description: Schema.String
})
export type VlanSpec = typeof VlanSpec.Type

// ---------------------------------------------------------------------------------------------
// Aliases (firewall/alias)

export const AliasType = Schema.Literals([
  "host",
  "network",
  "port",
  "url",
  "urltable",
  "urljson",
  "geoip",
  "networkgroup",
  "mac",
  "asn",
  "dynipv6host",
  "authgroup",
  "internal",
  "external"
])
export type AliasType = typeof AliasType.Type

export const AliasSpec = Schema.Struct({
  name: Schema.String,
  type: AliasType,
  /** sorted, de-duplicated entries (newline-separated on the wire) */
  content: Schema.Array(Schema.String),
  enabled: Schema.Boolean,
  description: Schema.String,
  /** category names, sorted */
  categories: Schema.Array(Schema.String),
  /** refresh interval in days for url types; "" when unset */
  updateFrequency: Schema.String
})
export type AliasSpec = typeof AliasSpec.Type

// ---------------------------------------------------------------------------------------------
// Filter rules (firewall/filter)

export const RuleAction = Schema.Literals(["pass", "block", "reject"])
export type RuleAction = typeof RuleAction.Type
export const Direction = Schema.Literals(["in", "out", "any"])
export type Direction = typeof Direction.Type
export const IpVersion = Schema.Literals(["inet", "inet6", "inet46"])
export type IpVersion = typeof IpVersion.Type

export const Endpoint = Schema.Struct({
  /** sorted addresses, CIDRs, alias names, interface nets ("lan"), "<if>ip", "(self)"; [] = any */
  addresses: Schema.Array(Schema.String),
  invert: Schema.Boolean,
  /** "" = any port; "443", "8000-8080" or a port alias name */
  port: Schema.String
})
export type Endpoint = typeof Endpoint.Type

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

// ---------------------------------------------------------------------------------------------
// Live objects: the canonical spec plus what only the firewall knows.

const liveFields = {
  /** OPNsense uuid; for built-in aliases and legacy/automatic rules, the identifier the API shows */
  uuid: Schema.String,
  origin: Origin,
  /** the desired-state name parsed from the ownership marker, when the object carries one */
  owner: Schema.optional(Schema.String)
}

export const LiveVlan = Schema.Struct({
  ...liveFields,
  /** device name, e.g. "vlan01" */
  device: Schema.String,
  spec: VlanSpec
})
export type LiveVlan = typeof LiveVlan.Type

export const LiveAlias = Schema.Struct({ ...liveFields, spec: AliasSpec })
export type LiveAlias = typeof LiveAlias.Type

export const LiveRule = Schema.Struct({
  ...liveFields,
  /** evaluation order within the rule's priority group (1..999999; 1..99999 before 25.7) */
  sequence: Schema.Number,
  spec: RuleSpec
})
export type LiveRule = typeof LiveRule.Type

/** An OPNsense version as detected from core/firmware/status, e.g. { major: 26, minor: 7, patch: 5 }. */
export const FirmwareVersion = Schema.Struct({
  major: Schema.Number,
  minor: Schema.Number,
  patch: Schema.Number,
  /** the full product version string as reported, e.g. "26.7.5" or "26.1.5_2" */
  raw: Schema.String
})
export type FirmwareVersion = typeof FirmwareVersion.Type

/** An interface the firewall has in config.xml and ifconfig (interfaces/overview/interfaces_info). */
export const LiveInterface = Schema.Struct({
  /** "lan", "opt2", "lo0" */
  identifier: Schema.String,
  /** the description, or the identifier in upper case when it has none ("LAN", "GUEST") */
  description: Schema.String,
  /** the device, e.g. "igb1", "vlan02", "lo0" */
  device: Schema.String,
  /** the firewall's own addresses on it, with prefix length ("192.168.1.1/24", "::1/128") */
  addresses: Schema.Array(Schema.String)
})
export type LiveInterface = typeof LiveInterface.Type

/** Everything read from one firewall in one snapshot: one bulk read per kind. */
export const LiveSnapshot = Schema.Struct({
  site: Schema.String,
  version: FirmwareVersion,
  fetchedAt: Schema.String,
  vlans: Schema.Array(LiveVlan),
  aliases: Schema.Array(LiveAlias),
  rules: Schema.Array(LiveRule),
  /** the firewall's interfaces; absent when they could not be read (no privilege, older snapshot) */
  interfaces: Schema.optional(Schema.Array(LiveInterface)),
  /** true when served from cache while the firewall was unreachable (circuit open) */
  stale: Schema.Boolean
})
export type LiveSnapshot = typeof LiveSnapshot.Type

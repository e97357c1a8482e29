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
import type { LiveCollections } from "../Kinds/Registry.ts"

/** Where a live object comes from. Only "mvc" objects can ever be written through the API. */
export const Origin = Schema.Literals(["mvc", "legacy", "automatic", "builtin"])
export type Origin = typeof Origin.Type

/** The source or destination of a rule or NAT entry. */
export const Endpoint = Schema.Struct({
  /** sorted addresses, CIDRs, alias names, interface nets ("lan"), "<if>ip", "(self)"; [] = any */
  addresses: Schema.Array(Schema.String),
  invert: Schema.Boolean,
  /** "" = any port; "443", "8000-8080" or a port alias name */
  port: Schema.String
})
export type Endpoint = typeof Endpoint.Type

// ---------------------------------------------------------------------------------------------
// Live objects: the canonical spec plus what only the firewall knows.

/** The fields every live object has besides its spec. */
export const liveFields = {
  /** OPNsense uuid; for built-in aliases and legacy/automatic rules, the identifier the API shows */
  uuid: Schema.String,
  origin: Origin,
  /** the desired-state name parsed from the ownership marker, when the object carries one */
  owner: Schema.optional(Schema.String)
}

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

/** The name of a kind of object (src/Kinds/Registry.ts): "vlan", "alias", "rule", ... */
export const ResourceKind = Schema.String
export type ResourceKind = string

/**
 * A kind the snapshot could not read because the API key lacks the privilege for it (403): the
 * snapshot holds no objects of the kind, which says nothing about the firewall.
 */
export const UnreadableKind = Schema.Struct({
  /** the kind's name: "dhcp_subnet" */
  kind: ResourceKind,
  /** the call that was refused: "POST kea/dhcpv4/search_subnet" */
  endpoint: Schema.String,
  /** the ACL privilege the call needs, as the client names it, when known */
  privilege: Schema.optional(Schema.String),
  /** the refusal as the client reported it */
  message: Schema.String
})
export type UnreadableKind = typeof UnreadableKind.Type

/** Everything read from one firewall in one snapshot: one bulk read per kind (`live.rules`, ...). */
export type LiveSnapshot =
  & {
    readonly site: string
    readonly version: FirmwareVersion
    readonly fetchedAt: string
    /** the firewall's interfaces; absent when they could not be read (no privilege, older snapshot) */
    readonly interfaces?: ReadonlyArray<LiveInterface> | undefined
    /** kinds the API key may not read (their collections are empty); absent when every kind was read */
    readonly unreadable?: ReadonlyArray<UnreadableKind> | undefined
    /** true when served from cache while the firewall was unreachable (circuit open) */
    readonly stale: boolean
  }
  & LiveCollections

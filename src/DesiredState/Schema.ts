/**
 * The user-facing YAML schema: what people write in desired-state/*.yaml, with friendly field
 * names and the loose value forms people use (`tcp` or `TCP`, `443` or `"443"`, one interface or
 * a list). These schemas decode each item's shape; value rules (ports, CIDRs, references) are
 * checked afterwards, and the items turned into Domain/Model.ts specs, per kind (Vlans.ts,
 * Aliases.ts, Rules.ts).
 * The same schemas produce the JSON Schema that `opnsense-mcp schema` prints for editors.
 */
import * as Schema from "effect/Schema"
import { AliasType } from "../Domain/Model.ts"

const doc = <S extends Schema.Top>(schema: S, description: string) => schema.annotate({ description })

const Name = doc(
  Schema.String,
  "unique key of the item within its kind and site; the firewall object carries it in its description marker"
)
const Description = doc(Schema.String, "free text, no newlines; at most 255 bytes of UTF-8 minus the ownership marker")
const Enabled = doc(Schema.Boolean, "default true")
const Categories = doc(Schema.Array(Schema.String), "firewall category names")
const StringOrList = Schema.Union([Schema.String, Schema.Array(Schema.String)])
const PortValue = doc(
  Schema.Union([Schema.Int, Schema.String]),
  "443, \"443\", \"8000-8080\", a service name such as https, or the name of a port alias"
)

export const VlanInput = Schema.Struct({
  name: Name,
  parent: doc(Schema.String, "parent device, e.g. igb1 (a VLAN device for QinQ)"),
  tag: doc(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4094 })), "VLAN id, 1-4094, unique per parent"),
  priority: Schema.optionalKey(
    doc(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 7 })), "802.1p priority code point 0-7, default 0")
  ),
  proto: Schema.optionalKey(
    doc(Schema.Literals(["auto", "802.1q", "802.1ad"]), "auto (default), 802.1q or 802.1ad (QinQ)")
  ),
  description: Schema.optionalKey(Description)
})
export type VlanInput = typeof VlanInput.Type

export const AliasInput = Schema.Struct({
  name: doc(Schema.String, "1-31 letters, digits or _, starting with a letter or a single _; not a reserved word"),
  type: doc(
    AliasType,
    "host, network, port, url, urltable, urljson, geoip, networkgroup, mac, asn, dynipv6host, authgroup, external"
  ),
  content: Schema.optionalKey(
    doc(
      Schema.Array(Schema.Union([Schema.String, Schema.Int])),
      "entries checked by type; names of other aliases nest them"
    )
  ),
  update_frequency: Schema.optionalKey(
    doc(
      Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 365 })),
      "url types: refresh interval in days (fractions allowed)"
    )
  ),
  enabled: Schema.optionalKey(Enabled),
  description: Schema.optionalKey(Description),
  categories: Schema.optionalKey(Categories)
})
export type AliasInput = typeof AliasInput.Type

export const EndpointObject = Schema.Struct({
  address: Schema.optionalKey(
    doc(
      StringOrList,
      "any (default), an address, a CIDR, an alias name, an interface net (lan) or address (lanip), (self)"
    )
  ),
  port: Schema.optionalKey(PortValue),
  invert: Schema.optionalKey(doc(Schema.Boolean, "match everything except this (single value only)"))
})
export type EndpointObject = typeof EndpointObject.Type

export const EndpointInput = Schema.Union([Schema.String, Schema.Array(Schema.String), EndpointObject])
export type EndpointInput = typeof EndpointInput.Type

export const ipVersions = ["ipv4", "ipv6", "ipv4+ipv6", "inet", "inet6", "inet46"] as const

export const RuleInput = Schema.Struct({
  name: Name,
  action: doc(Schema.Literals(["pass", "block", "reject"]), "pass, block or reject"),
  interface: doc(
    StringOrList,
    "interface identifier (lan, wan, opt3, a group) or a list of them; floating or [] for a floating rule on every interface"
  ),
  interface_invert: Schema.optionalKey(doc(Schema.Boolean, "match every interface except the one named (exactly one)")),
  direction: Schema.optionalKey(doc(Schema.Literals(["in", "out", "any"]), "in (default), out or any")),
  ip_version: Schema.optionalKey(
    doc(
      Schema.Literals(ipVersions),
      "ipv4 (default), ipv6 or ipv4+ipv6 (inet, inet6, inet46 also accepted); a literal address must be of the one family, so ipv4+ipv6 rules name aliases or nets"
    )
  ),
  protocol: Schema.optionalKey(
    doc(Schema.String, "any (default), tcp, udp, tcp/udp, icmp, ipv6-icmp, esp, gre, ... (any case)")
  ),
  source: Schema.optionalKey(EndpointInput),
  destination: Schema.optionalKey(EndpointInput),
  log: Schema.optionalKey(doc(Schema.Boolean, "default false")),
  quick: Schema.optionalKey(doc(Schema.Boolean, "default true: the first matching rule wins")),
  enabled: Schema.optionalKey(Enabled),
  gateway: Schema.optionalKey(
    doc(Schema.String, "gateway or gateway group name for policy routing; default routing when absent")
  ),
  description: Schema.optionalKey(Description),
  categories: Schema.optionalKey(Categories)
})
export type RuleInput = typeof RuleInput.Type

/** The kinds a resource file may hold today, keyed by their top-level YAML key. */
export const kindSchemas = {
  vlans: VlanInput,
  aliases: AliasInput,
  rules: RuleInput
} as const
export type KindKey = keyof typeof kindSchemas
export const kindKeys: ReadonlyArray<KindKey> = ["vlans", "aliases", "rules"]

/** Model kind ("vlan") for a top-level key ("vlans"). */
export const modelKind = { vlans: "vlan", aliases: "alias", rules: "rule" } as const satisfies Record<KindKey, string>

/** Kinds reserved in the file format; recognised and skipped with a warning until they are built. */
export const futureKinds: ReadonlyArray<string> = [
  "port_forwards",
  "outbound_nat",
  "one_to_one_nat",
  "host_overrides",
  "dhcp_reservations",
  "routes"
]

export const fieldNames = (kind: KindKey): ReadonlyArray<string> => Object.keys(kindSchemas[kind].fields)
export const endpointFieldNames: ReadonlyArray<string> = Object.keys(EndpointObject.fields)

const Reserved = Schema.optionalKey(
  doc(Schema.Array(Schema.Unknown), "reserved: not yet supported, skipped with a warning")
)

/** One resource file: every kind is an optional list. */
export const ResourceFile = Schema.Struct({
  vlans: Schema.optionalKey(Schema.Array(VlanInput)),
  aliases: Schema.optionalKey(Schema.Array(AliasInput)),
  rules: Schema.optionalKey(doc(Schema.Array(RuleInput), "evaluation order: file order, files in lexical order")),
  port_forwards: Reserved,
  outbound_nat: Reserved,
  one_to_one_nat: Reserved,
  host_overrides: Reserved,
  dhcp_reservations: Reserved,
  routes: Reserved
})

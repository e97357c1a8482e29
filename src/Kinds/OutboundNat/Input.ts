/** An outbound NAT rule as people write it in YAML (`outbound_nat:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Enabled, Name, PortValue } from "../../DesiredState/Fields.ts"

const Address = doc(
  Schema.String,
  "any (default), an address, a CIDR, an alias name, an interface net (lan) or address (wanip), (self)"
)

/** One side of a NAT entry: an address alone, or `{ address, port, invert }` (one address: the model takes no lists). */
export const NatEndpointInput = Schema.Union([
  Address,
  Schema.Struct({
    address: Schema.optionalKey(Address),
    port: Schema.optionalKey(PortValue),
    invert: Schema.optionalKey(doc(Schema.Boolean, "match everything except this address"))
  })
])
export type NatEndpointInput = typeof NatEndpointInput.Type

export const OutboundNatInput = Schema.Struct({
  name: Name,
  interface: doc(Schema.String, "the interface the traffic leaves through: wan, opt2, ..."),
  source: Schema.optionalKey(NatEndpointInput),
  destination: Schema.optionalKey(NatEndpointInput),
  protocol: Schema.optionalKey(doc(Schema.String, "any (default), tcp, udp, tcp/udp, icmp, ... (any case)")),
  ip_version: Schema.optionalKey(doc(Schema.Literals(["ipv4", "ipv6"]), "ipv4 (default) or ipv6")),
  target: Schema.optionalKey(
    doc(Schema.String, "translate to this address: an address, an alias, an interface address such as wanip")
  ),
  target_port: Schema.optionalKey(doc(PortValue, "translate to this port (numbers, ranges, service names)")),
  static_port: Schema.optionalKey(
    doc(
      Schema.Boolean,
      "keep the source port when translating (static-port), as SIP and IPsec peers often need (default false; OPNsense 26.1.5+)"
    )
  ),
  no_nat: Schema.optionalKey(doc(Schema.Boolean, "do not translate matching traffic (default false)")),
  log: Schema.optionalKey(doc(Schema.Boolean, "default false")),
  enabled: Schema.optionalKey(Enabled),
  description: Schema.optionalKey(Description)
})
export type OutboundNatInput = typeof OutboundNatInput.Type

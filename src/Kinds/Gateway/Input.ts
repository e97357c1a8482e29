/** A gateway as people write it in YAML (`gateways:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Enabled } from "../../DesiredState/Fields.ts"

export const GatewayInput = Schema.Struct({
  name: doc(
    Schema.String,
    "gateway name, 1-32 of a-z A-Z 0-9 _ -: its key on the firewall (routes and rules name it); it cannot be renamed"
  ),
  interface: doc(Schema.String, "interface identifier the gateway is reached on, e.g. wan, lan, opt1"),
  address: doc(Schema.String, "next-hop IP address, or `dynamic` for an address from the interface's DHCP/PPP lease"),
  ip_version: Schema.optionalKey(
    doc(Schema.Literals(["ipv4", "ipv6"]), "address family; default from the address (ipv4 for `dynamic`)")
  ),
  description: Schema.optionalKey(Description),
  enabled: Schema.optionalKey(Enabled),
  priority: Schema.optionalKey(
    doc(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 255 })), "0-255, lower wins, default 255")
  ),
  weight: Schema.optionalKey(
    doc(
      Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10 })),
      "weight in gateway groups, default 1 (1-5 before OPNsense 26.1.7, 1-10 after)"
    )
  ),
  default_gateway: Schema.optionalKey(doc(Schema.Boolean, "may become the default route (upstream), default false")),
  far_gateway: Schema.optionalKey(doc(Schema.Boolean, "the address is outside the interface's subnet, default false")),
  monitoring: Schema.optionalKey(doc(Schema.Boolean, "monitor the gateway with dpinger, default false")),
  monitor: Schema.optionalKey(doc(Schema.String, "address to monitor instead of the gateway address"))
})
export type GatewayInput = typeof GatewayInput.Type

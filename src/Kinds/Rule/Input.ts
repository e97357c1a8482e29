/** A filter rule as people write it in YAML (`rules:`). */
import * as Schema from "effect/Schema"
import { Categories, Description, doc, Enabled, EndpointInput, Name, StringOrList } from "../../DesiredState/Fields.ts"

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

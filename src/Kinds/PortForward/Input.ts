/** A port forward as people write it in YAML (`port_forwards:`). */
import * as Schema from "effect/Schema"
import {
  Categories,
  Description,
  doc,
  Enabled,
  EndpointInput,
  Name,
  PortValue,
  StringOrList
} from "../../DesiredState/Fields.ts"

export const forwardIpVersions = ["ipv4", "ipv6", "ipv4+ipv6", "any", "inet", "inet6", "inet46"] as const

export const PortForwardInput = Schema.Struct({
  name: Name,
  interface: doc(StringOrList, "interface identifier the traffic arrives on (wan, opt2, a group) or a list of them"),
  ip_version: Schema.optionalKey(
    doc(
      Schema.Literals(forwardIpVersions),
      "ipv4 (default), ipv6, ipv4+ipv6 (inet, inet6, inet46 also accepted), or any (the redirect names no family)"
    )
  ),
  protocol: Schema.optionalKey(
    doc(Schema.String, "any (default), tcp, udp, tcp/udp, ... (any case); ports need tcp, udp or tcp/udp")
  ),
  source: Schema.optionalKey(EndpointInput),
  destination: Schema.optionalKey(EndpointInput),
  target: Schema.optionalKey(
    doc(Schema.String, "address or host alias the traffic is redirected to (required unless no_rdr)")
  ),
  local_port: Schema.optionalKey(
    doc(PortValue, "port on the target; default: the destination port unchanged (a range maps onto a range)")
  ),
  no_rdr: Schema.optionalKey(
    doc(Schema.Boolean, "default false: an exception, matching traffic is not redirected (no target, no local_port)")
  ),
  filter_rule: Schema.optionalKey(
    doc(
      Schema.Literals(["manual", "pass", "register"]),
      "manual (default): a rule in rules: must pass the translated traffic; pass: the redirected traffic skips the filter rules; register: OPNsense adds a pass rule at the end of the rule set"
    )
  ),
  nat_reflection: Schema.optionalKey(
    doc(Schema.Literals(["default", "enable", "disable"]), "default (the system setting), enable or disable")
  ),
  pool_options: Schema.optionalKey(
    doc(
      Schema.Literals([
        "round-robin",
        "round-robin sticky-address",
        "random",
        "random sticky-address",
        "source-hash",
        "bitmask"
      ]),
      "pf pool option when the target is a network or alias; default pf's own"
    )
  ),
  log: Schema.optionalKey(doc(Schema.Boolean, "default false")),
  tag: Schema.optionalKey(doc(Schema.String, "pf tag set on matching packets")),
  tagged: Schema.optionalKey(doc(Schema.String, "match only packets carrying this pf tag")),
  no_sync: Schema.optionalKey(doc(Schema.Boolean, "default false: keep out of HA configuration sync")),
  enabled: Schema.optionalKey(Enabled),
  description: Schema.optionalKey(Description),
  categories: Schema.optionalKey(Categories)
})
export type PortForwardInput = typeof PortForwardInput.Type

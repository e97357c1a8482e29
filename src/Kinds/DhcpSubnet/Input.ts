/** A Kea DHCPv4 subnet as people write it in YAML (`dhcp_subnets:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Name, StringOrList } from "../../DesiredState/Fields.ts"

export const DhcpSubnetInput = Schema.Struct({
  name: Name,
  subnet: doc(Schema.String, "the IPv4 network served, e.g. 10.30.0.0/24; one subnet per network"),
  pools: Schema.optionalKey(
    doc(StringOrList, "dynamic ranges inside the subnet: 10.30.0.100-10.30.0.199 or a CIDR; none = reservations only")
  ),
  routers: Schema.optionalKey(doc(StringOrList, "default gateway addresses offered (DHCP option 3)")),
  dns_servers: Schema.optionalKey(doc(StringOrList, "DNS server addresses offered (DHCP option 6)")),
  domain_name: Schema.optionalKey(doc(Schema.String, "domain name offered (DHCP option 15); default: the firewall's")),
  auto_options: Schema.optionalKey(
    doc(
      Schema.Boolean,
      "let the firewall offer its own address in the subnet as router, DNS and NTP server; default true " +
        "unless routers or dns_servers are given"
    )
  ),
  description: Schema.optionalKey(Description)
})
export type DhcpSubnetInput = typeof DhcpSubnetInput.Type

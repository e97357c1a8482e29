/**
 * The canonical Kea DHCPv4 subnet (kea/dhcpv4 `subnet4`) and the live one. Only the common fields
 * are managed; the rest (DDNS, lifetimes, custom options) are left as the firewall has them.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const DhcpSubnetSpec = Schema.Struct({
  /** "10.30.0.0/24": the subnet's identity */
  subnet: Schema.String,
  /** "10.30.0.100-10.30.0.199" or a CIDR, in the order written */
  pools: Schema.Array(Schema.String),
  /**
   * `option_data_autocollect`: the firewall fills routers, DNS and NTP servers with its own address
   * in the subnet; then `routers` and `dnsServers` are not managed (empty here)
   */
  autoOptions: Schema.Boolean,
  routers: Schema.Array(Schema.String),
  dnsServers: Schema.Array(Schema.String),
  domainName: Schema.String,
  description: Schema.String
})
export type DhcpSubnetSpec = typeof DhcpSubnetSpec.Type

export const LiveDhcpSubnet = Schema.Struct({
  ...liveFields,
  spec: DhcpSubnetSpec
})
export type LiveDhcpSubnet = typeof LiveDhcpSubnet.Type

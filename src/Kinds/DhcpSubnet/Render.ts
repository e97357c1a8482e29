/** A canonical DHCP subnet back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { DhcpSubnetSpec } from "./Spec.ts"

export const friendlyDhcpSubnet = (name: string, spec: DhcpSubnetSpec): FriendlyItem => {
  const named = spec.routers.length > 0 || spec.dnsServers.length > 0
  return {
    name,
    subnet: spec.subnet,
    ...(spec.pools.length > 0 ? { pools: spec.pools } : {}),
    ...(spec.routers.length > 0 ? { routers: spec.routers } : {}),
    ...(spec.dnsServers.length > 0 ? { dns_servers: spec.dnsServers } : {}),
    ...(spec.domainName !== "" ? { domain_name: spec.domainName } : {}),
    // the default is on exactly when no routers or DNS servers are named
    ...(spec.autoOptions === !named ? {} : { auto_options: spec.autoOptions }),
    ...(spec.description !== "" ? { description: spec.description } : {})
  }
}

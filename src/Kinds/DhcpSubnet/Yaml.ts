/**
 * Kea DHCPv4 subnets: an IPv4 CIDR unique per site, pools inside it, option addresses
 * (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.xml `subnets.subnet4`,
 * FieldTypes/KeaPoolsField.php), and their canonical specs.
 */
import { isHostname } from "../../DesiredState/Addresses.ts"
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { DhcpSubnetInput } from "./Input.ts"
import { canonicalPool, ipv4, parseCidr, parsePool, spanWithin } from "./Ipv4.ts"
import type { DhcpSubnetSpec } from "./Spec.ts"

const list = (value: string | ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : typeof value === "string" ? [value] : value

const trimmed = (value: string | ReadonlyArray<string> | undefined) => list(value).map((v) => v.trim())

/** auto_options defaults to on unless the item names routers or DNS servers itself. */
export const autoOptionsOf = (input: DhcpSubnetInput): boolean =>
  input.auto_options ?? (list(input.routers).length === 0 && list(input.dns_servers).length === 0)

export const dhcpSubnetSpec = (input: DhcpSubnetInput): DhcpSubnetSpec => {
  const auto = autoOptionsOf(input)
  return {
    subnet: input.subnet.trim(),
    pools: trimmed(input.pools).map(canonicalPool),
    autoOptions: auto,
    routers: auto ? [] : trimmed(input.routers),
    dnsServers: auto ? [] : trimmed(input.dns_servers),
    domainName: input.domain_name?.trim() ?? "",
    description: input.description ?? ""
  }
}

const checkAddresses = (
  item: Located<DhcpSubnetInput>,
  field: "routers" | "dns_servers",
  issues: Array<Issue>
): void => {
  const value = item.value[field]
  list(value).forEach((address, index) => {
    if (ipv4(address.trim()) === undefined) {
      issues.push(report(item, typeof value === "string" ? [field] : [field, index], {
        code: "invalid-address",
        message: `${field} entry "${address}" is not an IPv4 address`,
        hint: "write a single address such as 10.30.0.1 (no CIDR, no names)"
      }))
    }
  })
}

export const checkDhcpSubnets = (items: ReadonlyArray<Located<DhcpSubnetInput>>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const seen = new Map<string, Located<DhcpSubnetInput>>()
  for (const item of items) {
    issues.push(...checkCommon(item))
    const { subnet, pools, auto_options } = item.value
    const cidr = parseCidr(subnet.trim())
    if (cidr === undefined) {
      issues.push(report(item, ["subnet"], {
        code: "invalid-subnet",
        message: `subnet "${subnet}" is not an IPv4 network with a prefix length`,
        hint: "write the network address and prefix, e.g. 10.30.0.0/24"
      }))
    } else if (cidr.hostBits) {
      issues.push(report(item, ["subnet"], {
        code: "invalid-subnet",
        message: `subnet "${subnet}" has host bits set`,
        hint: "write the network address of the subnet, e.g. 10.30.0.0/24 rather than 10.30.0.1/24"
      }))
    } else {
      const first = seen.get(subnet.trim())
      if (first === undefined) seen.set(subnet.trim(), item)
      else {
        // opnsense/core 26.7.2: KeaDhcpv4.xml subnet UniqueConstraint "Subnet must be unique."
        issues.push(report(item, ["subnet"], {
          code: "duplicate-subnet",
          message: `subnet ${subnet} is already served by "${first.name}" (${first.source.file}:${first.source.line})`,
          hint: "one DHCP subnet per network: merge the two items"
        }))
      }
    }
    list(pools).forEach((pool, index) => {
      const at = typeof pools === "string" ? ["pools"] : ["pools", index]
      const span = parsePool(pool)
      if (span === undefined) {
        issues.push(report(item, at, {
          code: "invalid-pool",
          message: `pool "${pool}" is not a valid range or subnet`,
          hint: "write from-to, e.g. 10.30.0.100-10.30.0.199, or a CIDR inside the subnet"
        }))
      } else if (cidr !== undefined && !spanWithin(span, cidr)) {
        issues.push(report(item, at, {
          code: "pool-outside-subnet",
          message: `pool ${pool} is not inside subnet ${subnet}`,
          hint: "Kea refuses a pool outside its subnet: move the range into the subnet"
        }))
      }
    })
    const domain = item.value.domain_name
    // HostnameField with IpAllowed N (KeaDhcpv4.xml option_data.domain_name)
    if (domain !== undefined && domain.trim() !== "" && !isHostname(domain.trim())) {
      issues.push(report(item, ["domain_name"], {
        code: "invalid-hostname",
        message: `domain_name "${domain}" is not a domain name`,
        hint: "letters, digits and hyphens, dot-separated, e.g. iot.example.net"
      }))
    }
    checkAddresses(item, "routers", issues)
    checkAddresses(item, "dns_servers", issues)
    if (auto_options === true && (list(item.value.routers).length > 0 || list(item.value.dns_servers).length > 0)) {
      issues.push(report(item, ["auto_options"], {
        code: "conflicting-options",
        message: "auto_options fills routers and DNS servers with the firewall's own address; the item names them too",
        hint: "drop auto_options (routers/dns_servers given turn it off) or drop routers and dns_servers"
      }))
    }
  }
  return issues
}

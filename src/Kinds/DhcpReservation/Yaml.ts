/**
 * Kea DHCPv4 reservations: a MAC and an IPv4 address inside the subnet they belong to (opnsense/core
 * 26.7.2: src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.php performValidation "Address not in
 * specified subnet"), unique addresses and one reservation per MAC and subnet (KeaDhcpv4.xml
 * ip_address and hw_address UniqueConstraint), and outside the subnet's dynamic pools (an address
 * Kea may also lease to another client).
 */
import { isHostname } from "../../DesiredState/Addresses.ts"
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { DhcpSubnetInput } from "../DhcpSubnet/Input.ts"
import { type Cidr, ipv4, parseCidr, parsePool, type Span, within } from "../DhcpSubnet/Ipv4.ts"
import type { LoadContext } from "../Kind.ts"
import type { DhcpReservationInput } from "./Input.ts"
import { canonicalMac, isMac } from "./Mac.ts"
import type { DhcpReservationSpec } from "./Spec.ts"

/** The site's DHCP subnets by desired-state name. */
const subnetsOf = (context: LoadContext): ReadonlyMap<string, Located<DhcpSubnetInput>> =>
  new Map(
    ((context.items("dhcp_subnets")) as ReadonlyArray<Located<DhcpSubnetInput>>).map((s) => [s.name, s])
  )

/** The CIDR a reservation's `subnet` names: a subnet item's, or the value itself. */
const cidrOf = (subnet: string, subnets: ReadonlyMap<string, Located<DhcpSubnetInput>>): string =>
  subnets.get(subnet)?.value.subnet.trim() ?? subnet.trim()

export const dhcpReservationSpec = (input: DhcpReservationInput, context: LoadContext): DhcpReservationSpec => ({
  subnet: cidrOf(input.subnet, subnetsOf(context)),
  mac: canonicalMac(input.mac),
  ip: input.ip.trim(),
  hostname: input.hostname?.trim() ?? "",
  description: input.description ?? ""
})

interface Target {
  readonly cidr: Cidr
  readonly text: string
  /** the desired subnet item, when the reservation names one of the site's subnets */
  readonly item: Located<DhcpSubnetInput> | undefined
}

const poolsOf = (item: Located<DhcpSubnetInput>): ReadonlyArray<readonly [string, Span]> => {
  const pools = item.value.pools
  const list = pools === undefined ? [] : typeof pools === "string" ? [pools] : pools
  return list.flatMap((p) => {
    const span = parsePool(p)
    return span === undefined ? [] : [[p.trim(), span] as const]
  })
}

export const checkDhcpReservations = (
  items: ReadonlyArray<Located<DhcpReservationInput>>,
  context: LoadContext
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const subnets = subnetsOf(context)
  const byAddress = new Map<string, Located<DhcpReservationInput>>()
  const byMac = new Map<string, Located<DhcpReservationInput>>()
  for (const item of items) {
    issues.push(...checkCommon(item))
    const { subnet, mac, ip, hostname } = item.value
    const named = subnets.get(subnet)
    const text = cidrOf(subnet, subnets)
    const cidr = parseCidr(text)
    // a reservation may name its subnet by CIDR (as import writes it): the site's item with that CIDR
    const declared = named ?? [...subnets.values()].find((s) => s.value.subnet.trim() === text)
    const target: Target | undefined = cidr === undefined ? undefined : { cidr, text, item: declared }
    if (target === undefined) {
      issues.push(report(item, ["subnet"], {
        code: "unknown-subnet",
        message: named === undefined
          ? `"${subnet}" is neither a dhcp_subnets item of this site nor an IPv4 subnet`
          : `subnet "${subnet}" has no valid CIDR`,
        hint: subnets.size > 0
          ? `name one of ${[...subnets.keys()].map((n) => `"${n}"`).join(", ")}, or write the subnet's CIDR`
          : "declare the subnet under dhcp_subnets and name it here, or write its CIDR (e.g. 10.30.0.0/24)"
      }))
    }
    if (!isMac(mac.trim())) {
      issues.push(report(item, ["mac"], {
        code: "invalid-mac",
        message: `"${mac}" is not a MAC address`,
        hint: "write six pairs of hex digits, e.g. aa:bb:cc:00:11:22"
      }))
    }
    const address = ipv4(ip.trim())
    if (address === undefined) {
      issues.push(report(item, ["ip"], {
        code: "invalid-address",
        message: `"${ip}" is not an IPv4 address`,
        hint: "write one address such as 10.30.0.10"
      }))
    } else if (target !== undefined) {
      if (!within(address, target.cidr)) {
        issues.push(report(item, ["ip"], {
          code: "reservation-outside-subnet",
          message: `${ip} is not inside subnet ${target.text}${declared === undefined ? "" : ` ("${declared.name}")`}`,
          hint: "OPNsense refuses it (\"Address not in specified subnet\"): pick an address of the subnet or the " +
            "subnet the host is on"
        }))
      } else if (target.item !== undefined) {
        const pool = poolsOf(target.item).find(([, span]) => within(address, span))
        if (pool !== undefined) {
          issues.push(report(item, ["ip"], {
            code: "reservation-in-pool",
            severity: "warning",
            message: `${ip} lies in the dynamic pool ${pool[0]} of subnet "${target.item.name}"`,
            hint: "Kea may lease it to another client first; pick an address outside the pools or shrink the pool"
          }))
        }
      }
    }
    if (hostname !== undefined && !isHostname(hostname.trim())) {
      issues.push(report(item, ["hostname"], {
        code: "invalid-hostname",
        message: `"${hostname}" is not a host name`,
        hint: "letters, digits and hyphens, dot-separated, e.g. printer or printer.lan"
      }))
    }
    if (address !== undefined) {
      const first = byAddress.get(ip.trim())
      if (first === undefined) byAddress.set(ip.trim(), item)
      else {
        issues.push(report(item, ["ip"], {
          code: "duplicate-reservation-address",
          message: `${ip} is already reserved by "${first.name}" (${first.source.file}:${first.source.line})`,
          hint: "an address can be reserved for one client only"
        }))
      }
    }
    if (isMac(mac.trim())) {
      const key = `${text}\u0000${canonicalMac(mac)}`
      const first = byMac.get(key)
      if (first === undefined) byMac.set(key, item)
      else {
        issues.push(report(item, ["mac"], {
          code: "duplicate-reservation-mac",
          message: `${
            canonicalMac(mac)
          } already has a reservation in subnet ${text}: "${first.name}" (${first.source.file}:${first.source.line})`,
          hint: "one reservation per MAC address and subnet: merge the two"
        }))
      }
    }
  }
  return issues
}

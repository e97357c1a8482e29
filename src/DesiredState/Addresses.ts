/**
 * Literal addresses as OPNsense accepts them: IPv4/IPv6 hosts, CIDRs, ranges, wildcard masks; and
 * the forms it (or pf, or a reader) would misread, refused with the form to write instead:
 *
 * - IPv4 other than four decimal numbers without leading zeros (`0x0a.0.0.1`, `010.0.0.1`,
 *   `10.1`): inet_aton(3) reads hex, octal and short forms (010 is 8), PHP's filter_var and
 *   people do not; a host alias would otherwise take `0x0a.0.0.1` as a hostname;
 * - IPv6 with a zone id (`fe80::1%eth0`): a rule's interface already picks the link, and
 *   OPNsense's Util::isIpAddress (filter_var FILTER_VALIDATE_IP) has no zone ids;
 * - IPv4-mapped IPv6 (`::ffff:10.0.0.1`): pf matches IPv4 packets against IPv4 addresses, so an
 *   inet6 rule with a mapped address never matches the IPv4 host it names.
 *
 * A CIDR with host bits set (`10.0.0.5/24`) is accepted with a warning naming the network it
 * means: OPNsense takes it for rule source/destination (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/NetworkAliasField.php getValidators, which
 * uses Util::isSubnet, not isSubnetStrict) and for network alias content (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/AliasContentField.php validateNetwork,
 * Util::isSubnet too), and pf masks the host bits, so the rule matches the whole network.
 */
import { isIPv4, isIPv6 } from "node:net"
import type { IssueInput } from "./Issues.ts"

export type Family = 4 | 6

export type Literal =
  | {
    readonly _tag: "Literal"
    readonly family: Family
    /** something OPNsense accepts but that probably does not say what was meant */
    readonly warning?: IssueInput | undefined
  }
  | { readonly _tag: "Invalid"; readonly reason: string }
  | { readonly _tag: "NotAddress" }

// every IPv6 form has a colon: the (large) IPv6 pattern runs only on text that can be one, not on
// each alias and interface name a rule set mentions
const familyOf = (host: string): Family | undefined =>
  isIPv4(host) ? 4 : host.includes(":") && !host.includes("%") && isIPv6(host) ? 6 : undefined

/** Looks like someone meant an address (digits and dots, or hex and colons). */
const addressLike = (value: string): boolean =>
  /^[0-9.]+(\/.*)?$/.test(value) || (value.includes(":") && /^[0-9A-Fa-f:.]+(\/.*)?$/.test(value))

const NUMERIC_PART = /^(0x[0-9a-f]*|[0-9]+)$/i

/** What inet_aton(3) makes of `host` (1-4 parts, each decimal, 0-octal or 0x-hex), as dotted decimal. */
const inetAton = (host: string): string | undefined => {
  const parts = host.split(".")
  if (parts.length > 4 || !parts.every((p) => NUMERIC_PART.test(p))) return undefined
  const values = parts.map((p) =>
    /^0x/i.test(p) ? Number.parseInt(p.slice(2) || "0", 16) : /^0[0-7]+$/.test(p) ? Number.parseInt(p, 8) : Number(p)
  )
  if (values.some((v) => !Number.isSafeInteger(v))) return undefined
  // the last part fills every byte the earlier parts left
  const last = values[values.length - 1] ?? 0
  const head = values.slice(0, -1)
  if (head.some((v) => v > 255) || last >= 2 ** (8 * (4 - head.length))) return undefined
  let n = last
  head.forEach((v, i) => {
    n += v * 2 ** (8 * (3 - i))
  })
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")
}

/** The 8 groups of an IPv6 address (valid per isIPv6, no zone id). */
const ipv6Groups = (host: string): ReadonlyArray<number> => {
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(host)
  const text = v4 === null
    ? host
    : host.slice(0, v4.index) + (() => {
      const [a = 0, b = 0, c = 0, d = 0] = (v4[1] ?? "").split(".").map(Number)
      return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
    })()
  const [left = "", right] = text.split("::")
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)))
  const l = parse(left)
  const r = right === undefined ? [] : parse(right)
  return [...l, ...Array<number>(8 - l.length - r.length).fill(0), ...r]
}

/** RFC 5952 text of 8 groups: lower case, the longest run (2+) of zero groups as "::". */
const formatIpv6 = (groups: ReadonlyArray<number>): string => {
  let best = { at: -1, length: 1 }
  for (let i = 0; i < 8;) {
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > best.length) best = { at: i, length: j - i }
    i = j === i ? i + 1 : j
  }
  const hex = groups.map((g) => g.toString(16))
  return best.at < 0
    ? hex.join(":")
    : `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`
}

/** The address with its host bits cleared, when any were set. */
const networkOf = (host: string, family: Family, bits: number): string | undefined => {
  if (family === 4) {
    const octets = host.split(".").map(Number)
    const masked = octets.map((o, i) => o & (0xff << Math.max(0, Math.min(8, 8 * (i + 1) - bits)) & 0xff))
    return masked.every((m, i) => m === octets[i]) ? undefined : masked.join(".")
  }
  const groups = ipv6Groups(host)
  const masked = groups.map((g, i) => g & (0xffff << Math.max(0, Math.min(16, 16 * (i + 1) - bits)) & 0xffff))
  return masked.every((m, i) => m === groups[i]) ? undefined : formatIpv6(masked)
}

/** Why `host` (the part before any "/") is a form the firewall or a reader would misread. */
const misreadHost = (value: string, host: string): string | undefined => {
  if (host.includes("%") && isIPv6(host)) {
    const [address = ""] = host.split("%")
    return `"${value}" has an IPv6 zone id (${host.slice(address.length)}), which OPNsense address fields do not ` +
      `take: the rule's interface picks the link; write ${value.replace(host, address)}`
  }
  if (isIPv6(host) && !host.includes("%")) {
    const groups = ipv6Groups(host)
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
      const [g6 = 0, g7 = 0] = groups.slice(6)
      const v4 = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join(".")
      return `"${value}" is an IPv4-mapped IPv6 address, which pf never matches against IPv4 traffic; write the ` +
        `IPv4 address ${v4} (with ip_version ipv4 or ipv4+ipv6)`
    }
  }
  if (!isIPv4(host) && host.split(".").every((p) => NUMERIC_PART.test(p))) {
    const read = inetAton(host)
    return `"${value}" is not four decimal numbers without leading zeros` +
      (read === undefined ? "" : `; inet_aton would read it as ${read}`) +
      ": write the IPv4 address in dotted decimal (e.g. 10.0.0.1)"
  }
  return undefined
}

/** An address or CIDR ("10.0.0.1", "10.0.0.0/24", "2001:db8::/32"). */
export const parseCidr = (value: string): Literal => {
  const [host = "", prefix, ...rest] = value.split("/")
  const misread = rest.length === 0 ? misreadHost(value, host) : undefined
  if (misread !== undefined) return { _tag: "Invalid", reason: misread }
  // "address/mask" is a wildcard mask, not a CIDR: isWildcardMask decides where one is allowed
  if (prefix !== undefined && rest.length === 0 && familyOf(prefix) !== undefined) return { _tag: "NotAddress" }
  const family = familyOf(host)
  if (family === undefined || rest.length > 0) {
    return addressLike(value)
      ? { _tag: "Invalid", reason: `"${value}" is not a valid IP address or CIDR` }
      : { _tag: "NotAddress" }
  }
  if (prefix === undefined) return { _tag: "Literal", family }
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN
  const max = family === 4 ? 32 : 128
  if (!(bits >= 0 && bits <= max)) {
    return { _tag: "Invalid", reason: `prefix length /${prefix} is outside 0-${max} for IPv${family}` }
  }
  const network = networkOf(host, family, bits)
  if (network === undefined) return { _tag: "Literal", family }
  return {
    _tag: "Literal",
    family,
    warning: {
      severity: "warning",
      code: "host-bits",
      message: `"${value}" has host bits set; OPNsense accepts it and pf matches the whole network ${network}/${bits}`,
      hint: `write ${network}/${bits} for the network, or ${host} alone for the one host`
    }
  }
}

/** A range "10.0.0.1-10.0.0.9" (both ends the same family). */
export const parseRange = (value: string): Literal => {
  const parts = value.split("-")
  if (parts.length !== 2) return { _tag: "NotAddress" }
  const [a = "", b = ""] = parts
  const misread = misreadHost(a.trim(), a.trim()) ?? misreadHost(b.trim(), b.trim())
  if (misread !== undefined) return { _tag: "Invalid", reason: misread }
  const fa = familyOf(a.trim())
  const fb = familyOf(b.trim())
  if (fa === undefined || fb === undefined) {
    return addressLike(a)
      ? { _tag: "Invalid", reason: `"${value}" is not a valid address range` }
      : { _tag: "NotAddress" }
  }
  if (fa !== fb) return { _tag: "Invalid", reason: `range "${value}" mixes IPv4 and IPv6` }
  return { _tag: "Literal", family: fa }
}

/**
 * A wildcard mask "10.0.0.0/0.0.255.255" (or two IPv6 addresses): address and mask of one family,
 * as opnsense/core 26.7.2: src/opnsense/mvc/app/library/OPNsense/Firewall/Util.php isWildcard has it.
 */
export const isWildcardMask = (value: string): boolean => {
  const [host = "", mask = "", ...rest] = value.split("/")
  const family = familyOf(host)
  return rest.length === 0 && family !== undefined && familyOf(mask) === family &&
    misreadHost(host, host) === undefined && misreadHost(mask, mask) === undefined
}

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

export const isHostname = (value: string): boolean => HOSTNAME.test(value) && !/^[0-9.]+$/.test(value)

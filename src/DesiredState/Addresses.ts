/** Literal addresses as OPNsense accepts them: IPv4/IPv6 hosts, CIDRs, ranges, wildcard masks. */
import { isIPv4, isIPv6 } from "node:net"

export type Family = 4 | 6

export type Literal =
  | { readonly _tag: "Literal"; readonly family: Family }
  | { readonly _tag: "Invalid"; readonly reason: string }
  | { readonly _tag: "NotAddress" }

// every IPv6 form has a colon: the (large) IPv6 pattern runs only on text that can be one, not on
// each alias and interface name a rule set mentions
const familyOf = (host: string): Family | undefined =>
  isIPv4(host) ? 4 : host.includes(":") && isIPv6(host) ? 6 : undefined

/** Looks like someone meant an address (digits and dots, or hex and colons). */
const addressLike = (value: string): boolean =>
  /^[0-9.]+(\/.*)?$/.test(value) || (value.includes(":") && /^[0-9A-Fa-f:.]+(\/.*)?$/.test(value))

/** An address or CIDR ("10.0.0.1", "10.0.0.0/24", "2001:db8::/32"). */
export const parseCidr = (value: string): Literal => {
  const [host = "", prefix, ...rest] = value.split("/")
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
  return { _tag: "Literal", family }
}

/** A range "10.0.0.1-10.0.0.9" (both ends the same family). */
export const parseRange = (value: string): Literal => {
  const parts = value.split("-")
  if (parts.length !== 2) return { _tag: "NotAddress" }
  const [a = "", b = ""] = parts
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

/** A wildcard mask "10.0.0.0/0.0.255.255". */
export const isWildcardMask = (value: string): boolean => {
  const [host = "", mask = "", ...rest] = value.split("/")
  return rest.length === 0 && isIPv4(host) && isIPv4(mask)
}

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

export const isHostname = (value: string): boolean => HOSTNAME.test(value) && !/^[0-9.]+$/.test(value)

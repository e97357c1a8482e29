/** IPv4 addresses, CIDRs and ranges as DHCP subnets, pools and reservations use them. */
import { isIPv4 } from "node:net"

/** The address as a number, or undefined when it is not a dotted-quad IPv4 address. */
export const ipv4 = (address: string): number | undefined =>
  isIPv4(address) ? address.split(".").reduce((n, part) => n * 256 + Number(part), 0) : undefined

export interface Cidr {
  /** first address */
  readonly first: number
  /** last address */
  readonly last: number
  readonly prefix: number
  /** the address as written carries host bits (10.0.0.1/24) */
  readonly hostBits: boolean
}

/** `a.b.c.d/n` (n 0..32), or undefined. */
export const parseCidr = (value: string): Cidr | undefined => {
  const [address, bits, ...rest] = value.split("/")
  const n = address === undefined ? undefined : ipv4(address)
  if (n === undefined || bits === undefined || rest.length > 0 || !/^\d{1,2}$/.test(bits)) return undefined
  const prefix = Number(bits)
  if (prefix > 32) return undefined
  const size = 2 ** (32 - prefix)
  const first = Math.floor(n / size) * size
  return { first, last: first + size - 1, prefix, hostBits: n !== first }
}

export interface Span {
  readonly first: number
  readonly last: number
}

/** A pool as KeaPoolsField takes it: `from-to` (spaces around the dash allowed) or a CIDR. */
export const parsePool = (value: string): Span | undefined => {
  const parts = value.split("-").map((p) => p.trim())
  if (parts.length === 1) return parseCidr(parts[0] ?? "")
  const [from, to] = parts.map(ipv4)
  if (parts.length !== 2 || from === undefined || to === undefined || from > to) return undefined
  return { first: from, last: to }
}

/** The canonical pool text: `from-to` without spaces, or the CIDR as written. */
export const canonicalPool = (value: string): string => value.split("-").map((p) => p.trim()).join("-")

export const within = (n: number, span: Span): boolean => n >= span.first && n <= span.last
export const spanWithin = (inner: Span, outer: Span): boolean => inner.first >= outer.first && inner.last <= outer.last

/**
 * Integer interval sets and IP parsing: the arithmetic under address and port matching. Everything
 * is a bigint so IPv4, IPv6 and ports share one implementation; sets are sorted, merged arrays
 * so membership is a binary search and subset tests are a linear merge.
 */

export interface Interval {
  readonly lo: bigint
  readonly hi: bigint
}
/** sorted by `lo`, non-overlapping, non-adjacent */
export type Ranges = ReadonlyArray<Interval>

export type Family = 4 | 6

export const V4_MAX = (1n << 32n) - 1n
export const V6_MAX = (1n << 128n) - 1n
export const PORT_MAX = 65535n

export const familyMax = (family: Family): bigint => (family === 4 ? V4_MAX : V6_MAX)

export const EMPTY: Ranges = []
const FULL4: Ranges = [{ lo: 0n, hi: V4_MAX }]
const FULL6: Ranges = [{ lo: 0n, hi: V6_MAX }]
const FULL_PORTS: Ranges = [{ lo: 0n, hi: PORT_MAX }]
/** the whole space (shared constants for the usual maxima: compiling 10,000 rules allocates less) */
export const full = (max: bigint): Ranges =>
  max === V4_MAX ? FULL4 : max === V6_MAX ? FULL6 : max === PORT_MAX ? FULL_PORTS : [{ lo: 0n, hi: max }]

export const normalise = (intervals: ReadonlyArray<Interval>): Ranges => {
  if (intervals.length <= 1) return intervals.length === 0 ? EMPTY : [intervals[0]!]
  const sorted = [...intervals].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0))
  const out: Array<Interval> = []
  for (const next of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && next.lo <= last.hi + 1n) {
      if (next.hi > last.hi) out[out.length - 1] = { lo: last.lo, hi: next.hi }
    } else {
      out.push(next)
    }
  }
  return out
}

export const contains = (ranges: Ranges, value: bigint): boolean => {
  let low = 0
  let high = ranges.length - 1
  while (low <= high) {
    const mid = (low + high) >> 1
    const r = ranges[mid]!
    if (value < r.lo) high = mid - 1
    else if (value > r.hi) low = mid + 1
    else return true
  }
  return false
}

/** every value of `inner` is in `outer` */
export const isSubset = (inner: Ranges, outer: Ranges): boolean => {
  let j = 0
  for (const r of inner) {
    while (j < outer.length && outer[j]!.hi < r.lo) j++
    const o = outer[j]
    if (o === undefined || o.lo > r.lo || o.hi < r.hi) return false
  }
  return true
}

export const intersects = (a: Ranges, b: Ranges): boolean => {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]!
    const y = b[j]!
    if (x.hi < y.lo) i++
    else if (y.hi < x.lo) j++
    else return true
  }
  return false
}

export const complement = (ranges: Ranges, max: bigint): Ranges => {
  const out: Array<Interval> = []
  let next = 0n
  for (const r of ranges) {
    if (r.lo > next) out.push({ lo: next, hi: r.lo - 1n })
    next = r.hi + 1n
  }
  if (next <= max) out.push({ lo: next, hi: max })
  return out
}

export const subtract = (a: Ranges, b: Ranges, max: bigint): Ranges =>
  b.length === 0 || a.length === 0 ? a : intersect(a, complement(b, max))

export const intersect = (a: Ranges, b: Ranges): Ranges => {
  const out: Array<Interval> = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]!
    const y = b[j]!
    const lo = x.lo > y.lo ? x.lo : y.lo
    const hi = x.hi < y.hi ? x.hi : y.hi
    if (lo <= hi) out.push({ lo, hi })
    if (x.hi < y.hi) i++
    else j++
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// IP addresses

export interface Ip {
  readonly family: Family
  readonly value: bigint
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

const parseV4 = (text: string): bigint | undefined => {
  const m = V4.exec(text)
  if (m === null) return undefined
  let value = 0n
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i])
    if (octet > 255) return undefined
    value = (value << 8n) | BigInt(octet)
  }
  return value
}

const parseV6 = (text: string): bigint | undefined => {
  let input = text.toLowerCase()
  const zone = input.indexOf("%")
  if (zone >= 0) input = input.slice(0, zone)
  if (!/^[0-9a-f:.]+$/.test(input) || !input.includes(":")) return undefined
  // an embedded IPv4 tail (::ffff:10.0.0.1) becomes two groups
  const lastColon = input.lastIndexOf(":")
  const tail = input.slice(lastColon + 1)
  if (tail.includes(".")) {
    const v4 = parseV4(tail)
    if (v4 === undefined) return undefined
    input = `${input.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = input.split("::")
  if (halves.length > 2) return undefined
  const head = halves[0] === "" ? [] : halves[0]!.split(":")
  const rest = halves.length === 2 ? (halves[1] === "" ? [] : halves[1]!.split(":")) : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest]
  let value = 0n
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined
    value = (value << 16n) | BigInt(parseInt(g, 16))
  }
  return value
}

export const parseIp = (text: string): Ip | undefined => {
  const trimmed = text.trim()
  const v4 = parseV4(trimmed)
  if (v4 !== undefined) return { family: 4, value: v4 }
  const v6 = parseV6(trimmed)
  return v6 === undefined ? undefined : { family: 6, value: v6 }
}

export interface Block {
  readonly family: Family
  readonly interval: Interval
}

/** "10.0.0.1", "10.0.0.0/24", "2001:db8::/32", "10.0.0.1-10.0.0.9"; undefined for anything else */
export const parseBlock = (text: string): Block | undefined => {
  const trimmed = text.trim()
  const slash = trimmed.indexOf("/")
  if (slash >= 0) {
    const ip = parseIp(trimmed.slice(0, slash))
    const bitsText = trimmed.slice(slash + 1)
    if (ip === undefined || !/^\d{1,3}$/.test(bitsText)) return undefined
    const width = ip.family === 4 ? 32n : 128n
    const bits = BigInt(bitsText)
    if (bits > width) return undefined
    const hostMask = (1n << (width - bits)) - 1n
    const lo = ip.value & ~hostMask & familyMax(ip.family)
    return { family: ip.family, interval: { lo, hi: lo | hostMask } }
  }
  const dash = trimmed.indexOf("-")
  if (dash > 0) {
    const from = parseIp(trimmed.slice(0, dash))
    const to = parseIp(trimmed.slice(dash + 1))
    if (from === undefined || to === undefined || from.family !== to.family || from.value > to.value) return undefined
    return { family: from.family, interval: { lo: from.value, hi: to.value } }
  }
  const ip = parseIp(trimmed)
  return ip === undefined ? undefined : { family: ip.family, interval: { lo: ip.value, hi: ip.value } }
}

/** port "443", rule range "8000-8080", alias range "8000:8080" */
export const parsePortRange = (text: string): Interval | undefined => {
  const m = /^(\d{1,5})(?:\s*[-:]\s*(\d{1,5}))?$/.exec(text.trim())
  if (m === null) return undefined
  const lo = BigInt(m[1]!)
  const hi = m[2] === undefined ? lo : BigInt(m[2])
  if (lo < 1n || hi > PORT_MAX || lo > hi) return undefined
  return { lo, hi }
}

// ---------------------------------------------------------------------------------------------
// Plain-number copies for the hot path: IPv4 and ports fit in a double exactly, and comparing
// numbers is far cheaper than comparing bigints.

/** [lo0, hi0, lo1, hi1, ...] */
export type NumberRanges = Float64Array

export const toNumbers = (ranges: Ranges): NumberRanges => {
  const out = new Float64Array(ranges.length * 2)
  ranges.forEach((r, i) => {
    out[i * 2] = Number(r.lo)
    out[i * 2 + 1] = Number(r.hi)
  })
  return out
}

export const containsNumber = (ranges: NumberRanges, value: number): boolean => {
  let low = 0
  let high = (ranges.length >> 1) - 1
  while (low <= high) {
    const mid = (low + high) >> 1
    if (value < ranges[mid * 2]!) high = mid - 1
    else if (value > ranges[mid * 2 + 1]!) low = mid + 1
    else return true
  }
  return false
}

/** every value of `inner` is in `outer` (NumberRanges) */
export const isSubsetNumber = (inner: NumberRanges, outer: NumberRanges): boolean => {
  let j = 0
  for (let i = 0; i < inner.length; i += 2) {
    const lo = inner[i]!
    const hi = inner[i + 1]!
    while (j < outer.length && outer[j + 1]! < lo) j += 2
    if (j >= outer.length || outer[j]! > lo || outer[j + 1]! < hi) return false
  }
  return true
}

export const intersectsNumber = (a: NumberRanges, b: NumberRanges): boolean => {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2
    else if (b[j + 1]! < a[i]!) j += 2
    else return true
  }
  return false
}

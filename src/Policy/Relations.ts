/**
 * Relations between two compiled rules, used by lint: does rule A match every packet rule B matches
 * (covers), and may they match a common packet (overlaps). "Covers" is only claimed when it is
 * certain: opaque parts (URL aliases, unknown interface nets) cover only themselves.
 */
import type { CompiledEndpoint, CompiledRule, InterfaceMatch } from "./Compile.ts"
import * as R from "./Ranges.ts"
import { type AddressSet, familyRanges, type PortSet } from "./Resolve.ts"

const subsetTokens = (inner: ReadonlyArray<string>, outer: ReadonlyArray<string>) =>
  inner.length === 0 || inner.every((t) => outer.includes(t))

const interfacesCover = (a: InterfaceMatch, b: InterfaceMatch): boolean => {
  if (a.kind === "all") return true
  if (b.kind === "all") return false
  if (a.kind === "only") return b.kind === "only" && [...b.names].every((n) => a.names.has(n))
  if (b.kind === "only") return [...b.names].every((n) => !a.names.has(n))
  return [...a.names].every((n) => b.names.has(n))
}

const interfacesOverlap = (a: InterfaceMatch, b: InterfaceMatch): boolean => {
  if (a.kind === "all" || b.kind === "all") return true
  if (a.kind === "only" && b.kind === "only") return [...a.names].some((n) => b.names.has(n))
  if (a.kind === "only") return [...a.names].some((n) => !b.names.has(n))
  if (b.kind === "only") return [...b.names].some((n) => !a.names.has(n))
  return true
}

const protocolsCover = (a: CompiledRule, b: CompiledRule): boolean =>
  a.protocols === undefined || (b.protocols !== undefined && [...b.protocols].every((p) => a.protocols!.has(p)))

const protocolsOverlap = (a: CompiledRule, b: CompiledRule): boolean =>
  a.protocols === undefined || b.protocols === undefined || [...b.protocols].some((p) => a.protocols!.has(p))

const families = (bits: number): ReadonlyArray<R.Family> => (bits === 1 ? [4] : bits === 2 ? [6] : [4, 6])

/** values the endpoint certainly matches / may match, for one family */
const lower = (set: AddressSet, invert: boolean, f: R.Family): R.Ranges =>
  invert
    ? set.tokens.length > 0 ? R.EMPTY : R.complement(familyRanges(set, f), R.familyMax(f))
    : familyRanges(set, f)
const upper = (set: AddressSet, invert: boolean, f: R.Family): R.Ranges =>
  invert
    ? R.complement(familyRanges(set, f), R.familyMax(f))
    : set.tokens.length > 0 ? R.full(R.familyMax(f)) : familyRanges(set, f)

const addressesCover = (a: CompiledEndpoint, b: CompiledEndpoint, fams: ReadonlyArray<R.Family>): boolean => {
  if (a.addresses.any && !a.invert) return true
  const byRanges = fams.every((f) => R.isSubset(upper(b.addresses, b.invert, f), lower(a.addresses, a.invert, f)))
  if (byRanges) return true
  if (a.invert !== b.invert) return false
  const [inner, outer] = a.invert ? [a.addresses, b.addresses] : [b.addresses, a.addresses]
  return subsetTokens(inner.tokens, outer.tokens) &&
    fams.every((f) => R.isSubset(familyRanges(inner, f), familyRanges(outer, f)))
}

const addressesOverlap = (a: CompiledEndpoint, b: CompiledEndpoint, fams: ReadonlyArray<R.Family>): boolean =>
  fams.some((f) => R.intersects(upper(a.addresses, a.invert, f), upper(b.addresses, b.invert, f)))

const addressesCertainlyOverlap = (a: CompiledEndpoint, b: CompiledEndpoint, fams: ReadonlyArray<R.Family>): boolean =>
  fams.some((f) => R.intersects(lower(a.addresses, a.invert, f), lower(b.addresses, b.invert, f))) ||
  (!a.invert && !b.invert && a.addresses.tokens.some((t) => b.addresses.tokens.includes(t)))

const portsCover = (a: PortSet, b: PortSet): boolean =>
  a.any || (!b.any && R.isSubset(b.ranges, a.ranges) && subsetTokens(b.tokens, a.tokens))

const portsOverlap = (a: PortSet, b: PortSet): boolean =>
  a.any || b.any || a.tokens.length > 0 || b.tokens.length > 0 || R.intersects(a.ranges, b.ranges)

const portsCertainlyOverlap = (a: PortSet, b: PortSet): boolean =>
  a.any || b.any || R.intersects(a.ranges, b.ranges) || a.tokens.some((t) => b.tokens.includes(t))

/** A matches every packet that B matches. */
export const covers = (a: CompiledRule, b: CompiledRule): boolean => {
  if ((a.families & b.families) !== b.families) return false
  if (a.direction !== "any" && a.direction !== b.direction) return false
  if (!protocolsCover(a, b)) return false
  if (!portsCover(a.destination.port, b.destination.port) || !portsCover(a.source.port, b.source.port)) return false
  if (!interfacesCover(a.interfaces, b.interfaces)) return false
  const fams = families(b.families)
  return addressesCover(a.destination, b.destination, fams) && addressesCover(a.source, b.source, fams)
}

const directionsOverlap = (a: CompiledRule, b: CompiledRule) =>
  a.direction === "any" || b.direction === "any" || a.direction === b.direction

/** A and B may match a common packet (conservative: true when unsure). */
export const mayOverlap = (a: CompiledRule, b: CompiledRule): boolean => {
  const common = a.families & b.families
  if (common === 0 || !directionsOverlap(a, b) || !protocolsOverlap(a, b)) return false
  if (!portsOverlap(a.destination.port, b.destination.port) || !portsOverlap(a.source.port, b.source.port)) return false
  if (!interfacesOverlap(a.interfaces, b.interfaces)) return false
  const fams = families(common)
  return addressesOverlap(a.destination, b.destination, fams) && addressesOverlap(a.source, b.source, fams)
}

/** A and B certainly match a common packet. */
export const certainlyOverlap = (a: CompiledRule, b: CompiledRule): boolean => {
  const common = a.families & b.families
  if (common === 0 || !directionsOverlap(a, b) || !protocolsOverlap(a, b)) return false
  if (!portsCertainlyOverlap(a.destination.port, b.destination.port) || !portsCertainlyOverlap(a.source.port, b.source.port)) {
    return false
  }
  if (!interfacesOverlap(a.interfaces, b.interfaces)) return false
  const fams = families(common)
  return addressesCertainlyOverlap(a.destination, b.destination, fams) &&
    addressesCertainlyOverlap(a.source, b.source, fams)
}

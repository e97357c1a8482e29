/**
 * Relations between two compiled rules, used by lint: does rule A match every packet rule B matches
 * (covers), and may they match a common packet (overlaps). "Covers" is only claimed when it is
 * certain: opaque parts (URL aliases, unknown interface nets) cover only themselves.
 */
import type { CompiledEndpoint, CompiledRule, InterfaceMatch } from "./Compile.ts"
import * as R from "./Ranges.ts"

const subsetTokens = (inner: ReadonlyArray<string>, outer: ReadonlyArray<string>) =>
  inner.length === 0 || inner.every((t) => outer.includes(t))

const every = (names: ReadonlySet<string>, f: (name: string) => boolean): boolean => {
  for (const n of names) if (!f(n)) return false
  return true
}

const interfacesCover = (a: InterfaceMatch, b: InterfaceMatch): boolean => {
  if (a.kind === "all") return true
  if (b.kind === "all") return false
  if (a.kind === "only") return b.kind === "only" && every(b.names, (n) => a.names.has(n))
  if (b.kind === "only") return every(b.names, (n) => !a.names.has(n))
  return every(a.names, (n) => b.names.has(n))
}

const interfacesOverlap = (a: InterfaceMatch, b: InterfaceMatch): boolean => {
  if (a.kind === "all" || b.kind === "all") return true
  if (a.kind === "only" && b.kind === "only") return !every(a.names, (n) => !b.names.has(n))
  if (a.kind === "only") return !every(a.names, (n) => b.names.has(n))
  if (b.kind === "only") return !every(b.names, (n) => a.names.has(n))
  return true
}

const protocolsCover = (a: CompiledRule, b: CompiledRule): boolean => {
  if ((a.protocolMask & b.protocolMask) !== b.protocolMask) return false
  if (a.protocols === undefined) return true
  if (b.protocols === undefined) return false
  for (const p of b.protocols) if (!a.protocols.has(p)) return false
  return true
}

const protocolsOverlap = (a: CompiledRule, b: CompiledRule): boolean => {
  if ((a.protocolMask & b.protocolMask) === 0) return false
  if (a.protocols === undefined || b.protocols === undefined) return true
  for (const p of b.protocols) if (a.protocols.has(p)) return true
  return false
}

const families = (bits: number): ReadonlyArray<0 | 1> => (bits === 1 ? [0] : bits === 2 ? [1] : [0, 1])

/** IPv4 pre-check on bounding boxes: false means "a cannot cover b by ranges" */
const boxCovers = (a: CompiledEndpoint, b: CompiledEndpoint): boolean => {
  const inner = b.upperBox4
  if (inner.length === 0) return true
  const outer = a.lowerBox4
  return outer.length !== 0 && outer[0] <= inner[0] && outer[1] >= inner[1]
}

const boxesMeet = (x: readonly [number, number] | readonly [], y: readonly [number, number] | readonly []): boolean =>
  x.length !== 0 && y.length !== 0 && x[0] <= y[1] && y[0] <= x[1]

const addressesCover = (a: CompiledEndpoint, b: CompiledEndpoint, fams: ReadonlyArray<0 | 1>): boolean => {
  if (a.addresses.any && !a.invert) return true
  if (fams[0] === 0 && !boxCovers(a, b) && b.addresses.tokens.length === 0 && a.addresses.tokens.length === 0) {
    return false
  }
  if (fams.every((f) => (f === 0 ? R.isSubsetNumber(b.upper4, a.lower4) : R.isSubset(b.upper[f], a.lower[f])))) {
    return true
  }
  // opaque parts: the same alias or interface net covers itself
  if (a.invert !== b.invert) return false
  const [inner, outer] = a.invert ? [a.addresses, b.addresses] : [b.addresses, a.addresses]
  return subsetTokens(inner.tokens, outer.tokens) &&
    fams.every((f) => R.isSubset(f === 0 ? inner.v4 : inner.v6, f === 0 ? outer.v4 : outer.v6))
}

const addressesOverlap = (a: CompiledEndpoint, b: CompiledEndpoint, fams: ReadonlyArray<0 | 1>): boolean =>
  (fams.length === 1 && fams[0] === 0 && !boxesMeet(a.upperBox4, b.upperBox4))
    ? false
    : fams.some((f) => (f === 0 ? R.intersectsNumber(a.upper4, b.upper4) : R.intersects(a.upper[f], b.upper[f])))

const addressesCertainlyOverlap = (a: CompiledEndpoint, b: CompiledEndpoint, fams: ReadonlyArray<0 | 1>): boolean =>
  (fams.length === 1 && fams[0] === 0 && !boxesMeet(a.lowerBox4, b.lowerBox4) && a.addresses.tokens.length === 0) ?
    false :
    fams.some((f) => (f === 0 ? R.intersectsNumber(a.lower4, b.lower4) : R.intersects(a.lower[f], b.lower[f]))) ||
    (!a.invert && !b.invert && a.addresses.tokens.some((t) => b.addresses.tokens.includes(t)))

const portsCover = (a: CompiledEndpoint, b: CompiledEndpoint): boolean =>
  a.port.any || (!b.port.any && R.isSubsetNumber(b.ports, a.ports) && subsetTokens(b.port.tokens, a.port.tokens))

const portsOverlap = (a: CompiledEndpoint, b: CompiledEndpoint): boolean =>
  a.port.any || b.port.any || a.port.tokens.length > 0 || b.port.tokens.length > 0 ||
  R.intersectsNumber(a.ports, b.ports)

const portsCertainlyOverlap = (a: CompiledEndpoint, b: CompiledEndpoint): boolean =>
  a.port.any || b.port.any || R.intersectsNumber(a.ports, b.ports) ||
  a.port.tokens.some((t) => b.port.tokens.includes(t))

/** A matches every packet that B matches. */
export const covers = (a: CompiledRule, b: CompiledRule): boolean => {
  if ((a.families & b.families) !== b.families) return false
  if (
    b.families === 1 && !a.destination.addresses.any && !boxCovers(a.destination, b.destination) &&
    a.destination.addresses.tokens.length === 0 && b.destination.addresses.tokens.length === 0 &&
    !a.destination.invert && !b.destination.invert
  ) return false
  if (a.direction !== "any" && a.direction !== b.direction) return false
  if (!protocolsCover(a, b)) return false
  if (!portsCover(a.destination, b.destination) || !portsCover(a.source, b.source)) return false
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
  if (!portsOverlap(a.destination, b.destination) || !portsOverlap(a.source, b.source)) return false
  if (!interfacesOverlap(a.interfaces, b.interfaces)) return false
  const fams = families(common)
  return addressesOverlap(a.destination, b.destination, fams) && addressesOverlap(a.source, b.source, fams)
}

/** A and B certainly match a common packet. */
export const certainlyOverlap = (a: CompiledRule, b: CompiledRule): boolean => {
  const common = a.families & b.families
  if (common === 0 || !directionsOverlap(a, b) || !protocolsOverlap(a, b)) return false
  if (!portsCertainlyOverlap(a.destination, b.destination) || !portsCertainlyOverlap(a.source, b.source)) {
    return false
  }
  if (!interfacesOverlap(a.interfaces, b.interfaces)) return false
  const fams = families(common)
  return addressesCertainlyOverlap(a.destination, b.destination, fams) &&
    addressesCertainlyOverlap(a.source, b.source, fams)
}

/**
 * Turning what a rule names (addresses, CIDRs, aliases, interface nets, "(self)", ports, port
 * aliases) into interval sets. What cannot be known offline (URL, GeoIP, ASN aliases, hostnames,
 * interface nets without a known subnet) becomes an opaque token: a packet "may match" it, and two
 * rules naming the same token are known to cover each other.
 */
import { normalizePort } from "../Domain/Normalize.ts"
import type { AliasType } from "../Kinds/Alias/Spec.ts"
import type { InterfaceNet, ManagementPath, PolicyAlias } from "./Domain.ts"
import * as R from "./Ranges.ts"

export interface AddressSet {
  readonly v4: R.Ranges
  readonly v6: R.Ranges
  /** opaque parts, human-readable ("geoip alias geo_cn", "lan net (subnet unknown)"), sorted */
  readonly tokens: ReadonlyArray<string>
  /** the rule said "any" */
  readonly any: boolean
}

export interface PortSet {
  readonly ranges: R.Ranges
  readonly tokens: ReadonlyArray<string>
  readonly any: boolean
}

export const ANY_ADDRESS: AddressSet = { v4: R.full(R.V4_MAX), v6: R.full(R.V6_MAX), tokens: [], any: true }
export const ANY_PORT: PortSet = { ranges: [{ lo: 0n, hi: R.PORT_MAX }], tokens: [], any: true }
const EMPTY_ADDRESS: AddressSet = { v4: [], v6: [], tokens: [], any: false }

export const familyRanges = (set: AddressSet, family: R.Family): R.Ranges => (family === 4 ? set.v4 : set.v6)

const addressTypes: ReadonlySet<AliasType> = new Set(["host", "network", "networkgroup"])
const opaqueTypes: ReadonlySet<AliasType> = new Set([
  "url",
  "urltable",
  "urljson",
  "geoip",
  "asn",
  "mac",
  "dynipv6host",
  "authgroup",
  "external"
])

export interface ResolveContext {
  readonly aliases: ReadonlyMap<string, PolicyAlias>
  readonly interfaces: Readonly<Record<string, InterfaceNet>>
  /** names that are interfaces even without a known subnet (used in rules, groups, wan/lan/optN) */
  readonly interfaceNames: ReadonlySet<string>
  readonly management: ManagementPath | undefined
}

export interface Resolver {
  readonly addresses: (entries: ReadonlyArray<string>) => AddressSet
  readonly port: (port: string) => PortSet
  /** an alias resolved as addresses (for lint: empty and duplicate aliases) */
  readonly alias: (name: string) => AddressSet | PortSet | undefined
  /** problems met while resolving (cycles), by alias name */
  readonly problems: ReadonlyArray<string>
}

interface Builder {
  v4: Array<R.Interval>
  v6: Array<R.Interval>
  exclude4: Array<R.Interval>
  exclude6: Array<R.Interval>
  tokens: Set<string>
}

const newBuilder = (): Builder => ({ v4: [], v6: [], exclude4: [], exclude6: [], tokens: new Set() })

const finish = (b: Builder): AddressSet => ({
  v4: R.subtract(R.normalise(b.v4), R.normalise(b.exclude4), R.V4_MAX),
  v6: R.subtract(R.normalise(b.v6), R.normalise(b.exclude6), R.V6_MAX),
  tokens: [...b.tokens].sort(),
  any: false
})

const addSet = (b: Builder, set: AddressSet) => {
  b.v4.push(...set.v4)
  b.v6.push(...set.v6)
  for (const t of set.tokens) b.tokens.add(t)
}

const addBlocks = (b: Builder, texts: ReadonlyArray<string>, token: string) => {
  for (const text of texts) {
    const block = R.parseBlock(text)
    if (block === undefined) b.tokens.add(token)
    else (block.family === 4 ? b.v4 : b.v6).push(block.interval)
  }
}

export const makeResolver = (ctx: ResolveContext): Resolver => {
  const addressCache = new Map<string, AddressSet>()
  const portCache = new Map<string, PortSet>()
  const problems: Array<string> = []
  const resolving = new Set<string>()

  const interfaceNet = (b: Builder, name: string) => {
    const networks = ctx.interfaces[name]?.networks
    if (networks === undefined || networks.length === 0) b.tokens.add(`${name} net (subnet unknown)`)
    else addBlocks(b, networks, `${name} net (subnet unknown)`)
  }

  const interfaceAddress = (b: Builder, name: string) => {
    const addresses = [...(ctx.interfaces[name]?.addresses ?? [])]
    if (ctx.management?.interface === name && ctx.management.address !== undefined) {
      addresses.push(ctx.management.address)
    }
    addBlocks(b, addresses, `${name}ip (address unknown)`)
    if (addresses.length === 0) b.tokens.add(`${name}ip (address unknown)`)
  }

  const self = (b: Builder) => {
    const known = Object.values(ctx.interfaces).flatMap((i) => i.addresses ?? [])
    if (ctx.management?.address !== undefined) known.push(ctx.management.address)
    addBlocks(b, known, "(self)")
    const allKnown = ctx.interfaceNames.size > 0 &&
      [...ctx.interfaceNames].every((n) => (ctx.interfaces[n]?.addresses?.length ?? 0) > 0)
    if (!allKnown) b.tokens.add("(self)")
  }

  const aliasAddresses = (alias: PolicyAlias): AddressSet => {
    const cached = addressCache.get(alias.name)
    if (cached !== undefined) return cached
    const { type } = alias.spec
    let result: AddressSet
    if (!alias.spec.enabled) {
      result = EMPTY_ADDRESS
    } else if (opaqueTypes.has(type)) {
      result = { ...EMPTY_ADDRESS, tokens: [`${type} alias ${alias.name}`] }
    } else if (type === "internal") {
      const m = /^__(.+)_network$/.exec(alias.name)
      const b = newBuilder()
      if (m !== null) interfaceNet(b, m[1]!)
      else b.tokens.add(`internal alias ${alias.name}`)
      result = finish(b)
    } else if (type === "port") {
      result = { ...EMPTY_ADDRESS, tokens: [`port alias ${alias.name} used as an address`] }
    } else if (resolving.has(alias.name)) {
      problems.push(`alias ${alias.name} contains itself (nesting cycle); treated as opaque`)
      return { ...EMPTY_ADDRESS, tokens: [`alias ${alias.name} (nesting cycle)`] }
    } else {
      resolving.add(alias.name)
      const b = newBuilder()
      for (const entry of alias.spec.content) addEntry(b, entry, type)
      resolving.delete(alias.name)
      result = finish(b)
    }
    addressCache.set(alias.name, result)
    return result
  }

  const addEntry = (b: Builder, rawEntry: string, within: AliasType | "rule") => {
    const entry = rawEntry.trim()
    if (entry.startsWith("!") && within !== "rule") {
      const block = R.parseBlock(entry.slice(1))
      if (block !== undefined) (block.family === 4 ? b.exclude4 : b.exclude6).push(block.interval)
      else b.tokens.add(`exclusion ${entry}`)
      return
    }
    const block = R.parseBlock(entry)
    if (block !== undefined) {
      ;(block.family === 4 ? b.v4 : b.v6).push(block.interval)
      return
    }
    const alias = ctx.aliases.get(entry)
    if (alias !== undefined) return addSet(b, aliasAddresses(alias))
    if (within === "rule" || within === "host" || within === "network") {
      if (entry === "(self)") return self(b)
      if (entry.endsWith("ip") && ctx.interfaceNames.has(entry.slice(0, -2))) {
        return interfaceAddress(b, entry.slice(0, -2))
      }
      if (ctx.interfaceNames.has(entry)) return interfaceNet(b, entry)
    }
    if (within === "host" && /^[A-Za-z0-9.-]+$/.test(entry)) {
      b.tokens.add(`hostname ${entry} (resolved by DNS on the firewall)`)
    } else b.tokens.add(`unknown name ${entry}`)
  }

  const addresses = (entries: ReadonlyArray<string>): AddressSet => {
    if (entries.length === 0) return ANY_ADDRESS
    if (entries.length === 1) {
      const alias = ctx.aliases.get(entries[0]!)
      if (alias !== undefined && addressTypes.has(alias.spec.type)) return aliasAddresses(alias)
    }
    const b = newBuilder()
    for (const entry of entries) addEntry(b, entry, "rule")
    return finish(b)
  }

  const portAlias = (alias: PolicyAlias): PortSet => {
    const cached = portCache.get(alias.name)
    if (cached !== undefined) return cached
    if (!alias.spec.enabled) return { ranges: [], tokens: [], any: false }
    if (alias.spec.type !== "port") {
      return { ranges: [], tokens: [`${alias.spec.type} alias ${alias.name} used as a port`], any: false }
    }
    if (resolving.has(alias.name)) {
      problems.push(`port alias ${alias.name} contains itself (nesting cycle); treated as opaque`)
      return { ranges: [], tokens: [`port alias ${alias.name} (nesting cycle)`], any: false }
    }
    resolving.add(alias.name)
    const ranges: Array<R.Interval> = []
    const tokens = new Set<string>()
    for (const entry of alias.spec.content) {
      const direct = R.parsePortRange(entry)
      if (direct !== undefined) {
        ranges.push(direct)
        continue
      }
      const nested = ctx.aliases.get(entry.trim())
      if (nested !== undefined) {
        const set = portAlias(nested)
        ranges.push(...set.ranges)
        for (const t of set.tokens) tokens.add(t)
        continue
      }
      const normal = normalizePort(entry)
      const parsed = normal._tag === "Port" ? R.parsePortRange(normal.value) : undefined
      if (parsed !== undefined) ranges.push(parsed)
      else tokens.add(`unknown port ${entry.trim()}`)
    }
    resolving.delete(alias.name)
    const result: PortSet = { ranges: R.normalise(ranges), tokens: [...tokens].sort(), any: false }
    portCache.set(alias.name, result)
    return result
  }

  const port = (text: string): PortSet => {
    if (text === "") return ANY_PORT
    if (text.includes(",")) {
      // legacy and automatic rules carry port lists ("22,80,443")
      const parts = text.split(",").map((p) => port(p.trim()))
      return {
        ranges: R.normalise(parts.flatMap((p) => p.ranges)),
        tokens: [...new Set(parts.flatMap((p) => p.tokens))].sort(),
        any: parts.some((p) => p.any)
      }
    }
    const direct = R.parsePortRange(text)
    if (direct !== undefined) return { ranges: [direct], tokens: [], any: false }
    const alias = ctx.aliases.get(text)
    if (alias !== undefined) return portAlias(alias)
    return { ranges: [], tokens: [`unknown port ${text}`], any: false }
  }

  const alias = (name: string): AddressSet | PortSet | undefined => {
    const found = ctx.aliases.get(name)
    if (found === undefined) return undefined
    return found.spec.type === "port" ? portAlias(found) : aliasAddresses(found)
  }

  return { addresses, port, alias, problems }
}

/**
 * Canonical specs back to the friendly YAML people write: used by `import` to adopt a firewall
 * and by propose_change to turn a spec into an item. Defaults are left out, so the output reads
 * like hand-written files; loading it gives back exactly the same canonical specs.
 */
import { Document, isMap, isScalar, isSeq, visit } from "yaml"
import type { Intent } from "../Domain/Intent.ts"
import type { AliasSpec, Endpoint, RuleSpec, VlanSpec } from "../Domain/Model.ts"

export type FriendlyItem = { readonly name: string } & Readonly<Record<string, unknown>>

const numeric = (value: string): string | number => (/^[1-9]\d{0,9}$/.test(value) ? Number(value) : value)

export const friendlyVlan = (name: string, spec: VlanSpec): FriendlyItem => ({
  name,
  parent: spec.parent,
  tag: spec.tag,
  ...(spec.priority !== 0 ? { priority: spec.priority } : {}),
  ...(spec.proto !== "" ? { proto: spec.proto } : {}),
  ...(spec.description !== "" ? { description: spec.description } : {})
})

export const friendlyAlias = (spec: AliasSpec): FriendlyItem => {
  const frequency = Number(spec.updateFrequency)
  return {
    name: spec.name,
    type: spec.type,
    ...(spec.content.length > 0
      ? { content: spec.content.map((c) => (spec.type === "port" || spec.type === "asn" ? numeric(c) : c)) }
      : {}),
    ...(spec.updateFrequency !== "" && Number.isFinite(frequency) ? { update_frequency: frequency } : {}),
    ...(!spec.enabled ? { enabled: false } : {}),
    ...(spec.description !== "" ? { description: spec.description } : {}),
    ...(spec.categories.length > 0 ? { categories: [...spec.categories] } : {})
  }
}

const friendlyEndpoint = (endpoint: Endpoint): unknown => {
  const { addresses, port, invert } = endpoint
  const address = addresses.length === 1 ? addresses[0] : addresses.length > 1 ? [...addresses] : undefined
  if (port === "" && !invert) return address
  return {
    ...(address !== undefined ? { address } : {}),
    ...(port !== "" ? { port: numeric(port) } : {}),
    ...(invert ? { invert: true } : {})
  }
}

const ipVersions = { inet: "ipv4", inet6: "ipv6", inet46: "ipv4+ipv6" } as const

export const friendlyRule = (name: string, spec: RuleSpec): FriendlyItem => {
  const source = friendlyEndpoint(spec.source)
  const destination = friendlyEndpoint(spec.destination)
  return {
    name,
    action: spec.action,
    interface: spec.interfaces.length === 0
      ? "floating"
      : spec.interfaces.length === 1
      ? spec.interfaces[0]
      : [...spec.interfaces],
    ...(spec.interfaceInvert ? { interface_invert: true } : {}),
    ...(spec.direction !== "in" ? { direction: spec.direction } : {}),
    ...(spec.ipVersion !== "inet" ? { ip_version: ipVersions[spec.ipVersion] } : {}),
    ...(spec.protocol !== "any" ? { protocol: spec.protocol.toLowerCase() } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(destination !== undefined ? { destination } : {}),
    ...(spec.log ? { log: true } : {}),
    ...(!spec.quick ? { quick: false } : {}),
    ...(!spec.enabled ? { enabled: false } : {}),
    ...(spec.gateway !== "" ? { gateway: spec.gateway } : {}),
    ...(spec.description !== "" ? { description: spec.description } : {}),
    ...(spec.categories.length > 0 ? { categories: [...spec.categories] } : {})
  }
}

/** Short lists and endpoint mappings in flow style (`[a, b]`, `{ address: x, port: 53 }`), like the examples. */
export const styleItemNodes = (doc: Document): void => {
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : ""
      if ((key === "source" || key === "destination") && isMap(pair.value)) pair.value.flow = true
      if (
        (key === "content" || key === "interface" || key === "categories" || key === "address") && isSeq(pair.value)
      ) {
        pair.value.flow = pair.value.items.length <= 8
      }
    }
  })
}

export interface RenderInput {
  readonly vlans?: ReadonlyArray<{ readonly name: string; readonly spec: VlanSpec }>
  readonly aliases?: ReadonlyArray<{ readonly spec: AliasSpec }>
  /** in evaluation order */
  readonly rules?: ReadonlyArray<{ readonly name: string; readonly spec: RuleSpec }>
  /** written as they were read (Intents.ts), so the site reads back with the same digest */
  readonly intents?: ReadonlyArray<Intent> | undefined
}

const friendlyIntent = (intent: Intent): FriendlyItem => ({
  name: intent.name,
  from: intent.from,
  to: intent.to,
  ...(intent.protocol !== undefined ? { protocol: intent.protocol } : {}),
  ...(intent.port !== undefined ? { port: numeric(intent.port) } : {}),
  ...(intent.interface !== undefined ? { interface: intent.interface } : {}),
  expect: intent.expect
})

/** One YAML file holding the given items; kinds without items are left out. */
export const renderYaml = (input: RenderInput, options: { readonly header?: string } = {}): string => {
  const content = {
    ...(input.vlans !== undefined && input.vlans.length > 0
      ? { vlans: input.vlans.map((v) => friendlyVlan(v.name, v.spec)) }
      : {}),
    ...(input.aliases !== undefined && input.aliases.length > 0
      ? { aliases: input.aliases.map((a) => friendlyAlias(a.spec)) }
      : {}),
    ...(input.rules !== undefined && input.rules.length > 0
      ? { rules: input.rules.map((r) => friendlyRule(r.name, r.spec)) }
      : {}),
    ...(input.intents !== undefined && input.intents.length > 0
      ? { intents: input.intents.map(friendlyIntent) }
      : {})
  }
  const doc = new Document(content)
  styleItemNodes(doc)
  if (options.header !== undefined) doc.commentBefore = options.header.split("\n").map((l) => ` ${l}`).join("\n")
  return doc.toString({ lineWidth: 0 })
}

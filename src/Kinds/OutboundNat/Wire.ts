/**
 * Outbound NAT rules (`firewall/source_nat`, Filter.xml `snatrules.rule`): wire rows → live
 * objects, spec → wire body. Rows come raw from `search_rule` or `download_rules`, or as option
 * maps from the whole Filter model `get` (Client.ts says which, per version); `single`/`text` read
 * both.
 *
 * From 26.1.11 `search_rule` also returns display-only automatic rows (`is_automatic`, ids such
 * as `automatic_wan`; opnsense/core 26.1.11, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/SourceNatController.php
 * getAutomaticOutboundNatRules). The client reads `download_rules` there, which has none; a row
 * that says it is automatic is kept as origin "automatic" all the same: read-only, never managed.
 */
import * as Schema from "effect/Schema"
import type { FirmwareVersion, Origin } from "../../Domain/Model.ts"
import { normalizeProtocol } from "../../Domain/Normalize.ts"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { atLeast } from "../../Opnsense/Version.ts"
import { bool, Field, itemEntries, ItemMap, searchEnvelope, single, text, wireFields } from "../../Opnsense/Wire.ts"
import { endpointFields } from "../Ordered.ts"
import { canonicalAddress, canonicalPort } from "./Address.ts"
import type { LiveOutboundNat, NatEndpoint, OutboundNatSpec } from "./Spec.ts"

export const base = "firewall/source_nat"
export const wrapper = "rule"

const Fields = wireFields([
  "enabled",
  "nonat",
  "sequence",
  "interface",
  "ipprotocol",
  "protocol",
  ...endpointFields,
  "target",
  "target_port",
  "staticnatport",
  "log",
  "description",
  "is_automatic"
])
const Row = Schema.Struct({ uuid: Schema.String, ...Fields })
export const SearchResponse = searchEnvelope(Row)

const Item = Schema.Struct(Fields)
/** The whole Filter model (`firewall/filter/get` before 26.1): only `snatrules` is read. */
export const ModelResponse = Schema.Struct({
  filter: Schema.Struct({
    snatrules: Schema.Union([Schema.Struct({ rule: ItemMap(Item) }), Schema.Array(Schema.Unknown)])
  })
})

/** `{"filter":{"general":{"snat_mode":{…}}}}`: the outbound NAT mode (26.1.11+ whole model, 26.7 source_nat/get). */
export const GeneralResponse = Schema.Struct({
  filter: Schema.Struct({
    general: Schema.optional(Schema.Struct({ snat_mode: Schema.optional(Field) }))
  })
})

const endpoint = (net: Field | undefined, not: Field | undefined, port: Field | undefined): NatEndpoint => ({
  address: canonicalAddress(text(net)),
  invert: bool(not),
  port: canonicalPort(text(port))
})

const toLive = (uuid: string, item: typeof Item.Type): LiveOutboundNat => {
  const origin: Origin = bool(item.is_automatic) ? "automatic" : "mvc"
  const marked = parseMarker(text(item.description))
  const sequence = Number(text(item.sequence))
  const spec: OutboundNatSpec = {
    enabled: bool(item.enabled, true),
    noNat: bool(item.nonat),
    interface: single(item.interface),
    ipVersion: single(item.ipprotocol) === "inet6" ? "inet6" : "inet",
    protocol: normalizeProtocol(single(item.protocol)),
    source: endpoint(item.source_net, item.source_not, item.source_port),
    destination: endpoint(item.destination_net, item.destination_not, item.destination_port),
    target: canonicalAddress(text(item.target)),
    targetPort: canonicalPort(text(item.target_port)),
    // absent before 26.1.5 (Filter.xml): no static-port there
    staticPort: bool(item.staticnatport),
    log: bool(item.log),
    description: marked.description
  }
  return {
    uuid,
    origin,
    ...(marked.owner !== undefined && origin === "mvc" ? { owner: marked.owner } : {}),
    sequence: Number.isFinite(sequence) ? sequence : 0,
    spec
  }
}

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LiveOutboundNat> =>
  response.rows.map((row) => toLive(row.uuid, row))

/** download_rules records (column → raw value), keyed by `@uuid`. */
export const fromCsv = (records: ReadonlyArray<Readonly<Record<string, string>>>): ReadonlyArray<LiveOutboundNat> =>
  records.map((r) => toLive(r["@uuid"] ?? "", r))

export const fromModel = (response: typeof ModelResponse.Type): ReadonlyArray<LiveOutboundNat> => {
  const rules = response.filter.snatrules
  return Array.isArray(rules) || !("rule" in rules) ? [] : itemEntries(rules.rule).map(([u, i]) => toLive(u, i))
}

const net = (address: string) => (address === "" ? "any" : address)

/** Whether the version's model has `staticnatport` (opnsense/core 26.1.5: Filter.xml; not at 26.1.4). */
export const hasStaticPort = (v: FirmwareVersion): boolean => atLeast(v, 26, 1, 5)

/** What of a spec the version's model cannot hold (Kind.unsupported). */
export const lacking = (spec: OutboundNatSpec, v: FirmwareVersion): ReadonlyArray<string> =>
  spec.staticPort && !hasStaticPort(v) ? ["static_port (snatrules.rule.staticnatport, 26.1.5+)"] : []

export const toWire = (spec: OutboundNatSpec, owner: string, sequence: number, version: FirmwareVersion) => ({
  [wrapper]: {
    enabled: spec.enabled ? "1" : "0",
    nonat: spec.noNat ? "1" : "0",
    sequence: String(sequence),
    interface: spec.interface,
    ipprotocol: spec.ipVersion,
    protocol: spec.protocol,
    source_net: net(spec.source.address),
    source_not: spec.source.invert ? "1" : "0",
    source_port: spec.source.port,
    destination_net: net(spec.destination.address),
    destination_not: spec.destination.invert ? "1" : "0",
    destination_port: spec.destination.port,
    target: spec.target,
    target_port: spec.targetPort,
    ...(hasStaticPort(version) ? { staticnatport: spec.staticPort ? "1" : "0" } : {}),
    log: spec.log ? "1" : "0",
    description: withMarker(spec.description, owner)
  }
})

/**
 * 1:1 NAT entries (`firewall/one_to_one`, Filter.xml `onetoone.rule`): search rows → live
 * objects, spec → wire body. `search_rule` is searchBase over every field (opnsense/core 25.7,
 * 26.1.5, 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/OneToOneController.php
 * searchRuleAction), raw from 25.7; before, its rows hold labels, so the whole Filter model
 * (`one_to_one/get`, option maps) is read instead.
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { bool, itemEntries, ItemMap, searchEnvelope, single, text, wireFields } from "../../Opnsense/Wire.ts"
import { canonicalAddress } from "../OutboundNat/Address.ts"
import type { LiveOneToOne, OneToOneSpec } from "./Spec.ts"

export const base = "firewall/one_to_one"
export const wrapper = "rule"

const Fields = wireFields([
  "enabled",
  "log",
  "sequence",
  "interface",
  "type",
  "source_net",
  "source_not",
  "destination_net",
  "destination_not",
  "external",
  "natreflection",
  "description"
])
const Row = Schema.Struct({ uuid: Schema.String, ...Fields })
export const SearchResponse = searchEnvelope(Row)

const Item = Schema.Struct(Fields)
/** The whole Filter model (`one_to_one/get`): only `onetoone` is read. */
export const ModelResponse = Schema.Struct({
  filter: Schema.Struct({
    onetoone: Schema.Union([Schema.Struct({ rule: ItemMap(Item) }), Schema.Array(Schema.Unknown)])
  })
})

const reflection = (raw: string): OneToOneSpec["natReflection"] => raw === "enable" || raw === "disable" ? raw : ""

const toLive = (uuid: string, row: typeof Item.Type): LiveOneToOne => {
  const marked = parseMarker(text(row.description))
  const sequence = Number(text(row.sequence))
  return {
    uuid,
    origin: "mvc",
    ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
    sequence: Number.isFinite(sequence) ? sequence : 0,
    spec: {
      enabled: bool(row.enabled, true),
      interface: single(row.interface),
      type: single(row.type) === "nat" ? "nat" : "binat",
      internal: canonicalAddress(text(row.source_net)),
      internalInvert: bool(row.source_not),
      external: canonicalAddress(text(row.external)),
      destination: canonicalAddress(text(row.destination_net)),
      destinationInvert: bool(row.destination_not),
      natReflection: reflection(single(row.natreflection)),
      log: bool(row.log),
      description: marked.description
    }
  }
}

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LiveOneToOne> =>
  response.rows.map((row) => toLive(row.uuid, row))

export const fromModel = (response: typeof ModelResponse.Type): ReadonlyArray<LiveOneToOne> => {
  const rules = response.filter.onetoone
  return Array.isArray(rules) || !("rule" in rules) ? [] : itemEntries(rules.rule).map(([u, i]) => toLive(u, i))
}

const net = (address: string) => (address === "" ? "any" : address)

export const toWire = (spec: OneToOneSpec, owner: string, sequence: number) => ({
  [wrapper]: {
    enabled: spec.enabled ? "1" : "0",
    log: spec.log ? "1" : "0",
    sequence: String(sequence),
    interface: spec.interface,
    type: spec.type,
    source_net: net(spec.internal),
    source_not: spec.internalInvert ? "1" : "0",
    destination_net: net(spec.destination),
    destination_not: spec.destinationInvert ? "1" : "0",
    external: spec.external,
    natreflection: spec.natReflection,
    description: withMarker(spec.description, owner)
  }
})

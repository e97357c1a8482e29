/**
 * 1:1 NAT entries (`firewall/one_to_one`, Filter.xml `onetoone.rule`): search rows → live
 * objects, spec → wire body. `search_rule` is searchBase over every field with raw values at
 * every supported version (opnsense/core 25.7, 26.1.5, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/OneToOneController.php searchRuleAction).
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { bool, Field, searchEnvelope, single, text } from "../../Opnsense/Wire.ts"
import { canonicalAddress } from "../OutboundNat/Address.ts"
import type { LiveOneToOne, OneToOneSpec } from "./Spec.ts"

export const base = "firewall/one_to_one"
export const wrapper = "rule"

const Row = Schema.Struct({
  uuid: Schema.String,
  enabled: Schema.optional(Field),
  log: Schema.optional(Field),
  sequence: Schema.optional(Field),
  interface: Schema.optional(Field),
  type: Schema.optional(Field),
  source_net: Schema.optional(Field),
  source_not: Schema.optional(Field),
  destination_net: Schema.optional(Field),
  destination_not: Schema.optional(Field),
  external: Schema.optional(Field),
  natreflection: Schema.optional(Field),
  description: Schema.optional(Field)
})
export const SearchResponse = searchEnvelope(Row)

const reflection = (raw: string): OneToOneSpec["natReflection"] => raw === "enable" || raw === "disable" ? raw : ""

const toLive = (row: typeof Row.Type): LiveOneToOne => {
  const marked = parseMarker(text(row.description))
  const sequence = Number(text(row.sequence))
  return {
    uuid: row.uuid,
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
  response.rows.map(toLive)

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

/**
 * Port forwards (`firewall/d_nat`, 26.1+): wire rows → LivePortForward, spec → wire body.
 *
 * search_rule (opnsense/core 26.1 … 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/DNatController.php
 * searchRuleAction → searchBase) answers every row with raw values and container members flattened
 * to dotted keys (`source.network`, `destination.port`; Base/UIModelGrid.php fetch). `category` holds
 * category names (FieldTypes/CategoryField.php), `disabled` is the inverted enable toggle, the
 * protocol is lower-case (DNat.xml ChangeCase lower; "" = any). When the anti-lockout is on,
 * the rows start with synthetic `lockout_<n>` entries (nordr, tcp to the interface address): they
 * are pf's first redirect rules, kept as read-only "automatic" objects.
 */
import * as Schema from "effect/Schema"
import { normalizeAddresses, normalizePort, normalizeProtocol, sortedSet } from "../../Domain/Normalize.ts"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { bool, Field, searchEnvelope, selectedSet, single, text } from "../../Opnsense/Wire.ts"
import type { FilterRuleMode, ForwardIpVersion, LivePortForward, NatReflection, PortForwardSpec } from "./Spec.ts"

export const base = "firewall/d_nat"
export const wrapper = "rule"

const f = Schema.optional(Field)
const Row = Schema.Struct({
  uuid: Schema.String,
  sequence: f,
  disabled: f,
  nordr: f,
  interface: f,
  ipprotocol: f,
  protocol: f,
  "source.network": f,
  "source.not": f,
  "source.port": f,
  "destination.network": f,
  "destination.not": f,
  "destination.port": f,
  target: f,
  "local-port": f,
  poolopts: f,
  log: f,
  category: f,
  descr: f,
  tag: f,
  tagged: f,
  nosync: f,
  natreflection: f,
  pass: f,
  is_automatic: f
})
type Row = typeof Row.Type
export const SearchResponse = searchEnvelope(Row)

const addresses = (field: Field | undefined): ReadonlyArray<string> =>
  normalizeAddresses(text(field).split(",").filter((a) => a.trim() !== ""))

const port = (field: Field | undefined): string => {
  const result = normalizePort(text(field))
  return result._tag === "Invalid" ? text(field) : result.value
}

const ipVersion = (raw: string): ForwardIpVersion => raw === "inet" || raw === "inet6" || raw === "inet46" ? raw : "any"

const reflection = (raw: string): NatReflection =>
  raw === "purenat" || raw === "enable" ? "enable" : raw === "disable" ? "disable" : "default"

const filterRule = (raw: string): FilterRuleMode => (raw === "pass" ? "pass" : raw === "rule" ? "register" : "manual")

const isAutomatic = (row: Row) => row.uuid.startsWith("lockout_") || bool(row.is_automatic)

const toLive = (row: Row): LivePortForward => {
  const marked = parseMarker(text(row.descr))
  const automatic = isAutomatic(row)
  const spec: PortForwardSpec = {
    enabled: !bool(row.disabled),
    noRdr: bool(row.nordr),
    interfaces: selectedSet(row.interface),
    ipVersion: ipVersion(single(row.ipprotocol)),
    protocol: normalizeProtocol(single(row.protocol)),
    source: {
      addresses: addresses(row["source.network"]),
      invert: bool(row["source.not"]),
      port: port(row["source.port"])
    },
    destination: {
      addresses: addresses(row["destination.network"]),
      invert: bool(row["destination.not"]),
      port: port(row["destination.port"])
    },
    target: text(row.target).trim(),
    localPort: port(row["local-port"]),
    poolOptions: single(row.poolopts),
    filterRule: filterRule(single(row.pass)),
    natReflection: reflection(single(row.natreflection)),
    log: bool(row.log),
    tag: text(row.tag),
    tagged: text(row.tagged),
    noSync: bool(row.nosync),
    description: marked.description,
    categories: sortedSet(selectedSet(row.category))
  }
  const sequence = Number(text(row.sequence))
  return {
    uuid: row.uuid,
    origin: automatic ? "automatic" : "mvc",
    ...(marked.owner !== undefined && !automatic ? { owner: marked.owner } : {}),
    // the anti-lockout entries come before every port forward (filter.inc registers them at 300, ours at 600)
    sequence: automatic ? 0 : Number.isFinite(sequence) ? sequence : 0,
    spec
  }
}

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LivePortForward> =>
  response.rows.map(toLive)

const net = (list: ReadonlyArray<string>) => (list.length === 0 ? "any" : list.join(","))

const reflectionWire: Readonly<Record<NatReflection, string>> = { default: "", enable: "purenat", disable: "disable" }
const passWire: Readonly<Record<FilterRuleMode, string>> = { manual: "", pass: "pass", register: "rule" }

/** The set_rule/add_rule body: containers nested, as setBase hands them to the model's setNodes. */
export const toWire = (spec: PortForwardSpec, owner: string, sequence: number) => ({
  [wrapper]: {
    sequence: String(sequence),
    disabled: spec.enabled ? "0" : "1",
    nordr: spec.noRdr ? "1" : "0",
    interface: spec.interfaces.join(","),
    ipprotocol: spec.ipVersion === "any" ? "" : spec.ipVersion,
    protocol: spec.protocol === "any" ? "" : spec.protocol.toLowerCase(),
    source: { network: net(spec.source.addresses), not: spec.source.invert ? "1" : "0", port: spec.source.port },
    destination: {
      network: net(spec.destination.addresses),
      not: spec.destination.invert ? "1" : "0",
      port: spec.destination.port
    },
    target: spec.target,
    "local-port": spec.localPort,
    poolopts: spec.poolOptions,
    log: spec.log ? "1" : "0",
    category: spec.categories.join(","),
    descr: withMarker(spec.description, owner),
    tag: spec.tag,
    tagged: spec.tagged,
    nosync: spec.noSync ? "1" : "0",
    natreflection: reflectionWire[spec.natReflection],
    pass: passWire[spec.filterRule]
  }
})

/** Only the sequence: setBase leaves the fields not posted as they are. */
export const sequenceOnly = (sequence: number) => ({ [wrapper]: { sequence: String(sequence) } })

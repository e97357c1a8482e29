/**
 * Filter rules (`firewall/filter`): wire rows → LiveRule, RuleSpec → wire body.
 *
 * Listing is one request either way (Version.ts `ruleListing`): search_rule without interface and
 * rowCount=-1 on 26.1.1+ (compact raw rows; on 26.1.10+/26.7 also the legacy and automatic rules,
 * kept as origin "legacy"/"automatic", read-only, whose interfaces come as descriptions and are
 * mapped back to identifiers with the interface list), or the whole-model `get` on 25.7 and 26.1.0
 * (where search without interface hides single-interface rules) and older versions (labels only).
 */
import * as Schema from "effect/Schema"
import type { LiveInterface, Origin } from "../../Domain/Model.ts"
import { normalizeAddresses, normalizePort, normalizeProtocol, sortedSet } from "../../Domain/Normalize.ts"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { toIdentifiers } from "../../Opnsense/Interfaces.ts"
import {
  bool,
  Field,
  itemEntries,
  ItemMap,
  searchEnvelope,
  selectedKeys,
  selectedLabels,
  selectedSet,
  single,
  text,
  wireFields
} from "../../Opnsense/Wire.ts"
import { endpointFields } from "../Ordered.ts"
import type { Direction, IpVersion, LiveRule, RuleAction, RuleSpec } from "./Spec.ts"

export const base = "firewall/filter"
export const wrapper = "rule"

const RuleFields = wireFields([
  "enabled",
  "sequence",
  "sort_order",
  "action",
  "quick",
  "interface",
  "interfacenot",
  "direction",
  "ipprotocol",
  "protocol",
  ...endpointFields,
  "log",
  "gateway",
  "description",
  "categories",
  "legacy",
  "is_automatic"
])
const RuleRow = Schema.Struct({ uuid: Schema.String, ...RuleFields })
export const SearchResponse = searchEnvelope(RuleRow)

const RuleItem = Schema.Struct(RuleFields)
export const ModelResponse = Schema.Struct({
  filter: Schema.Struct({
    rules: Schema.Union([Schema.Struct({ rule: ItemMap(RuleItem) }), Schema.Array(Schema.Unknown)])
  })
})

const oneOf = <const L extends string>(values: ReadonlyArray<L>, raw: string, fallback: L): L => {
  const lower = raw.toLowerCase()
  return values.find((v) => v === lower) ?? fallback
}

const addresses = (field: Field | undefined): ReadonlyArray<string> =>
  normalizeAddresses(typeof field === "object" && field !== null ? selectedKeys(field) : text(field).split(","))

const port = (field: Field | undefined): string => {
  const result = normalizePort(text(field))
  return result._tag === "Invalid" ? text(field) : result.value
}

const sequenceOf = (item: typeof RuleItem.Type): number => {
  const raw = Number(text(item.sequence))
  if (Number.isFinite(raw) && text(item.sequence) !== "") return raw
  // legacy rows: sort_order "<prio>.1<seq>"
  const match = /\.\d(\d+)$/.exec(text(item.sort_order))
  return match !== null ? Number(match[1]) : 0
}

const categoryNames = (field: Field | undefined, names: ReadonlyMap<string, string>): ReadonlyArray<string> => {
  const labelled = selectedLabels(field)
  if (labelled.length > 0) return sortedSet(labelled.map(([id, label]) => names.get(id) ?? label))
  const ids = selectedKeys(field)
  return ids.length === 0 ? ids : sortedSet(ids.map((id) => names.get(id) ?? id))
}

/**
 * A legacy row's ipprotocol: "" when the rule names no family, which means both (26.1.9+ gives ""
 * instead of leaving the key out; 26.1.0–26.1.8 rows, only seen with show_all, carried labels).
 * opnsense/core 26.7.2: src/opnsense/scripts/filter/list_non_mvc_rules.php
 */
const legacyIpVersion = (raw: string): IpVersion => {
  const value = raw.toLowerCase()
  if (value === "" || value === "ipv4+ipv6") return "inet46"
  if (value === "ipv4") return "inet"
  if (value === "ipv6") return "inet6"
  return oneOf<IpVersion>(["inet", "inet6", "inet46"], value, "inet46")
}

const toLive = (
  uuid: string,
  item: typeof RuleItem.Type,
  names: ReadonlyMap<string, string>,
  interfaces?: ReadonlyArray<LiveInterface>
): LiveRule => {
  const isLegacy = bool(item.legacy)
  const origin: Origin = !isLegacy ? "mvc" : bool(item.is_automatic) ? "automatic" : "legacy"
  const marked = parseMarker(text(item.description))
  const protocol = normalizeProtocol(single(item.protocol))
  const spec: RuleSpec = {
    enabled: bool(item.enabled, true),
    action: oneOf<RuleAction>(["pass", "block", "reject"], single(item.action), "pass"),
    quick: bool(item.quick, true),
    // legacy rows name interfaces by description (search_rule's getLegacyFieldMap, 26.1+)
    interfaces: isLegacy ? toIdentifiers(interfaces, selectedSet(item.interface)) : selectedSet(item.interface),
    interfaceInvert: bool(item.interfacenot),
    direction: oneOf<Direction>(["in", "out", "any"], single(item.direction), "in"),
    ipVersion: isLegacy
      ? legacyIpVersion(single(item.ipprotocol))
      : oneOf<IpVersion>(["inet", "inet6", "inet46"], single(item.ipprotocol), "inet"),
    protocol,
    source: { addresses: addresses(item.source_net), invert: bool(item.source_not), port: port(item.source_port) },
    destination: {
      addresses: addresses(item.destination_net),
      invert: bool(item.destination_not),
      port: port(item.destination_port)
    },
    log: bool(item.log),
    gateway: single(item.gateway),
    description: marked.description,
    categories: categoryNames(item.categories, names)
  }
  return {
    uuid,
    origin,
    // only API-managed rules can be ours; a marker in a legacy rule's description is not ownership
    ...(marked.owner !== undefined && origin === "mvc" ? { owner: marked.owner } : {}),
    sequence: sequenceOf(item),
    spec
  }
}

export const fromSearch = (
  response: typeof SearchResponse.Type,
  names: ReadonlyMap<string, string>,
  interfaces?: ReadonlyArray<LiveInterface>
): ReadonlyArray<LiveRule> => response.rows.map((row) => toLive(row.uuid, row, names, interfaces))

export const fromModel = (
  response: typeof ModelResponse.Type,
  names: ReadonlyMap<string, string>
): ReadonlyArray<LiveRule> => {
  const rules = response.filter.rules
  if (Array.isArray(rules) || !("rule" in rules)) return []
  return itemEntries(rules.rule).map(([uuid, item]) => toLive(uuid, item, names))
}

/** get_rule/{uuid}: `{"rule":{...}}`, or `[]` for an unknown uuid (fixture filter_getRule-unknown-uuid). */
export const GetResponse = Schema.Union([Schema.Struct({ rule: RuleItem }), Schema.Array(Schema.Unknown)])

export const fromGet = (
  uuid: string,
  response: typeof GetResponse.Type,
  names: ReadonlyMap<string, string>
): LiveRule | undefined => "rule" in response ? toLive(uuid, response.rule, names) : undefined

/**
 * savepoint (≤26.1) answers `{"status":"ok","retention":"60","revision":"<time>"}`. Recognised so the
 * shape is checked, but never used for safety: its automatic revert never fires on 25.7–26.1 and
 * the endpoint is gone in 26.7 (opnsense/core 26.1: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php
 * `savepointAction`, absent from 26.7.2); the reconciler reverts through core/backup.
 */
export const SavepointResponse = Schema.Struct({
  status: Schema.String,
  retention: Schema.optional(Schema.String),
  revision: Schema.String
})

const net = (addresses: ReadonlyArray<string>) => (addresses.length === 0 ? "any" : addresses.join(","))

export const toWire = (spec: RuleSpec, owner: string, sequence: number, categoryIds: ReadonlyArray<string>) => ({
  [wrapper]: {
    enabled: spec.enabled ? "1" : "0",
    sequence: String(sequence),
    action: spec.action,
    quick: spec.quick ? "1" : "0",
    interface: spec.interfaces.join(","),
    interfacenot: spec.interfaceInvert ? "1" : "0",
    direction: spec.direction,
    ipprotocol: spec.ipVersion,
    protocol: spec.protocol,
    source_net: net(spec.source.addresses),
    source_not: spec.source.invert ? "1" : "0",
    source_port: spec.source.port,
    destination_net: net(spec.destination.addresses),
    destination_not: spec.destination.invert ? "1" : "0",
    destination_port: spec.destination.port,
    log: spec.log ? "1" : "0",
    gateway: spec.gateway,
    description: withMarker(spec.description, owner),
    categories: categoryIds.join(",")
  }
})

/**
 * upload_rules CSV (26.1+): `;`-separated (importCsv takes the first `,` or `;` of the payload as
 * the separator, and the header's first one is a `;`), raw values, categories by name, every row
 * with its `@uuid`. PHP's fgetcsv treats `\` inside quotes as an escape that keeps the next
 * character (opnsense/core 26.7.2: ApiMutableModelControllerBase.php importCsv), so a quoted value
 * with a backslash does not survive the trip: `csvCarries` says which rows can go this way.
 */
const CSV_FIELDS = [
  "@uuid",
  "enabled",
  "sequence",
  "action",
  "quick",
  "interface",
  "interfacenot",
  "direction",
  "ipprotocol",
  "protocol",
  ...endpointFields,
  "log",
  "gateway",
  "description",
  "categories"
] as const

export interface CsvRow {
  readonly uuid: string
  readonly spec: RuleSpec
  readonly owner: string
  readonly sequence: number
}

const needsQuotes = (value: string) => /[;"\n\r]/.test(value)
const csvCell = (value: string) => (needsQuotes(value) ? `"${value.replace(/"/g, "\"\"")}"` : value)

const csvValues = (row: CsvRow): ReadonlyArray<string> => {
  const wire = toWire(row.spec, row.owner, row.sequence, [])[wrapper]
  const values: Record<(typeof CSV_FIELDS)[number], string> = {
    ...wire,
    "@uuid": row.uuid,
    categories: row.spec.categories.join(",")
  }
  return CSV_FIELDS.map((field) => values[field])
}

/** Whether every value of the row survives fgetcsv unchanged. */
export const csvCarries = (row: CsvRow): boolean =>
  csvValues(row).every((value) => !(value.includes("\\") && needsQuotes(value)))

export const toCsv = (rows: ReadonlyArray<CsvRow>): string =>
  [CSV_FIELDS.join(";"), ...rows.map((row) => csvValues(row).map(csvCell).join(";"))].join("\n")

/** Only `@uuid` and `sequence`: importRecordSet sets the columns given and leaves the rest of a rule as it is. */
export const toSequenceCsv = (rows: ReadonlyArray<CsvRow>): string =>
  ["@uuid;sequence", ...rows.map((row) => `${row.uuid};${row.sequence}`)].join("\n")

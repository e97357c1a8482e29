/**
 * Legacy `<filter><rule>` and automatic (system) rules. The MVC API does not manage them, but
 * `search_rule` lists them as read-only rows (always from 26.1.10, before only with show_all) with
 * real JSON booleans and a 32-hex pf label as `uuid`, translated for display by the controller.
 * opnsense/core 26.7.2: src/opnsense/scripts/filter/list_non_mvc_rules.php
 */
import { createHash } from "node:crypto"
import type { LegacyRule, SimulatorState } from "./State.ts"
import type { VersionProfile } from "./Version.ts"

export const legacyLabel = (seed: string): string => createHash("md5").update(seed).digest("hex")

export const defaultAutomaticRules = (): Array<LegacyRule> => [
  {
    label: legacyLabel("anti-lockout"),
    interface: "lan",
    action: "pass",
    protocol: "TCP",
    source: "any",
    destination: "(self)",
    destinationPort: "22,80,443",
    description: "Anti-Lockout Rule",
    automatic: true,
    prio: 100000,
    sequence: 1,
    log: false,
    quick: true
  },
  {
    label: legacyLabel("ipv6-rfc4890"),
    interface: "",
    action: "pass",
    protocol: "IPV6-ICMP",
    source: "any",
    destination: "any",
    destinationPort: "",
    description: "IPv6 RFC4890 requirements (ICMP)",
    automatic: true,
    prio: 100000,
    sequence: 2,
    log: false,
    quick: true
  },
  {
    label: legacyLabel("default-deny"),
    interface: "",
    action: "block",
    protocol: "any",
    source: "any",
    destination: "any",
    destinationPort: "",
    description: "Default deny / state violation rule",
    automatic: true,
    prio: 100000,
    sequence: 3,
    log: true,
    quick: false
  }
]

/** A legacy row as `filter list non_mvc_rules` gives it, before search_rule translates it. */
const rawRow = (r: LegacyRule, v: VersionProfile): Record<string, unknown> => {
  const row: Record<string, unknown> = {
    uuid: r.label,
    enabled: "1",
    legacy: true,
    is_automatic: r.automatic,
    sequence: String(r.sequence),
    sort_order: `${r.prio}.1${String(r.sequence).padStart(6, "0")}`,
    prio_group: String(r.prio),
    action: r.action,
    quick: r.quick,
    interface: r.interface,
    direction: "in",
    protocol: r.protocol === "any" ? "" : r.protocol.toLowerCase(),
    source_net: r.source,
    source_not: false,
    source_port: "",
    destination_net: r.destination,
    destination_not: false,
    destination_port: r.destinationPort,
    log: r.log,
    disablereplyto: 1,
    "#priority": 1,
    description: r.description,
    category_colors: []
  }
  if (v.legacyFieldMap === "twins") {
    // 26.1.9+: "The %fields need translations in the controller"; ipprotocol '' when the rule names none
    row["ipprotocol"] = r.ipprotocol ?? ""
    row["%direction"] = row["direction"]
    row["%action"] = row["action"]
    row["%ipprotocol"] = row["ipprotocol"]
    row["%protocol"] = String(row["protocol"]).toUpperCase()
  } else if (r.ipprotocol !== undefined) {
    // 26.1.3–26.1.8: no default for ipprotocol (26.1–26.1.2 defaulted it to inet)
    row["ipprotocol"] = r.ipprotocol
  }
  return row
}

const LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  action: { block: "Block", pass: "Pass", reject: "Reject" },
  direction: { in: "In", out: "Out", any: "Any" },
  ipprotocol: { inet: "IPv4", inet6: "IPv6", inet46: "" }
}

/**
 * search_rule's getLegacyFieldMap, applied to legacy rows only: every comma-separated item of
 * `interface` becomes the interface's description (or its identifier in upper case when it has
 * none), of `category` the category's name; on 26.1–26.1.8 `action` and `ipprotocol` become their
 * labels in place, from 26.1.9 the `%` twins do. Items without an entry are kept as they are.
 * opnsense/core 26.1 and 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php getLegacyFieldMap, searchRuleAction
 */
const legacyFieldMap = (
  s: SimulatorState,
  v: VersionProfile
): ReadonlyMap<string, Readonly<Record<string, string>>> => {
  const interfaces: Record<string, string> = {}
  for (const i of s.configInterfaces()) {
    interfaces[i.identifier] = i.description !== "" ? i.description : i.identifier.toUpperCase()
  }
  const categories: Record<string, string> = {}
  for (const [uuid, c] of s.categories.entries()) categories[uuid] = c["name"] ?? ""
  const map = new Map<string, Readonly<Record<string, string>>>([["category", categories], ["interface", interfaces]])
  const prefix = v.legacyFieldMap === "twins" ? "%" : ""
  for (const [field, labels] of Object.entries(LABELS)) {
    if (prefix === "" && field === "direction") continue
    map.set(`${prefix}${field}`, labels)
  }
  return map
}

const translate = (row: Record<string, unknown>, map: ReadonlyMap<string, Readonly<Record<string, string>>>) => {
  const out = { ...row }
  for (const [topic, data] of map) {
    const value = out[topic]
    // PHP's empty(): "" and absent are left alone
    if (typeof value !== "string" || value === "") continue
    out[topic] = value.split(",").map((item) => data[item] ?? item).join(",")
  }
  return out
}

const AUTOMATIC = "Automatically generated rules"

export interface LegacyRow {
  /** the identifiers the rule is on, as search_rule's interface filter compares them */
  readonly interfaces: string
  /** the row as search_rule returns it */
  readonly row: Record<string, unknown>
}

const rowsCache = new WeakMap<SimulatorState, { n: number; epoch: number; rows: Array<LegacyRow> }>()

export const legacyRows = (s: SimulatorState, v: VersionProfile): Array<LegacyRow> => {
  const hit = rowsCache.get(s)
  if (hit !== undefined && hit.n === s.legacyRules.length && hit.epoch === s.labelsEpoch) return hit.rows
  const map = legacyFieldMap(s, v)
  const rows = s.legacyRules.map((r) => {
    const row = translate(rawRow(r, v), map)
    // ≤26.1.9 group automatic rows under a category of their own (removed in 26.1.10)
    if (v.legacyFieldMap === "values" && r.automatic) {
      row["categories"] = AUTOMATIC
      row["category_colors"] = [{ name: AUTOMATIC }]
    }
    return { interfaces: r.interface, row }
  })
  rowsCache.set(s, { n: s.legacyRules.length, epoch: s.labelsEpoch, rows })
  return rows
}

/**
 * Legacy `<filter><rule>` and automatic (system) rules. The MVC API does not manage them, but the
 * 26.7 `search_rule` lists them as read-only rows with real JSON booleans and a 32-hex pf label as
 * `uuid` (REFERENCE §7.3, fixtures SOURCES "Response-shape facts").
 */
import { createHash } from "node:crypto"
import type { LegacyRule, SimulatorState } from "./State.ts"

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

const rowsCache = new WeakMap<SimulatorState, { n: number; rows: Array<Record<string, unknown>> }>()

export const legacyRows = (s: SimulatorState): Array<Record<string, unknown>> => {
  const hit = rowsCache.get(s)
  if (hit !== undefined && hit.n === s.legacyRules.length) return hit.rows
  const rows = s.legacyRules.map((r) => ({
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
    ipprotocol: "inet",
    protocol: r.protocol,
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
  }))
  rowsCache.set(s, { n: s.legacyRules.length, rows })
  return rows
}

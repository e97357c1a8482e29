/**
 * The MVC filter rule: field table (generated from Filter.xml), computed priority/sort order, and the
 * cross-field validation of opnsense/core src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php.
 */
import { aliasExists, categoryOptions } from "./Aliases.ts"
import { type FieldCtx, type Opt, splitList, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import { addressFamily, isRulePort } from "./Net.ts"
import { gatewayListOptions } from "./Routing.ts"
import { PROTOCOL_OPTIONS, TOS_OPTIONS } from "./RuleOptions.ts"
import { ifaceLabel, type SimulatorState } from "./State.ts"
import type { Item, Messages } from "./Wire.ts"

export const interfaceOptions = (s: SimulatorState): Array<Opt> => [
  ...s.interfaces.map((i) => ({ key: i.identifier, label: ifaceLabel(i) })),
  ...s.groups.map((g) => ({ key: g.name, label: `${g.description} (Group)` }))
]

const gatewayOptions = (s: SimulatorState): Array<Opt> => gatewayListOptions(s)

/** `overload`: ModelRelation to non-port aliases, keyed by uuid (built-ins by name). */
const overloadOptions = (s: SimulatorState): Array<Opt> => {
  const out: Array<Opt> = []
  for (const [uuid, a] of s.aliases.entries()) {
    if (a["type"] !== "port" && a["enabled"] === "1") out.push({ key: uuid, label: a["name"] ?? "" })
  }
  for (const name of ["bogons", "bogonsv6", "sshlockout", "virusprot"]) out.push({ key: name, label: name })
  for (const i of s.interfaces) out.push({ key: `__${i.identifier}_network`, label: `__${i.identifier}_network` })
  return out
}

/** Label of a network value: `lan` → "LAN net", `lanip` → "LAN address", `(self)` → "This Firewall". */
export const networkLabel = (s: SimulatorState, value: string): string | undefined => {
  if (value === "" || value === "any") return undefined
  return splitList(value)
    .map((token) => {
      if (token === "(self)") return "This Firewall"
      const iface = s.iface(token) ?? s.groups.find((g) => g.name === token)
      if (iface !== undefined) return `${"identifier" in iface ? ifaceLabel(iface) : iface.description} net`
      if (token.endsWith("ip")) {
        const base = s.iface(token.slice(0, -2))
        if (base !== undefined) return `${ifaceLabel(base)} address`
      }
      return token
    })
    .join(",")
}

const opt = (keys: ReadonlyArray<[string, string]>): ReadonlyArray<Opt> => keys.map(([key, label]) => ({ key, label }))
const networkField = { label: (v: string, c: FieldCtx) => networkLabel(c.state, v) }

/**
 * The MVC filter rule: `rules.rule` of opnsense/core src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.xml
 * at the emulated release's tag (generated). Added here: option lists the field classes compute at
 * run time, and `large` (whole-model `get` renders only selected entries of these maps).
 */
export const ruleTable: Table = generatedTable("Firewall/Filter", "rules.rule", {
  // InterfaceField: configured interfaces and interface groups
  interface: { options: (c) => interfaceOptions(c.state) },
  // ProtocolField: `any`, /etc/protocols upper-cased, plus AddOptions (TCP/UDP)
  protocol: { large: true, options: () => PROTOCOL_OPTIONS },
  icmptype: { large: true },
  icmp6type: { large: true },
  source_net: networkField,
  destination_net: networkField,
  // JsonKeyValueStoreField, ConfigdPopulateAct "filter list diverts"
  "divert-to": { options: () => opt([["8000", "Intrusion Detection"]]) },
  // JsonKeyValueStoreField, ConfigdPopulateAct "interface gateways list"
  gateway: { large: true, options: (c) => gatewayOptions(c.state) },
  replyto: { large: true, options: (c) => gatewayOptions(c.state) },
  // ModelRelationField over OPNsense.Firewall.Alias (enabled, not port)
  overload: { large: true, options: (c) => overloadOptions(c.state) },
  prio: { large: true },
  "set-prio": { large: true },
  "set-prio-low": { large: true },
  tcpflags1: { large: true },
  tcpflags2: { large: true },
  // ModelRelationField over OPNsense.Firewall.Category
  categories: { options: (c) => categoryOptions(c.state) },
  // ScheduleField (legacy schedules) and the traffic shaper: none emulated
  sched: { options: () => [] },
  // TosField: opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/TosField.php
  tos: { large: true, blank: "Any", options: () => TOS_OPTIONS },
  shaper1: { options: () => [] },
  shaper2: { options: () => [] }
})

/**
 * Priority group (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/FilterRuleField.php):
 * floating 200000, group 300000, single interface 400000, unknown 600000.
 */
export const prioGroup = (s: SimulatorState, item: Item): number => {
  const ifs = splitList(item["interface"] ?? "")
  const only = ifs[0]
  if (ifs.length !== 1 || only === undefined || item["interfacenot"] === "1") return 200000
  if (s.groups.some((g) => g.name === only)) return 300000
  return s.iface(only) !== undefined ? 400000 : 600000
}

export const sortOrder = (prio: number, sequence: string) => `${prio}.0${sequence.padStart(6, "0")}`

export const withComputed = (s: SimulatorState, item: Record<string, string>): void => {
  const prio = prioGroup(s, item)
  item["prio_group"] = String(prio)
  item["sort_order"] = sortOrder(prio, item["sequence"] ?? "")
}

const TCP_UDP = new Set(["TCP", "UDP", "TCP/UDP"])

/**
 * opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/NetworkAliasField.php
 * getValidators + BaseListField: each list item must be a known net or alias; a literal address or
 * subnet joins the options only when it is the whole value, so a literal in a list fails. The
 * message names the whole value and says "source" for either field, once per failing item.
 * opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php performValidation:
 * a single literal's family ("inet" without ':', else "inet6") must equal ipprotocol, which
 * inet46 never does; "any" in a list; inverting a list.
 */
/** One item of NetworkAliasField's option list: `any`, `(self)`, an interface (or group) net or address, a non-port alias. */
export const isNetworkOption = (s: SimulatorState, t: string): boolean => {
  if (t === "any" || t === "(self)") return true
  if (s.iface(t) !== undefined || s.groups.some((g) => g.name === t)) return true
  if (t.endsWith("ip") && s.iface(t.slice(0, -2)) !== undefined) return true
  const alias = aliasExists(s, t)
  return alias !== undefined && ("type" in alias ? alias.type !== "port" : true)
}

const validateNet = (c: FieldCtx, item: Item, side: "source" | "destination", m: Messages) => {
  const key = `rule.${side}_net`
  const value = item[`${side}_net`] ?? ""
  if (value === "") return
  const tokens = splitList(value)
  const literal = addressFamily(value)
  if (literal === undefined) {
    for (const t of value.split(",")) {
      if (!isNetworkOption(c.state, t)) m.add(key, `${value} is not a valid source IP address or alias.`)
    }
  }
  const Side = side === "source" ? "Source" : "Destination"
  if (literal !== undefined && literal !== item["ipprotocol"]) {
    m.add(key, `${Side} address type should match selected TCP/IP protocol version.`)
  }
  if (tokens.length > 1 && tokens.includes("any")) m.add(key, "Any can not be combined with other aliases")
  if (item[`${side}_not`] === "1" && value.includes(",")) {
    // the destination message is keyed on destination_net in the source (not destination_not)
    m.add(
      side === "source" ? "rule.source_not" : "rule.destination_net",
      `Inverting ${side}s is only allowed for single targets to avoid mis-interpretations`
    )
  }
}

const validatePort = (c: FieldCtx, item: Item, side: "source" | "destination", m: Messages) => {
  const key = `rule.${side}_port`
  const value = item[`${side}_port`] ?? ""
  if (value === "") return
  const alias = c.state.aliasByName(value)
  if (!isRulePort(value) && alias?.["type"] !== "port") {
    m.add(key, "Please specify a valid portnumber, name, alias or range.")
  }
  if (!TCP_UDP.has(item["protocol"] ?? "")) {
    m.add(key, `${side === "source" ? "Source" : "Destination"} ports are only valid for tcp or udp type rules.`)
  }
}

export const validateRule = (c: FieldCtx, item: Item, m: Messages): void => {
  validateFields(ruleTable, item, "rule", c, m)
  validateNet(c, item, "source", m)
  validateNet(c, item, "destination", m)
  validatePort(c, item, "source", m)
  validatePort(c, item, "destination", m)
  const protocol = item["protocol"] ?? ""
  if (item["interfacenot"] === "1" && splitList(item["interface"] ?? "").length !== 1) {
    m.add("rule.interfacenot", "Inverting interfaces is only allowed for single targets to avoid mis-interpretations")
  }
  if ((item["icmptype"] ?? "") !== "" && protocol !== "ICMP") {
    m.add("rule.icmptype", "Option only applies to ICMP packets")
  }
  if ((item["icmp6type"] ?? "") !== "" && protocol !== "IPV6-ICMP") {
    m.add("rule.icmp6type", "Option only applies to IPV6-ICMP packets")
  }
  for (const f of ["tcpflags1", "tcpflags2", "overload", "max-src-conn", "max-src-conn-rate", "max-src-conn-rates"]) {
    if ((item[f] ?? "") !== "" && protocol !== "TCP") {
      m.add(`rule.${f}`, "Invalid option for other than TCP protocol choices.")
    }
  }
  if (item["tcpflags_any"] === "1" && ((item["tcpflags1"] ?? "") !== "" || (item["tcpflags2"] ?? "") !== "")) {
    m.add("rule.tcpflags_any", "If you select any TCP flags, you cannot also select specific ones.")
  }
  if ((item["divert-to"] ?? "") !== "" && item["action"] !== "pass") {
    m.add("rule.divert-to", "Divert is only supported for pass rules.")
  }
  if ((item["gateway"] ?? "") !== "" && (item["replyto"] ?? "") !== "") {
    m.add("rule.replyto", "Reply-to can not be combined with a gateway.")
  }
}

/** ProtocolField input: upper-case except `any` (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/ProtocolField.php). */
export const normaliseProtocol = (item: Record<string, string>): void => {
  const p = item["protocol"] ?? ""
  item["protocol"] = p.toLowerCase() === "any" ? "any" : p.toUpperCase()
  for (const f of ["source_port", "destination_port"]) {
    const v = item[f] ?? ""
    if (/^[A-Za-z-]+$/.test(v) && isRulePort(v.toLowerCase(), false)) item[f] = v.toLowerCase()
  }
}

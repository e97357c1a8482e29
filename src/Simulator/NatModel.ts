/**
 * The two NAT rule sets of the Filter model besides port forwards: field tables generated from
 * Filter.xml (`snatrules.rule`, `onetoone.rule`) and the checks of opnsense/core
 * src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php performValidation that apply to them,
 * at 26.1.5 and 26.7.2.
 */
import { categoryOptions } from "./Aliases.ts"
import { type FieldCtx, splitList, type Table, validateFields } from "./Fields.ts"
import { fieldsIn, generatedTable, modelAt } from "./Generated.ts"
import { addressFamily, isRulePort } from "./Net.ts"
import { interfaceOptions, isNetworkOption, networkLabel } from "./RuleModel.ts"
import { PROTOCOL_OPTIONS } from "./RuleOptions.ts"
import type { SimulatorState } from "./State.ts"
import type { Item, Messages } from "./Wire.ts"

const networkField = { label: (v: string, c: FieldCtx) => networkLabel(c.state, v) }

/** `snatrules.rule` of Filter.xml at the emulated release (generated), plus run-time option lists. */
export const snatTable: Table = generatedTable("Firewall/Filter", "snatrules.rule", {
  // InterfaceField (single, lo0 filtered out)
  interface: { options: (c) => interfaceOptions(c.state) },
  // ProtocolField: `any`, /etc/protocols upper-cased, AddOptions TCP/UDP
  protocol: { large: true, options: () => PROTOCOL_OPTIONS },
  source_net: networkField,
  destination_net: networkField,
  target: networkField,
  // ModelRelationField over OPNsense.Firewall.Category (uuids)
  categories: { options: (c) => categoryOptions(c.state) }
})

/** `onetoone.rule` of Filter.xml at the emulated release (generated), plus run-time option lists. */
export const oneToOneTable: Table = generatedTable("Firewall/Filter", "onetoone.rule", {
  interface: { options: (c) => interfaceOptions(c.state) },
  source_net: networkField,
  destination_net: networkField,
  categories: { options: (c) => categoryOptions(c.state) }
})

/** ProtocolField stores upper case but `any`; PortField lower-cases well-known names. */
export const normaliseNat = (item: Record<string, string>): void => {
  if ("protocol" in item) {
    const p = item["protocol"] ?? ""
    item["protocol"] = p.toLowerCase() === "any" ? "any" : p.toUpperCase()
  }
  for (const f of ["source_port", "destination_port", "target_port"]) {
    const v = item[f]
    if (v !== undefined && /^[A-Za-z0-9-]+$/.test(v) && isRulePort(v.toLowerCase(), false)) item[f] = v.toLowerCase()
  }
}

/**
 * SourceNatRuleContainerField::getPriority (26.1.11+): 600000 when the rule names interfaces none of
 * which is in config.xml, else 400000; ArrayField::actionPostLoadingEvent writes sort_order as
 * "<prio>.0<sequence, 6 digits>". opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/SourceNatRuleField.php
 */
export const withPriority = (s: SimulatorState, item: Item): Item => {
  const ifs = splitList(item["interface"] ?? "")
  const known = s.configInterfaces()
  const prio = ifs.length > 0 && !ifs.some((i) => known.some((k) => k.identifier === i)) ? 600000 : 400000
  const seq = String(Math.trunc(Number(item["sequence"] ?? 0)) || 0)
  return { ...item, sort_order: `${prio}.0${seq.padStart(6, "0")}`, prio_group: String(prio) }
}

/**
 * NetworkAliasField (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/NetworkAliasField.php):
 * every comma item must be `any`, `(self)`, an interface net or address, or a non-port alias; a
 * literal address or subnet counts only as the whole value. The message always says "source".
 */
const checkNetworkAlias = (s: SimulatorState, item: Item, field: string, m: Messages): void => {
  const value = item[field] ?? ""
  if (value === "" || addressFamily(value) !== undefined) return
  for (const t of value.split(",")) {
    if (!isNetworkOption(s, t)) m.add(`rule.${field}`, `${value} is not a valid source IP address or alias.`)
  }
}

const PORT_PROTOCOLS = new Set(["TCP", "UDP", "TCP/UDP"])

/** The message a PortField gives: its ValidationMessage in the XML, else PortField's own (both generated). */
const portMessage = (c: FieldCtx, container: string, field: string): string =>
  fieldsIn(modelAt("Firewall/Filter", c.v.full), container).find((f) => f.name === field)?.validationMessage ??
    "Please specify a valid port number (1-65535)."

/**
 * Source NAT (opnsense/core 26.1.5 and 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php):
 * field checks, NetworkAliasField and PortField checks, then Filter.php performValidation's
 * loop over `rules.rule` and `snatrules.rule` (the parts whose fields a source NAT rule has) and its
 * "rule type specific" branch for rules with a `target`. 26.7.2 adds "Target address cannot be any."
 * and the endpoint-independent check.
 */
export const validateSnat = (c: FieldCtx, item: Item, m: Messages): void => {
  validateFields(snatTable, item, "rule", c, m)
  const s = c.state
  for (const f of ["source_net", "destination_net", "target"]) checkNetworkAlias(s, item, f, m)
  for (const f of ["source_port", "destination_port"]) {
    const v = item[f] ?? ""
    if (v !== "" && !isRulePort(v) && s.aliasByName(v)?.["type"] !== "port") {
      m.add(`rule.${f}`, portMessage(c, "snatrules.rule", f))
    }
  }
  const targetPort = item["target_port"] ?? ""
  // target_port: EnableWellKnown and EnableRanges, no aliases; PortField's own message (generated)
  if (targetPort !== "" && !isRulePort(targetPort)) {
    m.add("rule.target_port", portMessage(c, "snatrules.rule", "target_port"))
  }

  const protocol = item["protocol"] ?? ""
  const ported = PORT_PROTOCOLS.has(protocol)
  if ((item["source_port"] ?? "") !== "" && !ported) {
    m.add("rule.source_port", "Source ports are only valid for tcp or udp type rules.")
  }
  if ((item["destination_port"] ?? "") !== "" && !ported) {
    m.add("rule.destination_port", "Destination ports are only valid for tcp or udp type rules.")
  }
  const family = item["ipprotocol"] ?? ""
  const mismatch = (field: string) => {
    const lit = addressFamily(item[field] ?? "")
    return lit !== undefined && lit !== family
  }
  if (mismatch("destination_net")) {
    m.add("rule.destination_net", "Destination address type should match selected TCP/IP protocol version.")
  }
  if (mismatch("source_net")) {
    m.add("rule.source_net", "Source address type should match selected TCP/IP protocol version.")
  }
  for (const f of ["source_net", "destination_net"]) {
    const v = item[f] ?? ""
    if (v.includes(",") && v.split(",").includes("any")) {
      m.add(`rule.${f}`, "Any can not be combined with other aliases")
    }
  }
  if ((item["source_net"] ?? "").includes(",") && item["source_not"] === "1") {
    m.add("rule.source_not", "Inverting sources is only allowed for single targets to avoid mis-interpretations")
  }
  if ((item["destination_net"] ?? "").includes(",") && item["destination_not"] === "1") {
    // keyed on destination_net in the source
    m.add(
      "rule.destination_net",
      "Inverting destinations is only allowed for single targets to avoid mis-interpretations"
    )
  }
  if (c.v.natRework && item["target"] === "any") m.add("rule.target", "Target address cannot be any.")
  if (mismatch("target")) m.add("rule.target", "Target address type should match selected TCP/IP protocol version.")
  if (targetPort !== "" && !ported) m.add("rule.target_port", "Target ports are only valid for tcp or udp type rules.")
  // BaseField::isEmpty is PHP empty(): "0" is empty; isEqual('UDP') is exact
  const eim = item["endpoint-independent"] ?? ""
  if (c.v.natRework && eim !== "" && eim !== "0" && protocol !== "UDP") {
    m.add("rule.endpoint-independent", "Endpoint Independent NAT is only available for UDP.")
  }
}

/** Util::isSubnet || Util::isIpAddress, and the prefix length `explode('/', v . '/' . default)[1]`. */
const literal = (value: string): { family: "inet" | "inet6"; bits: string } | undefined => {
  const family = addressFamily(value)
  if (family === undefined) return undefined
  return { family, bits: `${value}/${family === "inet" ? "32" : "128"}`.split("/")[1] ?? "" }
}

/**
 * 1:1 NAT (opnsense/core 26.1.5 and 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php):
 * field checks (NetworkField `external` without wildcard), NetworkAliasField checks, then
 * Filter.php performValidation's "1 to 1 mappings" part: one address family across source,
 * destination and external (a message on each literal field), and for enabled BINAT rules a
 * literal internal address whose prefix equals the external one.
 */
export const validateOneToOne = (c: FieldCtx, item: Item, m: Messages): void => {
  validateFields(oneToOneTable, item, "rule", c, m)
  const s = c.state
  for (const f of ["source_net", "destination_net"]) checkNetworkAlias(s, item, f, m)
  const external = item["external"] ?? ""
  if (external !== "" && addressFamily(external) === undefined) {
    m.add("rule.external", "Please specify a valid network segment or IP address.")
  }
  const parsed: Record<string, ReturnType<typeof literal>> = {}
  for (const f of ["source_net", "destination_net", "external"]) parsed[f] = literal(item[f] ?? "")
  const families = new Set(Object.values(parsed).flatMap((p) => (p === undefined ? [] : [p.family])))
  if (families.size > 1) {
    for (const [f, p] of Object.entries(parsed)) {
      if (p !== undefined) m.add(`rule.${f}`, "IP protocol families should match.")
    }
  }
  if (item["type"] === "binat" && (item["enabled"] ?? "") !== "" && item["enabled"] !== "0") {
    const source = parsed["source_net"]
    if (source === undefined) {
      m.add("rule.source_net", "For BINAT rules only addresses or subnets are allowed.")
    } else if (parsed["external"]?.bits !== source.bits) {
      m.add("rule.external", "External subnet should match internal subnet.")
    }
  }
}

/**
 * `firewall/d_nat` (26.1+; opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/DNatController.php):
 * destination NAT (port forwards), model `DNat`, wrapper `rule`, nested `source`/`destination`
 * containers, lower-case protocols, inverted toggle on `disabled`, categories by name.
 */
import { aliasExists } from "./Aliases.ts"
import { addItem, delItem, getItem, itemsMap, type Resource, setItem, toggleItem } from "./Crud.ts"
import { encodeGet, encodeRow, type FieldCtx, type Opt, splitList, type Table, validateFields } from "./Fields.ts"
import { fieldsIn, generatedTable, modelAt } from "./Generated.ts"
import { addressFamily, isRulePort } from "./Net.ts"
import type { Controller, Ctx } from "./Router.ts"
import { interfaceOptions, networkLabel } from "./RuleModel.ts"
import { PROTOCOL_OPTIONS_LOWER } from "./RuleOptions.ts"
import { applyFilter, type SimulatorState } from "./State.ts"
import { grid, gridParams, type Item, json, type Messages } from "./Wire.ts"

const categoryNames = (s: SimulatorState): Array<Opt> =>
  [...s.categories.values()].map((c) => ({ key: c["name"] ?? "", label: c["name"] ?? "" }))

const networkField = { label: (v: string, c: FieldCtx) => networkLabel(c.state, v) }
// server-managed: DNatController setBaseHook writes created/updated, the simulator clears
// associated-rule-id on every write (opnsense/core 26.7.2:
// src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/DNatController.php)
const serverManaged = { kind: "volatile" as const }

/**
 * `rule` of opnsense/core src/opnsense/mvc/app/models/OPNsense/Firewall/DNat.xml at the emulated
 * release's tag (generated), plus the option lists computed at run time.
 */
export const dnatTable: Table = generatedTable("Firewall/DNat", "rule", {
  // InterfaceField: configured interfaces and groups
  interface: { options: (c) => interfaceOptions(c.state) },
  // ProtocolField with ChangeCase lower
  protocol: { large: true, options: () => PROTOCOL_OPTIONS_LOWER },
  "source.network": networkField,
  "destination.network": networkField,
  target: networkField,
  // CategoryField: categories by name (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/CategoryField.php)
  category: { options: (c) => categoryNames(c.state) },
  "associated-rule-id": serverManaged,
  "created.username": serverManaged,
  "created.time": serverManaged,
  "created.description": serverManaged,
  "updated.username": serverManaged,
  "updated.time": serverManaged,
  "updated.description": serverManaged
})

/** PortField's ValidationMessage of a DNat port field, as the release's DNat.xml words it. */
const portMessage = (c: Ctx, name: string): string =>
  fieldsIn(modelAt("Firewall/DNat", c.v.full), "rule").find((f) => f.name === name)?.validationMessage ??
    "Please specify a valid port number or alias."

const validNetwork = (s: SimulatorState, value: string): boolean => {
  if (value === "" || value === "any" || value === "(self)" || addressFamily(value) !== undefined) return true
  if (s.iface(value) !== undefined || (value.endsWith("ip") && s.iface(value.slice(0, -2)) !== undefined)) return true
  return aliasExists(s, value) !== undefined
}

const validPort = (s: SimulatorState, value: string, ranges: boolean) =>
  value === "" || isRulePort(value, ranges) || s.aliasByName(value)?.["type"] === "port"

const validateDnat = (c: Ctx, item: Item, m: Messages): void => {
  validateFields(dnatTable, item, "rule", c, m)
  const s = c.state
  for (const side of ["source", "destination"] as const) {
    const net = item[`${side}.network`] ?? ""
    if (!validNetwork(s, net)) m.add(`rule.${side}.network`, `${net} is not a valid ${side} IP address or alias.`)
    const port = item[`${side}.port`] ?? ""
    if (!validPort(s, port, true)) {
      m.add(`rule.${side}.port`, portMessage(c, `${side}.port`))
    }
  }
  const target = item["target"] ?? ""
  if (target !== "" && !validNetwork(s, target)) {
    m.add("rule.target", `${target} is not a valid target IP address or alias.`)
  }
  const local = item["local-port"] ?? ""
  if (!validPort(s, local, false)) m.add("rule.local-port", portMessage(c, "local-port"))
  const protocol = item["protocol"] ?? ""
  const ported = ["tcp", "udp", "tcp/udp"].includes(protocol)
  for (const f of ["source.port", "destination.port", "local-port"]) {
    if ((item[f] ?? "") !== "" && !ported) m.add(`rule.${f}`, "Ports are only valid for TCP or UDP type rules.")
  }
  // opnsense/core 26.1.4, 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/DNat.php performValidation:
  // a literal source, destination or target of the other family than an inet/inet6 rule
  const family = item["ipprotocol"]
  if (family === "inet" || family === "inet6") {
    for (const f of ["source.network", "destination.network", "target"]) {
      const lit = addressFamily(item[f] ?? "")
      if (lit !== undefined && lit !== family) {
        m.add(`rule.${f}`, "Address type should match selected TCP/IP protocol version.")
      }
    }
  }
  // opnsense/core 26.1.11, 26.7.2: DNat.php performValidation (absent at 26.1.5): a no-rdr entry
  // has no target and no local port, each refused on its own field
  if (c.v.natRework && item["nordr"] === "1") {
    if (target !== "") m.add("rule.target", "Target must be empty when No RDR is set.")
    if (local !== "") m.add("rule.local-port", "Port must be empty when No RDR is set.")
  }
}

/** DNatSequenceField counts from MinimumValue (1): a first port forward gets 101 (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/DNatSequenceField.php) */
const maxSequence = (s: SimulatorState): number => {
  let max = 1
  for (const r of s.dnat.values()) max = Math.max(max, Number(r["sequence"] ?? 0))
  return max
}

export const dnatResource: Resource = {
  wrapper: "rule",
  table: dnatTable,
  collection: (c) => c.state.dnat,
  complete: (c, item, _old, uuid) => {
    item["protocol"] = (item["protocol"] ?? "").toLowerCase()
    if ((item["sequence"] ?? "") === "") item["sequence"] = String(maxSequence(c.state) + 100)
    item["associated-rule-id"] = ""
    const names = splitList(item["category"] ?? "")
    item["categories"] = names.map((n) => c.state.categories.find("name", n) ?? "").filter((x) => x !== "").join(",")
    // created/updated are server-managed (setBaseHook); a posted value is discarded
    if (uuid !== "") {
      const now = (Date.now() / 1000).toFixed(4)
      const old = c.state.dnat.get(uuid)
      item["created.username"] = old?.["created.username"] ?? "root@127.0.0.1"
      item["created.time"] = old?.["created.time"] ?? now
      item["created.description"] = old?.["created.description"] ?? "/api/firewall/d_nat/add_rule made changes"
      item["updated.username"] = "root@127.0.0.1"
      item["updated.time"] = now
      item["updated.description"] = "/api/firewall/d_nat/set_rule made changes"
    }
  },
  validate: (c, item, _old, _uuid, m) => validateDnat(c, item, m),
  encode: (c, item) => encodeGet(dnatTable, item, c, { twins: c.v.twinsInGet })
}

export const controller: Controller = {
  module: "firewall",
  controller: "d_nat",
  actions: {
    search_rule: {
      handle: (req, c) =>
        grid(
          [...c.state.dnat.entries()].map(([uuid, item]) => ({
            ...encodeRow(dnatTable, uuid, item, c),
            category_colors: []
          })),
          gridParams(req.body, req.query, false),
          { defaultSort: "sequence" }
        )
    },
    get_rule: getItem(dnatResource),
    add_rule: addItem(dnatResource),
    set_rule: setItem(dnatResource),
    del_rule: delItem(dnatResource),
    toggle_rule: toggleItem(dnatResource, "disabled", true),
    apply: {
      handle: (req, c) => {
        if (!req.isPost) return json({ status: "error" })
        // `filter reload` loads every rule set of config.xml: port forwards, filter, source and 1:1 NAT
        applyFilter(c.state, false)
        c.state.reconfigureCounts.dnat++
        return json({ status: "OK\n\n" })
      }
    },
    get: { handle: (req, c) => (req.isGet ? json({ DNat: { rule: itemsMap(dnatResource, c) } }) : json([])) }
  }
}

/**
 * `routing/settings` (opnsense/core 25.7, 26.1.5, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Routing/Api/SettingsController.php): model `gateways`
 * (src/opnsense/mvc/app/models/OPNsense/Routing/Gateways.xml, mounted at //OPNsense/Gateways),
 * ArrayField `gateway_item`: search_gateway, get_gateway, add_gateway, set_gateway, del_gateway,
 * toggle_gateway, the whole-model get and reconfigure. Besides the MVC items, OPNsense always knows
 * the loopback gateways Null4 and Null6 (Gateways.php getGateways), which routes and rules may
 * name but search_gateway leaves out.
 */
import { isIPv4, isIPv6 } from "node:net"
import { addItem, getItem, itemsMap, type Resource, setItem } from "./Crud.ts"
import { encodeGet, type Opt, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import type { Action, Controller, Ctx } from "./Router.ts"
import { ifaceLabel, type SimulatorState } from "./State.ts"
import {
  grid,
  gridParams,
  type Item,
  json,
  Messages,
  resultFailed,
  unexpected,
  userException,
  UUID_V4
} from "./Wire.ts"

/** A gateway as `interface gateways list` and the rule/route option lists know it. */
export interface KnownGateway {
  readonly name: string
  readonly address: string
  readonly ipprotocol: string
  readonly disabled: boolean
}

/** opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Routing/Gateways.php getGateways (loopback, priority 255) */
const LOOPBACK_GATEWAYS: ReadonlyArray<KnownGateway> = [
  { name: "Null4", address: "127.0.0.1", ipprotocol: "inet", disabled: false },
  { name: "Null6", address: "::1", ipprotocol: "inet6", disabled: false }
]

/** Every gateway OPNsense knows: the loopback ones and the configured items (disabled too). */
export const knownGateways = (s: SimulatorState): ReadonlyArray<KnownGateway> => [
  ...LOOPBACK_GATEWAYS,
  ...[...s.gateways.values()].map((g) => ({
    name: g["name"] ?? "",
    address: g["gateway"] ?? "",
    ipprotocol: g["ipprotocol"] ?? "inet",
    disabled: g["disabled"] === "1"
  }))
]

/**
 * `interface gateways list` (opnsense/core 26.7.2: src/opnsense/scripts/routes/gateways.php): name →
 * "name - address", or "name - inet|inet6" when the address is not an IP (dynamic).
 */
export const gatewayListOptions = (s: SimulatorState): Array<Opt> =>
  knownGateways(s).map((g) => ({
    key: g.name,
    label: `${g.name} - ${isIPv4(g.address) || isIPv6(g.address) ? g.address : g.ipprotocol}`
  }))

/**
 * InterfaceField with `<filters>` enable `/^(?!0).*$/` and virtual `/^(?!1).*$/`: an interface
 * whose `enable` is unset counts as "0" and is left out (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/InterfaceField.php actionPostLoadingEvent).
 * Seeded interfaces carry no `enabled` and count as enabled (State.ts Iface).
 */
const gatewayInterfaceOptions = (s: SimulatorState): Array<Opt> =>
  s.interfaces
    .filter((i) => i.enabled !== false && i.identifier !== "lo0")
    .map((i) => ({ key: i.identifier, label: ifaceLabel(i) }))
    .sort((a, b) => a.label.localeCompare(b.label, undefined, { sensitivity: "base" }))

/** `gateway_item` of Gateways.xml at the emulated release's tag (generated). */
export const gatewayTable: Table = generatedTable("Routing/Gateways", "gateway_item", {
  interface: { options: (c) => gatewayInterfaceOptions(c.state) }
})

const isFamily = (value: string, family: string) => (family === "inet6" ? isIPv6(value) : isIPv4(value))

/**
 * Gateways.xml constraints and Gateways.php performValidation (opnsense/core 26.1.5, 26.7.2; same
 * messages at both): unique name and gateway address, the name never changes, gateway/monitor of
 * the item's family, no dynamic address on an interface with a static address of that family.
 */
const validateGateway = (c: Ctx, item: Item, old: Item | undefined, uuid: string, m: Messages): void => {
  validateFields(gatewayTable, item, "gateway_item", c, m)
  const s = c.state
  const name = item["name"] ?? ""
  for (const [other, g] of s.gateways.entries()) {
    if (other === uuid) continue
    if (name !== "" && g["name"] === name) m.add("gateway_item.name", "Gateway with this name already exists.")
    if ((item["gateway"] ?? "") !== "" && g["gateway"] === item["gateway"]) {
      m.add("gateway_item.gateway", "This gateway IP address already exists.")
    }
  }
  if (old !== undefined && old["name"] !== name) {
    m.add("gateway_item.name", "Changing name on a gateway is not allowed.")
  }
  const family = item["ipprotocol"] ?? "inet"
  for (const key of ["gateway", "monitor"]) {
    const value = item[key] ?? ""
    if (value === "" || value === "dynamic") continue
    if (!isFamily(value, family)) {
      m.add(`gateway_item.${key}`, family === "inet6" ? "Invalid IPv6 address" : "Invalid IPv4 address")
    }
  }
  const address = item["gateway"] ?? ""
  if (!isIPv4(address) && !isIPv6(address)) {
    const iface = s.iface(item["interface"] ?? "")
    const own = family === "inet6" ? iface?.ipaddrv6 : iface?.ipaddr
    if (own !== undefined && (isIPv4(own) || isIPv6(own))) {
      m.add(
        "gateway_item.gateway",
        `Dynamic gateway values cannot be specified for interfaces with a static ${
          family === "inet6" ? "IPv6" : "IPv4"
        } configuration.`
      )
    }
  }
}

/**
 * delGatewayAction: a gateway an interface, a gateway group or a static route uses cannot be
 * deleted (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Routing/Api/SettingsController.php).
 */
const deleteBlocker = (c: Ctx, item: Item) => {
  const name = item["name"] ?? ""
  const iface = c.state.interfaces.find((i) => (i.gateway ?? "") === name)
  if (iface !== undefined) {
    return userException(
      c.v,
      `Gateway ${name} cannot be deleted because it is in use on Interface '${iface.description || iface.identifier}'`
    )
  }
  const routes = [...c.state.routes.values()].filter((r) => r["gateway"] === name).map((r) => r["network"] ?? "")
  if (routes.length > 0) {
    return userException(
      c.v,
      `Gateway ${name} cannot be deleted because it is in use on Static Route(s) '${routes.join(", ")}'`
    )
  }
  return undefined
}

export const gatewayResource: Resource = {
  wrapper: "gateway_item",
  table: gatewayTable,
  collection: (c) => c.state.gateways,
  validate: validateGateway,
  encode: (c, item) => encodeGet(gatewayTable, item, c, { twins: c.v.twinsInGet })
}

/**
 * search_gateway rows: the item's raw fields, `uuid`, and the flags the controller adds (`if`,
 * `virtual`, `disabled` and `upstream` as booleans, `defaultgw` = the active default, the
 * interface's description, monitoring status). Monitoring is not emulated: no dpinger status, so
 * every gateway is "Pending" with "~" figures (the controller's fallback without status).
 */
const searchRows = (c: Ctx): Array<Record<string, unknown>> => {
  const s = c.state
  const rows = [...s.gateways.entries()]
  // Gateways.php getDefaultGW: the upstream gateway of the family with the lowest priority value
  const active = new Map<string, string>()
  for (const family of ["inet", "inet6"]) {
    const upstream = rows
      .filter(([, g]) => g["defaultgw"] === "1" && g["disabled"] !== "1" && g["ipprotocol"] === family)
      .sort(([, a], [, b]) => Number(a["priority"] ?? 255) - Number(b["priority"] ?? 255))
    if (upstream[0] !== undefined) active.set(family, upstream[0][1]["name"] ?? "")
  }
  return rows.map(([uuid, g]) => {
    const iface = s.iface(g["interface"] ?? "")
    const row: Record<string, unknown> = { ...g, uuid, if: iface?.device ?? "" }
    row["virtual"] = false
    row["disabled"] = g["disabled"] === "1"
    row["upstream"] = g["defaultgw"] === "1"
    row["defaultgw"] = active.get(g["ipprotocol"] ?? "inet") === g["name"]
    row["interface_descr"] = iface !== undefined && iface.description !== ""
      ? iface.description
      : (g["interface"] ?? "").toUpperCase()
    row["status"] = iface === undefined ? "No interface attached" : "Pending"
    row["delay"] = "~"
    row["stddev"] = "~"
    row["loss"] = "~"
    row["label_class"] = iface === undefined
      ? "fa fa-plug text-warning"
      : g["disabled"] !== "1" && g["monitor_disable"] === "1"
      ? "fa fa-plug text-success"
      : "fa fa-plug text-default"
    return row
  })
}

/** `interface routes configure` (rc.routing_configure): routes and gateways start running together. */
export const applyRouting = (s: SimulatorState): void => {
  s.applied = { ...s.applied, gateways: s.gateways.snapshot(), routes: s.routes.snapshot() }
  s.pendingRouteRemovals = []
  s.reconfigureCounts.routing++
}

/**
 * Both controllers' reconfigureAction: configd `interface routes configure`, `{"status":"ok"}`
 * (RoutesController checks configd's "OK", which the simulated configd always answers), and
 * `{"status":"failed"}` unless POST.
 */
export const routingReconfigure: Action = {
  handle: (req, c) => {
    if (!req.isPost) return json({ status: "failed" })
    applyRouting(c.state)
    return json({ status: "ok" })
  }
}

export const controller: Controller = {
  module: "routing",
  controller: "settings",
  actions: {
    search_gateway: {
      handle: (req, c) =>
        grid(searchRows(c), gridParams(req.body, req.query, false), {
          defaultSort: "",
          presorted: true,
          recordset: true
        })
    },
    get_gateway: {
      handle: (req, c) => {
        const id = req.params[0] ?? ""
        // not a uuid: "likely a gateway name (legacy config)": the gateway of that name as a new node,
        // or a new item's defaults (opnsense/core 26.7.2: SettingsController.php getGatewayAction)
        if (id !== "" && !UUID_V4.test(id)) {
          const byName = c.state.gateways.find("name", id)
          const item = byName === undefined ? undefined : c.state.gateways.get(byName)
          if (item !== undefined) return json({ gateway_item: gatewayResource.encode(c, item, undefined) })
          return getItem(gatewayResource).handle({ ...req, params: [] }, c)
        }
        return getItem(gatewayResource).handle(req, c)
      }
    },
    add_gateway: addItem(gatewayResource),
    set_gateway: setItem(gatewayResource),
    del_gateway: {
      params: 1,
      handle: (req, c) => {
        if (!req.isPost) return resultFailed
        const uuid = req.params[0] ?? ""
        const item = c.state.gateways.get(uuid)
        if (item === undefined) {
          // 26.7 returns failed; ≤26.1 reads ->name of the missing node
          // (opnsense/core 26.1.5 and 26.7.2: SettingsController.php delGatewayAction)
          if (c.v.series === "26.7") return resultFailed
          throw unexpected()
        }
        const blocked = deleteBlocker(c, item)
        if (blocked !== undefined) throw blocked
        c.state.gateways.delete(uuid)
        c.save(req)
        return json({ result: "deleted" })
      }
    },
    // toggleGatewayAction inverts `enabled` onto `disabled` and answers {result, changed}
    toggle_gateway: {
      params: 1,
      handle: (req, c) => {
        if (!req.isPost) return resultFailed
        const uuid = req.params[0] ?? ""
        const item = c.state.gateways.get(uuid)
        if (item === undefined) return resultFailed
        const enabled = req.params[1]
        if (enabled !== undefined && enabled !== "0" && enabled !== "1") {
          return json({ result: "failed", changed: false })
        }
        const disabled = enabled === undefined ? (item["disabled"] === "0" ? "1" : "0") : enabled === "0" ? "1" : "0"
        const changed = item["disabled"] !== disabled
        if (changed) {
          c.state.gateways.put(uuid, { ...item, disabled })
          c.save(req)
        }
        return json({ result: disabled === "1" ? "Disabled" : "Enabled", changed })
      }
    },
    reconfigure: routingReconfigure,
    get: {
      handle: (req, c) => (req.isGet ? json({ gateways: { gateway_item: itemsMap(gatewayResource, c) } }) : json([]))
    }
  }
}

/**
 * `routes/routes` (opnsense/core 25.7, 26.1.5, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Routes/Api/RoutesController.php): model `route`
 * (src/opnsense/mvc/app/models/OPNsense/Routes/Route.xml, mounted at //staticroutes), ArrayField
 * `route`: searchroute, getroute, addroute, setroute, delroute, toggleroute, the whole-model get and
 * reconfigure. The on/off field is `disabled` up to 26.1.9 and `enabled` from 26.1.10 (the
 * generated model of the emulated release decides which one exists).
 */
import { isIPv4, isIPv6 } from "node:net"
import { addItem, delItem, getItem, itemsMap, type Resource, setItem, toggleItem } from "./Crud.ts"
import { encodeGet, encodeRow, fieldsFor, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import type { Controller, Ctx } from "./Router.ts"
import { gatewayListOptions, routingReconfigure } from "./Routing.ts"
import { grid, gridParams, type Item, json, type Messages } from "./Wire.ts"

/**
 * `route` of Route.xml at the emulated release's tag (generated); `gateway` is a
 * JsonKeyValueStoreField filled by configd `interface gateways list` (Routing.ts gatewayListOptions).
 */
export const routeTable: Table = generatedTable("Routes/Route", "route", {
  gateway: { options: (c) => gatewayListOptions(c.state) }
})

const NETWORK_MESSAGE = "Specify a valid network matching the gateways ip protocol."
const GATEWAY_MESSAGE = "Specify a valid gateway from the list matching the networks ip protocol."

/**
 * NetworkField with NetMaskRequired (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/NetworkField.php isValidInput): address "/"
 * digits, the prefix within the family's range, the address valid; host bits are allowed.
 */
const isNetwork = (value: string): boolean => {
  const parts = value.split("/")
  if (parts.length !== 2) return false
  const [address = "", mask = ""] = parts
  if (!/^\d+$/.test(mask)) return false
  const max = address.includes(":") ? 128 : 32
  if (Number(mask) > max) return false
  return isIPv4(address) || isIPv6(address)
}

/**
 * Route.php performValidation (opnsense/core 26.7.2): the gateway's family comes from the address
 * at the end of its `interface gateways list` label ("name - address", or "name - inet6"); an
 * IPv4 network through an IPv6 gateway is allowed (RFC 5549), any other mismatch is refused.
 */
const validateRoute = (c: Ctx, item: Item, _old: Item | undefined, _uuid: string, m: Messages): void => {
  validateFields(routeTable, item, "route", c, m)
  const network = item["network"] ?? ""
  if (network !== "" && !isNetwork(network)) m.add("route.network", NETWORK_MESSAGE)
  const label = gatewayListOptions(c.state).find((o) => o.key === item["gateway"])?.label
  if (label === undefined) return
  const ip = label.split("-").pop()?.trim() ?? ""
  const gatewayFamily = ip === "inet" || ip === "inet6" ? ip : ip.includes(":") ? "inet6" : "inet"
  const networkFamily = network.includes(":") ? "inet6" : "inet"
  if (gatewayFamily === "inet6" && networkFamily === "inet") return
  if (ip === "" || gatewayFamily !== networkFamily) m.add("route.gateway", GATEWAY_MESSAGE)
}

export const routeResource: Resource = {
  wrapper: "route",
  table: routeTable,
  collection: (c) => c.state.routes,
  validate: validateRoute,
  afterWrite: (c, _uuid, old, item) => {
    // delrouteAction and setrouteAction (changed network) note the old network for apply to remove
    const before = old?.["network"] ?? ""
    if (before !== "" && before !== item?.["network"]) c.state.pendingRouteRemovals.push(before)
  },
  encode: (c, item) => encodeGet(routeTable, item, c, { twins: c.v.twinsInGet })
}

/** Which on/off field the emulated release's Route.xml has. */
const onOff = (c: Ctx): { readonly field: string; readonly inverted: boolean } =>
  fieldsFor(routeTable, c.v).some((f) => f.name === "enabled")
    ? { field: "enabled", inverted: false }
    : { field: "disabled", inverted: true }

export const controller: Controller = {
  module: "routes",
  controller: "routes",
  actions: {
    // searchBase("route", null, "description"): UIModelGrid rows, raw values with `%` twins
    searchroute: {
      handle: (req, c) => {
        const rows = [...c.state.routes.entries()].map(([uuid, item]) => encodeRow(routeTable, uuid, item, c))
        return grid(rows, gridParams(req.body, req.query, false), { defaultSort: "description" })
      }
    },
    getroute: getItem(routeResource),
    addroute: addItem(routeResource),
    setroute: setItem(routeResource),
    delroute: delItem(routeResource),
    // ≤26.1.9: its own toggle on `disabled` ({result}); 26.1.10+: toggleBase on `enabled`
    toggleroute: {
      params: 1,
      handle: (req, c) => {
        const { field, inverted } = onOff(c)
        return toggleItem(routeResource, field, inverted).handle(req, c)
      }
    },
    reconfigure: routingReconfigure,
    get: {
      handle: (req, c) => (req.isGet ? json({ route: { route: itemsMap(routeResource, c) } }) : json([]))
    }
  }
}

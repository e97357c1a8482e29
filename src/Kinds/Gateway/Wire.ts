/**
 * Gateways (`routing/settings`, opnsense/core 25.7, 26.1.x, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Routing/Api/SettingsController.php): wire items →
 * LiveGateway, GatewaySpec → wire body. Read with the whole-model `get` (raw values, option maps),
 * which holds exactly the MVC `gateway_item`s; `search_gateway` also lists the loopback and dynamic
 * gateways OPNsense derives (uuid = name), which are not objects the API can write.
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { bool, Field, itemEntries, ItemMap, single, text } from "../../Opnsense/Wire.ts"
import type { GatewaySpec, LiveGateway } from "./Spec.ts"

export const base = "routing/settings"
export const wrapper = "gateway_item"

const GatewayItem = Schema.Struct({
  disabled: Schema.optional(Field),
  name: Field,
  descr: Schema.optional(Field),
  interface: Schema.optional(Field),
  ipprotocol: Schema.optional(Field),
  gateway: Schema.optional(Field),
  defaultgw: Schema.optional(Field),
  fargw: Schema.optional(Field),
  monitor_disable: Schema.optional(Field),
  monitor: Schema.optional(Field),
  priority: Schema.optional(Field),
  weight: Schema.optional(Field)
})

export const ModelResponse = Schema.Struct({ gateways: Schema.Struct({ gateway_item: ItemMap(GatewayItem) }) })

const int = (field: Field | undefined, fallback: number): number => {
  const raw = text(field)
  const n = Number(raw)
  return raw === "" || !Number.isFinite(n) ? fallback : n
}

const toLive = (uuid: string, item: typeof GatewayItem.Type): LiveGateway => {
  const marked = parseMarker(text(item.descr))
  return {
    uuid,
    origin: "mvc",
    ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
    spec: {
      name: text(item.name),
      interface: single(item.interface),
      ipVersion: single(item.ipprotocol) === "inet6" ? "inet6" : "inet",
      address: text(item.gateway),
      description: marked.description,
      enabled: !bool(item.disabled),
      priority: int(item.priority, 255),
      weight: int(item.weight, 1),
      defaultGateway: bool(item.defaultgw),
      farGateway: bool(item.fargw),
      monitoring: !bool(item.monitor_disable, true),
      monitor: text(item.monitor)
    }
  }
}

export const fromModel = (response: typeof ModelResponse.Type): ReadonlyArray<LiveGateway> =>
  itemEntries(response.gateways.gateway_item).map(([uuid, item]) => toLive(uuid, item))

const flag = (b: boolean) => (b ? "1" : "0")

/** Body for add_gateway/set_gateway: the fields the spec owns; the rest keep their values. */
export const toWire = (spec: GatewaySpec, owner: string) => ({
  [wrapper]: {
    disabled: flag(!spec.enabled),
    name: spec.name,
    descr: withMarker(spec.description, owner),
    interface: spec.interface,
    ipprotocol: spec.ipVersion,
    gateway: spec.address,
    defaultgw: flag(spec.defaultGateway),
    fargw: flag(spec.farGateway),
    monitor_disable: flag(!spec.monitoring),
    monitor: spec.monitor,
    priority: String(spec.priority),
    weight: String(spec.weight)
  }
})

/**
 * Static routes (`routes/routes`, opnsense/core 25.7, 26.1.x, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Routes/Api/RoutesController.php): wire items →
 * LiveRoute, RouteSpec → wire body. Read with the whole-model `get` (model `route`, ArrayField
 * `route`). The on/off field is `disabled` up to 26.1.9 and `enabled` from 26.1.10
 * (opnsense/core 26.1.10: src/opnsense/mvc/app/models/OPNsense/Routes/Route.xml, Migrations/M1_0_1.php).
 */
import * as Schema from "effect/Schema"
import type { FirmwareVersion } from "../../Domain/Model.ts"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { atLeast } from "../../Opnsense/Version.ts"
import { bool, Field, itemEntries, ItemMap, single, text } from "../../Opnsense/Wire.ts"
import type { LiveRoute, RouteSpec } from "./Spec.ts"

export const base = "routes/routes"
export const wrapper = "route"

const RouteItem = Schema.Struct({
  network: Field,
  gateway: Field,
  descr: Schema.optional(Field),
  disabled: Schema.optional(Field),
  enabled: Schema.optional(Field)
})

export const ModelResponse = Schema.Struct({ route: Schema.Struct({ route: ItemMap(RouteItem) }) })

const toLive = (uuid: string, item: typeof RouteItem.Type): LiveRoute => {
  const marked = parseMarker(text(item.descr))
  return {
    uuid,
    origin: "mvc",
    ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
    spec: {
      network: text(item.network),
      gateway: single(item.gateway),
      description: marked.description,
      enabled: item.enabled !== undefined ? bool(item.enabled, true) : !bool(item.disabled)
    }
  }
}

export const fromModel = (response: typeof ModelResponse.Type): ReadonlyArray<LiveRoute> =>
  itemEntries(response.route.route).map(([uuid, item]) => toLive(uuid, item))

/** Route.xml has `enabled` from 26.1.10 (`disabled` before). */
export const hasEnabledField = (v: FirmwareVersion): boolean => atLeast(v, 26, 1, 10)

export const toWire = (spec: RouteSpec, owner: string, enabledField: boolean) => ({
  [wrapper]: {
    network: spec.network,
    gateway: spec.gateway,
    descr: withMarker(spec.description, owner),
    ...(enabledField ? { enabled: spec.enabled ? "1" : "0" } : { disabled: spec.enabled ? "0" : "1" })
  }
})

/**
 * Static route calls on one firewall (`routes/routes`, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Routes/Api/RoutesController.php). Its reconfigure
 * runs configd `interface routes configure` and fails unless configd answers OK, so it is the one
 * the `routing` subsystem (gateways and routes) uses.
 */
import * as Effect from "effect/Effect"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { LiveRoute, RouteSpec } from "./Spec.ts"
import * as Routes from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<RouteSpec, LiveRoute> => {
  const list = kit.http.json(Routes.ModelResponse, "GET", `${Routes.base}/get`).pipe(Effect.map(Routes.fromModel))
  const owned = (owner: string) => Effect.map(list, (all) => all.find((r) => r.owner === owner)?.uuid)
  const body = (spec: RouteSpec, owner: string) =>
    Effect.map(kit.version, (v) => Routes.toWire(spec, owner, Routes.hasEnabledField(v)))
  return {
    list: list.pipe(Effect.withSpan("Opnsense.routes.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: Effect.fn("Opnsense.routes.create")(function*(spec: RouteSpec, owner: string) {
      return yield* kit.create(`${Routes.base}/addroute`, Routes.wrapper, yield* body(spec, owner), owned(owner))
    }),
    // a changed network: the controller notes the old one, and reconfigure takes it out of the table
    update: Effect.fn("Opnsense.routes.update")(function*(uuid: string, spec: RouteSpec, owner: string) {
      yield* kit.update(`${Routes.base}/setroute/${uuid}`, Routes.wrapper, yield* body(spec, owner))
    }),
    remove: Effect.fn("Opnsense.routes.remove")(function*(uuid: string) {
      yield* kit.remove(`${Routes.base}/delroute/${uuid}`, "route", uuid)
    }),
    reconfigure: kit.reconfigure(`${Routes.base}/reconfigure`, "Routing reconfigure").pipe(
      Effect.withSpan("Opnsense.routes.reconfigure")
    )
  }
}

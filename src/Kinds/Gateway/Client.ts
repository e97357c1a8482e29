/**
 * Gateway calls on one firewall (`routing/settings`, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Routing/Api/SettingsController.php). Its
 * `reconfigure` runs configd `interface routes configure` (rc.routing_configure), the same action
 * as `routes/routes/reconfigure`: gateways and static routes are one subsystem, `routing`, which
 * the route kind reconfigures (see ../Route/index.ts).
 */
import * as Effect from "effect/Effect"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { GatewaySpec, LiveGateway } from "./Spec.ts"
import * as Gateways from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<GatewaySpec, LiveGateway> => {
  const list = kit.http.json(Gateways.ModelResponse, "GET", `${Gateways.base}/get`).pipe(
    Effect.map(Gateways.fromModel)
  )
  const byName = (name: string) => Effect.map(list, (all) => all.find((g) => g.spec.name === name)?.uuid)
  return {
    list: list.pipe(Effect.withSpan("Opnsense.gateways.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    // the name is unique on the firewall: a retried add finds the gateway its first attempt made
    create: Effect.fn("Opnsense.gateways.create")(function*(spec: GatewaySpec, owner: string) {
      return yield* kit.create(
        `${Gateways.base}/add_gateway`,
        Gateways.wrapper,
        Gateways.toWire(spec, owner),
        byName(spec.name)
      )
    }),
    update: Effect.fn("Opnsense.gateways.update")(function*(uuid: string, spec: GatewaySpec, owner: string) {
      yield* kit.update(`${Gateways.base}/set_gateway/${uuid}`, Gateways.wrapper, Gateways.toWire(spec, owner))
    }),
    remove: Effect.fn("Opnsense.gateways.remove")(function*(uuid: string) {
      yield* kit.remove(`${Gateways.base}/del_gateway/${uuid}`, "gateway", uuid)
    }),
    reconfigure: kit.reconfigure(`${Gateways.base}/reconfigure`, "Routing reconfigure").pipe(
      Effect.withSpan("Opnsense.gateways.reconfigure")
    )
  }
}

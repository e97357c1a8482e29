/**
 * Port forward calls on one firewall (`firewall/d_nat`, opnsense/core 26.1 … 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/DNatController.php): search_rule,
 * add_rule, set_rule/{uuid}, del_rule/{uuid}. `apply` is FilterBaseController's applyAction, the
 * same configd `filter reload` as firewall/filter/apply, so the kind shares the rules' subsystem
 * and one filter reload makes both active. Before 26.1 nothing is listed and every write is refused.
 */
import * as Effect from "effect/Effect"
import { UnsupportedVersionError } from "../../Opnsense/Errors.ts"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { LivePortForward, PortForwardSpec } from "./Spec.ts"
import { inApi, UNAVAILABLE } from "./Version.ts"
import * as Wire from "./Wire.ts"

/** DNat.xml sequence: DNatSequenceField MinimumValue 1, MaximumValue 999999 */
export const MAX_SEQUENCE = 999_999

export const client = (kit: ClientKit): KindApi<PortForwardSpec, LivePortForward> => {
  const { http, site } = kit

  const available = Effect.flatMap(kit.version, (v) =>
    inApi(v) ? Effect.void : Effect.fail(
      new UnsupportedVersionError({
        message: `OPNsense ${v.raw} on site "${site}": ${UNAVAILABLE}`,
        site,
        version: v.raw,
        missing: ["firewall/d_nat"]
      })
    ))

  const list = Effect.flatMap(kit.version, (v) =>
    inApi(v)
      ? http.json(Wire.SearchResponse, "POST", `${Wire.base}/search_rule`, { body: allRows, idempotent: true }).pipe(
        Effect.map(Wire.fromSearch)
      )
      : Effect.succeed([]))
  const owned = (owner: string) => Effect.map(list, (all) => all.find((r) => r.owner === owner)?.uuid)

  return {
    list: list.pipe(Effect.withSpan("Opnsense.portForwards.list", { attributes: { "opnsense.site": site } })),
    read: () => list,
    create: Effect.fn("Opnsense.portForwards.create")(function*(spec: PortForwardSpec, owner: string, at) {
      yield* available
      // the model takes category names (CategoryField), but only of categories that exist
      yield* kit.categoryIds(spec.categories)
      return yield* kit.forgettingCategories(
        kit.create(`${Wire.base}/add_rule`, Wire.wrapper, Wire.toWire(spec, owner, at?.sequence ?? 0), owned(owner))
      )
    }),
    update: Effect.fn("Opnsense.portForwards.update")(
      function*(uuid: string, spec: PortForwardSpec, owner: string, at) {
        yield* available
        if (at?.onlySequence === true) {
          return yield* kit.update(`${Wire.base}/set_rule/${uuid}`, Wire.wrapper, Wire.sequenceOnly(at.sequence ?? 0))
        }
        yield* kit.categoryIds(spec.categories)
        yield* kit.forgettingCategories(
          kit.update(`${Wire.base}/set_rule/${uuid}`, Wire.wrapper, Wire.toWire(spec, owner, at?.sequence ?? 0))
        )
      }
    ),
    remove: Effect.fn("Opnsense.portForwards.remove")(function*(uuid: string) {
      yield* available
      yield* kit.remove(`${Wire.base}/del_rule/${uuid}`, "port forward", uuid)
    }),
    reconfigure: kit.reconfigure(`${Wire.base}/apply`, "Filter apply").pipe(
      Effect.withSpan("Opnsense.portForwards.reconfigure")
    )
  }
}

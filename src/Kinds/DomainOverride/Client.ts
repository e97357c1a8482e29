/**
 * Domain override calls on one firewall (`unbound/settings/*_forward`, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Unbound/Api/SettingsController.php), reconfigured with
 * the host overrides by one `unbound/service/reconfigure`.
 */
import * as Effect from "effect/Effect"
import { allRows } from "../../Opnsense/Wire.ts"
import { reconfigurePath } from "../HostOverride/Client.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { DomainOverrideSpec, LiveDomainOverride } from "./Spec.ts"
import * as Forwards from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<DomainOverrideSpec, LiveDomainOverride> => {
  const list = kit.http.json(Forwards.SearchResponse, "POST", `${Forwards.base}/search_forward`, {
    body: allRows,
    idempotent: true
  }).pipe(Effect.map(Forwards.fromSearch))
  const owned = (owner: string) => Effect.map(list, (all) => all.find((d) => d.owner === owner)?.uuid)
  return {
    list: list.pipe(Effect.withSpan("Opnsense.domainOverrides.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: Effect.fn("Opnsense.domainOverrides.create")(function*(spec: DomainOverrideSpec, owner: string) {
      return yield* kit.create(
        `${Forwards.base}/add_forward`,
        Forwards.wrapper,
        Forwards.toWire(spec, owner),
        owned(owner)
      )
    }),
    update: Effect.fn("Opnsense.domainOverrides.update")(
      function*(uuid: string, spec: DomainOverrideSpec, owner: string) {
        yield* kit.update(`${Forwards.base}/set_forward/${uuid}`, Forwards.wrapper, Forwards.toWire(spec, owner))
      }
    ),
    remove: Effect.fn("Opnsense.domainOverrides.remove")(function*(uuid: string) {
      yield* kit.remove(`${Forwards.base}/del_forward/${uuid}`, "domain override", uuid)
    }),
    reconfigure: kit.reconfigure(reconfigurePath, "Unbound reconfigure").pipe(
      Effect.withSpan("Opnsense.unbound.reconfigure")
    )
  }
}

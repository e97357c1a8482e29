/**
 * VLAN calls on one firewall (`interfaces/vlan_settings`, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php).
 */
import * as Effect from "effect/Effect"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { LiveVlan, VlanSpec } from "./Spec.ts"
import * as Vlans from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<VlanSpec, LiveVlan> => {
  const list = Effect.flatMap(kit.capabilities, (c) =>
    c.rawSearchRows
      ? kit.http.json(Vlans.SearchResponse, "POST", `${Vlans.base}/search_item`, { body: allRows, idempotent: true })
        .pipe(Effect.map(Vlans.fromSearch))
      : kit.http.json(Vlans.ModelResponse, "GET", `${Vlans.base}/get`).pipe(Effect.map(Vlans.fromModel)))
  const owned = (owner: string) => Effect.map(list, (all) => all.find((v) => v.owner === owner)?.uuid)
  return {
    list: list.pipe(Effect.withSpan("Opnsense.vlans.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: Effect.fn("Opnsense.vlans.create")(function*(spec: VlanSpec, owner: string) {
      return yield* kit.create(`${Vlans.base}/add_item`, Vlans.wrapper, Vlans.toWire(spec, owner), owned(owner))
    }),
    // a revert gives the device its old name back; otherwise the firewall keeps or chooses it
    update: Effect.fn("Opnsense.vlans.update")(function*(uuid, spec, owner, at) {
      yield* kit.update(
        `${Vlans.base}/set_item/${uuid}`,
        Vlans.wrapper,
        Vlans.toWire(spec, owner, at?.restore?.device)
      )
    }),
    remove: Effect.fn("Opnsense.vlans.remove")(function*(uuid: string) {
      yield* kit.remove(`${Vlans.base}/del_item/${uuid}`, "VLAN", uuid)
    }),
    reconfigure: kit.reconfigure(`${Vlans.base}/reconfigure`, "VLAN reconfigure").pipe(
      Effect.withSpan("Opnsense.vlans.reconfigure")
    )
  }
}

/**
 * 1:1 NAT calls on one firewall (`firewall/one_to_one`, opnsense/core 25.7, 26.1.x, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/OneToOneController.php, a
 * FilterBaseController on the Filter model).
 */
import * as Effect from "effect/Effect"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { LiveOneToOne, OneToOneSpec } from "./Spec.ts"
import * as Wire from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<OneToOneSpec, LiveOneToOne> => {
  const { http, site } = kit
  const list = Effect.flatMap(kit.capabilities, (c) =>
    c.rawSearchRows
      ? http.json(Wire.SearchResponse, "POST", `${Wire.base}/search_rule`, { body: allRows, idempotent: true })
        .pipe(Effect.map(Wire.fromSearch))
      : http.json(Wire.ModelResponse, "GET", `${Wire.base}/get`).pipe(Effect.map(Wire.fromModel)))
  const owned = (owner: string) => Effect.map(list, (all) => all.find((r) => r.owner === owner)?.uuid)
  return {
    list: list.pipe(Effect.withSpan("Opnsense.oneToOne.list", { attributes: { "opnsense.site": site } })),
    read: () => list,
    create: Effect.fn("Opnsense.oneToOne.create")(function*(spec: OneToOneSpec, owner: string, at) {
      return yield* kit.create(
        `${Wire.base}/add_rule`,
        Wire.wrapper,
        Wire.toWire(spec, owner, at?.sequence ?? 0),
        owned(owner)
      )
    }),
    update: Effect.fn("Opnsense.oneToOne.update")(function*(uuid: string, spec: OneToOneSpec, owner: string, at) {
      const sequence = at?.sequence ?? 0
      yield* kit.update(
        `${Wire.base}/set_rule/${uuid}`,
        Wire.wrapper,
        at?.onlySequence === true
          ? { [Wire.wrapper]: { sequence: String(sequence) } }
          : Wire.toWire(spec, owner, sequence)
      )
    }),
    remove: Effect.fn("Opnsense.oneToOne.remove")(function*(uuid: string) {
      yield* kit.remove(`${Wire.base}/del_rule/${uuid}`, "1:1 NAT entry", uuid)
    }),
    // FilterBaseController applyAction: the same configd `filter reload` as firewall/filter/apply
    reconfigure: kit.reconfigure(`${Wire.base}/apply`, "Filter apply").pipe(
      Effect.withSpan("Opnsense.oneToOne.reconfigure")
    )
  }
}

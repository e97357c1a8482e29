/**
 * 1:1 NAT calls on one firewall (`firewall/one_to_one`, opnsense/core 25.7, 26.1.x, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/OneToOneController.php, a
 * FilterBaseController on the Filter model).
 */
import * as Effect from "effect/Effect"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import { ruleActions } from "../RuleActions.ts"
import type { LiveOneToOne, OneToOneSpec } from "./Spec.ts"
import * as Wire from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<OneToOneSpec, LiveOneToOne> => {
  const { http, site } = kit
  const list = Effect.flatMap(kit.capabilities, (c) =>
    c.rawSearchRows
      ? http.json(Wire.SearchResponse, "POST", `${Wire.base}/search_rule`, { body: allRows, idempotent: true })
        .pipe(Effect.map(Wire.fromSearch))
      : http.json(Wire.ModelResponse, "GET", `${Wire.base}/get`).pipe(Effect.map(Wire.fromModel)))
  return {
    list: list.pipe(Effect.withSpan("Opnsense.oneToOne.list", { attributes: { "opnsense.site": site } })),
    read: () => list,
    ...ruleActions(kit, list, {
      base: Wire.base,
      wrapper: Wire.wrapper,
      noun: "1:1 NAT entry",
      span: "oneToOne",
      toWire: Wire.toWire
    })
  }
}

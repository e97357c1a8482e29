/**
 * Outbound NAT rule calls on one firewall (`firewall/source_nat`, opnsense/core 25.7, 26.1.x,
 * 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/SourceNatController.php, a
 * FilterBaseController on the Filter model).
 *
 * Listing every configured rule takes a different call per version:
 * - 25.7 and older: `search_rule` returns only enabled, sequence and description (searchBase with
 *   those fields), so the whole Filter model is read, from `firewall/filter/get` as the filter rules
 *   of those versions are (FilterController.php keeps ApiMutableModelControllerBase getAction: the
 *   whole model, `snatrules` included);
 * - 26.1 to 26.1.10: `search_rule` gives every configured rule, raw (searchBase, all fields);
 * - 26.1.11 and 26.7: `search_rule` lists configured rules only in hybrid or advanced mode (and
 *   adds display-only automatic rows in automatic or hybrid mode), and 26.7's `source_nat/get` is
 *   only the mode, so `download_rules` (every configured rule, CSV, whatever the mode) is read:
 *   one small request instead of the whole Filter model.
 */
import * as Effect from "effect/Effect"
import type { FirmwareVersion } from "../../Domain/Model.ts"
import { atLeast } from "../../Opnsense/Version.ts"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import { ruleActions } from "../RuleActions.ts"
import { parseCsv } from "./Csv.ts"
import type { LiveOutboundNat, OutboundNatSpec } from "./Spec.ts"
import * as Wire from "./Wire.ts"

type Listing = "model" | "search" | "download"

const listingOf = (v: FirmwareVersion): Listing =>
  atLeast(v, 26, 1, 11) ? "download" : atLeast(v, 26, 1) ? "search" : "model"

export const client = (kit: ClientKit): KindApi<OutboundNatSpec, LiveOutboundNat> => {
  const { http, site } = kit
  const search = http.json(Wire.SearchResponse, "POST", `${Wire.base}/search_rule`, { body: allRows, idempotent: true })
    .pipe(Effect.map(Wire.fromSearch))
  const model = http.json(Wire.ModelResponse, "GET", "firewall/filter/get").pipe(Effect.map(Wire.fromModel))
  const list = Effect.flatMap(kit.version, (v) => {
    switch (listingOf(v)) {
      case "search":
        return search
      case "model":
        return model
      case "download":
        return http.raw("GET", `${Wire.base}/download_rules`).pipe(
          Effect.map((r) => Wire.fromCsv(parseCsv(r.body)))
        )
    }
  })
  return {
    list: list.pipe(Effect.withSpan("Opnsense.outboundNat.list", { attributes: { "opnsense.site": site } })),
    read: () => list,
    ...ruleActions(kit, list, {
      base: Wire.base,
      wrapper: Wire.wrapper,
      noun: "outbound NAT rule",
      span: "outboundNat",
      toWire: Wire.toWire,
      unsupported: Wire.lacking
    })
  }
}

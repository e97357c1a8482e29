/**
 * `firewall/one_to_one` (opnsense/core 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/OneToOneController.php): 1:1 NAT (BINAT
 * and NAT) rules, Filter model `onetoone.rule`, wrapper `rule`, toggle on `enabled`, categories by
 * uuid, apply through FilterBaseController (`filter reload`). 26.7 computes `sort_order`/`prio_group`
 * and gives `get_rule?fetchmode=copy`.
 */
import type { Resource } from "./Crud.ts"
import { encodeGet, encodeRow } from "./Fields.ts"
import { categoryColors, categoryParam, natRuleActions, networkMeta, nextSequence } from "./FilterBase.ts"
import { normaliseNat, oneToOneTable, validateOneToOne, withPriority } from "./NatModel.ts"
import type { Controller, Ctx, Request } from "./Router.ts"
import { grid, gridParams, type Item, json, type Reply } from "./Wire.ts"

const encodeRule = (c: Ctx, item: Item) =>
  encodeGet(oneToOneTable, c.v.natRework ? withPriority(c.state, item) : item, c, { twins: c.v.twinsInGet })

export const oneToOneResource: Resource = {
  wrapper: "rule",
  table: oneToOneTable,
  collection: (c) => c.state.onetoone,
  complete: (c, item) => {
    normaliseNat(item)
    if ((item["sequence"] ?? "") === "") item["sequence"] = String(nextSequence(c.state.onetoone))
    delete item["sort_order"]
    delete item["prio_group"]
  },
  validate: (c, item, _old, _uuid, m) => validateOneToOne(c, item, m),
  encode: (c, item) => encodeRule(c, item)
}

/** searchBase (UIModelGrid, default sort sequence), plus category colours and alias_meta_source_net/destination_net. */
const searchRule = (req: Request, c: Ctx) => {
  const wanted = categoryParam(req.body, req.query)
  const rows = []
  for (const [uuid, stored] of c.state.onetoone.entries()) {
    const cats = stored["categories"] ?? ""
    if (wanted.length > 0 && !cats.split(",").some((x) => x !== "" && wanted.includes(x))) continue
    const item = c.v.natRework ? withPriority(c.state, stored) : stored
    const row = encodeRow(oneToOneTable, uuid, item, c)
    row["category_colors"] = categoryColors(c.state, item)
    for (const f of ["source_net", "destination_net"]) {
      const v = item[f] ?? ""
      if (v !== "") row[`alias_meta_${f}`] = networkMeta(c, v)
    }
    rows.push(row)
  }
  return grid(rows, gridParams(req.body, req.query, false), { defaultSort: "sequence" })
}

export const controller = (wholeModel: (c: Ctx) => Reply): Controller => ({
  module: "firewall",
  controller: "one_to_one",
  actions: {
    search_rule: { handle: (req, c) => searchRule(req, c) },
    ...natRuleActions(oneToOneResource),
    // ApiMutableModelControllerBase getAction: the whole Filter model
    get: { handle: (req, c) => (req.isGet ? wholeModel(c) : json([])) }
  }
})

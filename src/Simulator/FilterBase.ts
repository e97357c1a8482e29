/**
 * What the controllers built on FilterBaseController share (opnsense/core 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php): `apply`
 * (configd `filter reload`, with the ≤26.1 rollback timer), `toggle_rule_log`, the ≤26.1 savepoint
 * actions, and the search-row helpers `getNetworks` (alias_meta_*) and `getCategoryColors`.
 * firewall/filter, firewall/source_nat and firewall/one_to_one all extend it.
 */
import { aliasExists } from "./Aliases.ts"
import { addItem, delItem, getItem, type Resource, setItem, toggleItem } from "./Crud.ts"
import { splitList } from "./Fields.ts"
import type { Action, Ctx } from "./Router.ts"
import { savepointActions } from "./Savepoint.ts"
import { applyFilter, type Collection, type SimulatorState } from "./State.ts"
import { type Item, json, userException } from "./Wire.ts"

/**
 * applyAction: POST only (`{"status":"error"}` otherwise); ≤26.1 arms the rollback timer for a
 * revision given in the path; configd answers "OK\n\n". The configd action is `filter reload`
 * (26.1.5) or `filter reload skip_alias` (26.1.11+, 26.7); both load every rule set of config.xml.
 */
export const applyAction: Action = {
  handle: (req, c) => {
    if (!req.isPost) return json({ status: "error" })
    const revision = req.params[0]
    if (revision !== undefined && c.v.savepoint) savepointActions.armRollback(c, revision)
    applyFilter(c.state)
    return json({ status: "OK\n\n" })
  }
}

/** toggleRuleLogBase: POST only; an unknown uuid is a UserException "Rule not found". */
export const toggleRuleLogAction = (collection: (c: Ctx) => Collection): Action => ({
  params: 2,
  handle: (req, c) => {
    if (!req.isPost) return json({ status: "error", message: "Invalid request method" })
    const col = collection(c)
    const uuid = req.params[0] ?? ""
    const item = col.get(uuid)
    if (item === undefined) throw userException(c.v, "Rule not found")
    // anything but "1" is stored as off (a BooleanField keeps "0"/"1")
    const log = req.params[1] === "1" ? "1" : "0"
    if (item["log"] !== log) {
      col.put(uuid, { ...item, log })
      c.save(req)
    }
    return json({ status: "ok" })
  }
})

/**
 * getNetworks: one entry per comma item; interfaces as "<descr> net"/"<descr> address" (26.1.5) or
 * "<descr> network"/"<descr> address" (26.7.2), aliases by name with their description, anything
 * else (an address, a port) as itself. The alias `summary` (Util::aliasSummary) is not emulated.
 */
export const networkMeta = (c: Ctx, value: string): Array<Record<string, unknown>> => {
  const s = c.state
  const net = c.v.natRework ? "network" : "net"
  const plain = (v: string, label: string) => ({ value: v, "%value": label, isAlias: false, description: "" })
  return value.split(",").map((raw) => {
    const token = raw.trim()
    if (token === "any") return plain(token, "any")
    if (token === "(self)") return plain(token, "This Firewall")
    for (const i of s.configInterfaces()) {
      const descr = i.description !== "" ? i.description : i.identifier.toUpperCase()
      if (token === i.identifier || token === i.device) return plain(token, `${descr} ${net}`)
      if (token === `${i.identifier}ip`) return plain(token, `${descr} address`)
    }
    const alias = aliasExists(s, token)
    if (alias !== undefined) {
      const description = "description" in alias ? alias.description : (alias["description"] ?? "")
      return { description, value: token, "%value": token, isAlias: true }
    }
    return plain(token, token)
  })
}

/** getCategoryColors: `{color: "#rrggbb" or "", name, uuid}` per known category uuid. */
export const categoryColors = (s: SimulatorState, item: Item): Array<Record<string, string>> =>
  splitList(item["categories"] ?? "").flatMap((uuid) => {
    const cat = s.categories.get(uuid)
    if (cat === undefined) return []
    const color = cat["color"] ?? ""
    return [{ color: color === "" ? "" : `#${color}`, name: cat["name"] ?? "", uuid }]
  })

/** The category filter of the NAT search_rule actions: `category` (array or scalar), query or body. */
export const categoryParam = (body: Readonly<Record<string, unknown>>, query: URLSearchParams): Array<string> => {
  const b = body["category"]
  if (Array.isArray(b)) return b.map(String)
  if (typeof b === "string" && b !== "") return [b]
  const q = [...query.getAll("category[]"), ...query.getAll("category")]
  return q.filter((x) => x !== "")
}

/**
 * FilterSequenceField::applyDefault: the highest sequence of the same rule set, counted from
 * MinimumValue 1, plus 100 (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/FilterSequenceField.php).
 */
export const nextSequence = (col: Collection): number => {
  let max = 1
  for (const r of col.values()) max = Math.max(max, Number(r["sequence"] ?? 0) || 0)
  return max + 100
}

/**
 * setCopySequence (26.1.11+): `?fetchmode=copy` on get_rule gives the rule with sequence max+100
 * as a JSON number; the max is counted from 0 here, not from MinimumValue.
 */
export const copySequence = (col: Collection): number => {
  let max = 0
  for (const r of col.values()) max = Math.max(max, Math.trunc(Number(r["sequence"] ?? 0)) || 0)
  return max + 100
}

/**
 * The rule actions of the NAT controllers built on FilterBaseController (source_nat, one_to_one):
 * get_rule (with setCopySequence from 26.7), add/set/del_rule, toggle_rule on `enabled`,
 * toggle_rule_log, apply, and the ≤26.1 savepoint actions.
 */
export const natRuleActions = (r: Resource): Readonly<Record<string, Action>> => ({
  get_rule: {
    handle: (req, c) => {
      const uuid = req.params[0]
      const item = uuid === undefined ? undefined : r.collection(c).get(uuid)
      if (c.v.natRework && item !== undefined && req.query.get("fetchmode") === "copy") {
        return json({ rule: { ...r.encode(c, item, uuid), sequence: copySequence(r.collection(c)) } })
      }
      return getItem(r).handle(req, c)
    }
  },
  add_rule: addItem(r),
  set_rule: setItem(r),
  del_rule: delItem(r),
  toggle_rule: toggleItem(r, "enabled"),
  toggle_rule_log: toggleRuleLogAction(r.collection),
  apply: applyAction,
  ...savepointActions.controllerActions
})

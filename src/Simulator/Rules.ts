/**
 * `firewall/filter`: rule CRUD, per-version `search_rule`, apply (rules are inactive
 * until then), move_rule_before, toggle_rule_log, whole-model get, CSV download/upload, and the
 * ≤26.1 savepoint protocol. Rows and encoded rules are cached per (immutable) item so 10 000 rules
 * are served without re-encoding.
 */
import { aliasExists, builtinAliases } from "./Aliases.ts"
import { addItem, delItem, getItem, type Resource, setItem, toggleItem } from "./Crud.ts"
import { encodeGet, encodeRow, splitList } from "./Fields.ts"
import { applyAction, toggleRuleLogAction } from "./FilterBase.ts"
import { legacyRows } from "./LegacyRules.ts"
import { withPriority } from "./NatModel.ts"
import { oneToOneResource } from "./OneToOne.ts"
import type { Controller, Ctx, Request } from "./Router.ts"
import { downloadRules, uploadRules } from "./RuleCsv.ts"
import { networkLabel, normaliseProtocol, prioGroup, ruleTable, validateRule, withComputed } from "./RuleModel.ts"
import { savepointActions } from "./Savepoint.ts"
import { encodeGeneral, snatResource } from "./SourceNat.ts"
import type { SimulatorState } from "./State.ts"
import {
  grid,
  gridParams,
  type Item,
  json,
  JSON_CONTENT_TYPE,
  phpJson,
  raw,
  type Reply,
  userException
} from "./Wire.ts"

// --- caches -------------------------------------------------------------------------------------

interface RuleCache {
  version: number
  maxSequence: number
  /** MVC rule uuids in evaluation order (prio group, sequence) */
  order: Array<string>
  rows: WeakMap<Item, { epoch: number; row: Record<string, unknown> }>
  encoded: WeakMap<Item, { epoch: number; text: string }>
}
const caches = new WeakMap<SimulatorState, RuleCache>()

const cacheFor = (s: SimulatorState): RuleCache => {
  let cache = caches.get(s)
  if (cache === undefined) {
    cache = { version: -1, maxSequence: 0, order: [], rows: new WeakMap(), encoded: new WeakMap() }
    caches.set(s, cache)
  }
  if (cache.version !== s.rules.version) {
    // FilterSequenceField::applyDefault counts from MinimumValue (1), so a first rule gets 101
    // (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/FilterSequenceField.php)
    let max = 1
    const keyed: Array<[number, number, string]> = []
    for (const [uuid, r] of s.rules.entries()) {
      const seq = Number(r["sequence"] ?? 0)
      if (seq > max) max = seq
      keyed.push([Number(r["prio_group"] ?? prioGroup(s, r)), seq, uuid])
    }
    keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    cache.maxSequence = max
    cache.order = keyed.map((k) => k[2])
    cache.version = s.rules.version
  }
  return cache
}

export const maxSequence = (s: SimulatorState): number => cacheFor(s).maxSequence
export const rulesInOrder = (s: SimulatorState): Array<string> => cacheFor(s).order

// --- resource -----------------------------------------------------------------------------------

export const ruleResource: Resource = {
  wrapper: "rule",
  table: ruleTable,
  collection: (c) => c.state.rules,
  complete: (c, item, _old, uuid) => {
    normaliseProtocol(item)
    if ((item["sequence"] ?? "") === "") item["sequence"] = String(maxSequence(c.state) + 100)
    if (uuid === "") {
      item["sort_order"] = ""
      item["prio_group"] = ""
    } else withComputed(c.state, item)
  },
  validate: (c, item, _old, _uuid, m) => validateRule(c, item, m),
  encode: (c, item) => encodeGet(ruleTable, item, c, { twins: c.v.twinsInGet })
}

const aliasMeta = (c: Ctx, value: string): Array<Record<string, unknown>> =>
  splitList(value).map((token) => {
    const alias = aliasExists(c.state, token)
    if (alias !== undefined) {
      const description = "description" in alias ? alias.description : (alias["description"] ?? "")
      return { value: token, "%value": token, isAlias: true, description }
    }
    return { value: token, "%value": networkLabel(c.state, token) ?? token, isAlias: false, description: "" }
  })

const categoryColors = (s: SimulatorState, item: Item): Array<string> =>
  splitList(item["categories"] ?? "").map((uuid) => s.categories.get(uuid)?.["color"] ?? "")

const ruleRow = (c: Ctx, uuid: string, item: Item): Record<string, unknown> => {
  const cache = cacheFor(c.state)
  const hit = cache.rows.get(item)
  if (hit !== undefined && hit.epoch === c.state.labelsEpoch) return hit.row
  const row = encodeRow(ruleTable, uuid, item, c)
  for (const f of ["source_net", "source_port", "destination_net", "destination_port"]) {
    const v = item[f] ?? ""
    if (v !== "") row[`alias_meta_${f}`] = aliasMeta(c, v)
  }
  row["category_colors"] = categoryColors(c.state, item)
  cache.rows.set(item, { epoch: c.state.labelsEpoch, row })
  return row
}

/** The interface filter of search_rule (§7.3). */
const interfaceFilter = (c: Ctx, param: string | undefined, showAll: boolean): (item: Item) => boolean => {
  if (param === undefined) return () => true
  const ifs = splitList(param.trim())
  const floating = (item: Item) => splitList(item["interface"] ?? "").length !== 1
  if (ifs.length === 0) return floating
  if (c.v.series === "26.7" || showAll) {
    const groups = c.state.groups.filter((g) => g.members.some((m) => ifs.includes(m))).map((g) => g.name)
    const wanted = new Set([...ifs, ...groups])
    return (item) => {
      const own = splitList(item["interface"] ?? "")
      return own.length === 0 || own.some((i) => wanted.has(i))
    }
  }
  return (item) => {
    const own = splitList(item["interface"] ?? "")
    return own.length === 1 && ifs.includes(own[0] ?? "")
  }
}
const stringParam = (
  body: Readonly<Record<string, unknown>>,
  query: URLSearchParams,
  name: string
): string | undefined => {
  const b = body[name]
  if (typeof b === "string") return b
  if (Array.isArray(b)) return b.map(String).join(",")
  return query.get(name) ?? undefined
}

const categoryFilter = (body: Readonly<Record<string, unknown>>, query: URLSearchParams): Array<string> => {
  const b = body["category"]
  if (Array.isArray(b)) return b.map(String)
  return query.getAll("category[]")
}

const searchRule = (c: Ctx, req: Request) => {
  const showAll = stringParam(req.body, req.query, "show_all") === "1"
  const byInterface = interfaceFilter(c, stringParam(req.body, req.query, "interface"), showAll)
  const categories = categoryFilter(req.body, req.query)
  const rows: Array<Record<string, unknown>> = []
  for (const uuid of rulesInOrder(c.state)) {
    const item = c.state.rules.get(uuid)
    if (item === undefined || !byInterface(item)) continue
    if (categories.length > 0 && !splitList(item["categories"] ?? "").some((x) => categories.includes(x))) continue
    rows.push(ruleRow(c, uuid, item))
  }
  if (c.v.searchMixesLegacy || showAll) {
    // filtered on the identifiers, returned translated (descriptions): the map runs after the filter
    const legacy = legacyRows(c.state, c.v).filter((r) => byInterface({ interface: r.interfaces }))
    rows.push(...legacy.map((r) => r.row))
    rows.sort((a, b) => Number(a["sort_order"]) - Number(b["sort_order"]))
  }
  return grid(rows, gridParams(req.body, req.query, true), {
    defaultSort: "sort_order",
    recordset: true,
    presorted: true
  })
}

const encodedRule = (c: Ctx, uuid: string, item: Item): string => {
  const cache = cacheFor(c.state)
  const hit = cache.encoded.get(item)
  if (hit !== undefined && hit.epoch === c.state.labelsEpoch) return hit.text
  const text = `${phpJson(uuid)}:${phpJson(encodeGet(ruleTable, item, c, { twins: c.v.twinsInGet, reduced: true }))}`
  cache.encoded.set(item, { epoch: c.state.labelsEpoch, text })
  return text
}

/** `{uuid: item}` of a NAT rule set in whole-model form (long option maps reduced), or `[]`. */
const natRules = (c: Ctx, r: Resource): string => {
  const parts: Array<string> = []
  for (const [uuid, item] of r.collection(c).entries()) {
    parts.push(`${phpJson(uuid)}:${
      phpJson(encodeGet(r.table, c.v.natRework ? withPriority(c.state, item) : item, c, {
        twins: c.v.twinsInGet,
        reduced: true
      }))
    }`)
  }
  return parts.length === 0 ? "[]" : `{${parts.join(",")}}`
}

/**
 * Whole-model get, assembled from cached per-rule JSON (long option maps reduced to their selection):
 * `general` (26.1.11+, the outbound NAT mode), filter rules, source NAT, NPTv6 (not emulated) and
 * 1:1 NAT rules. Also what `source_nat/get` (≤26.1) and `one_to_one/get` answer.
 */
export const wholeModel = (c: Ctx): Reply => {
  const parts: Array<string> = []
  for (const [uuid, item] of c.state.rules.entries()) parts.push(encodedRule(c, uuid, item))
  const rules = parts.length === 0 ? "[]" : `{${parts.join(",")}}`
  const general = c.v.filterGeneral ? `"general":${phpJson(encodeGeneral(c))},` : ""
  return raw(
    `{"filter":{${general}"rules":{"rule":${rules}},"snatrules":{"rule":${
      natRules(c, snatResource)
    }},"npt":{"rule":[]},"onetoone":{"rule":${natRules(c, oneToOneResource)}}}}`,
    JSON_CONTENT_TYPE
  )
}

const groupName = (
  prio: number
) => (prio === 200000 ? "Floating Rule" : prio < 400000 ? "Group Rule" : "Interface Rule")

const moveRuleBefore = (c: Ctx, selected: string, target: string): void => {
  const s = c.state
  const sel = s.rules.get(selected)
  const tgt = s.rules.get(target)
  if (sel === undefined || tgt === undefined) {
    throw userException(c.v, "Either source or destination is not a rule managed with this component")
  }
  if (selected === target) throw userException(c.v, "Cannot move to the same spot.")
  const ps = prioGroup(s, sel)
  const pt = prioGroup(s, tgt)
  if (ps !== pt) throw userException(c.v, `Cannot move '${groupName(ps)}' before '${groupName(pt)}'.`)
  const group = rulesInOrder(s).filter((u) => u !== selected && prioGroup(s, s.rules.get(u) ?? {}) === pt)
  const at = group.indexOf(target)
  const targetSeq = Number(tgt["sequence"])
  const prevSeq = at > 0 ? Number(s.rules.get(group[at - 1] ?? "")?.["sequence"] ?? 0) : 0
  const put = (uuid: string, seq: number) => {
    const r: Record<string, string> = { ...(s.rules.get(uuid) ?? {}), sequence: String(seq) }
    withComputed(s, r)
    s.rules.put(uuid, r)
  }
  if (targetSeq - prevSeq > 2) {
    put(selected, prevSeq + Math.floor((targetSeq - prevSeq) / 2))
    return
  }
  // no room: the selected rule takes the target's place, the rest move up in steps of 50
  put(selected, targetSeq)
  let next = targetSeq
  for (const uuid of group.slice(at)) {
    next += 50
    put(uuid, next)
  }
}

/**
 * The rule editor's interface selector: every interface of config.xml but lo0 ("no rules should be
 * on there"), groups apart, each labelled with its description or its identifier in upper case;
 * 26.1 also counts the rules per interface and sorts by that count.
 * opnsense/core 26.1.5 and 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php getInterfaceListAction
 */
const interfaceList = (c: Ctx) => {
  const s = c.state
  const counted = c.v.series === "26.1"
  const counts = new Map<string, number>()
  if (counted) {
    for (const r of s.rules.values()) {
      const own = splitList(r["interface"] ?? "")
      const key = own.length === 1 && (r["interfacenot"] ?? "0") !== "1" ? own[0] ?? "" : "floating"
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  const item = (value: string, label: string, type: string) => ({
    value,
    label,
    ...(counted ? { count: counts.get(value === "__floating" ? "floating" : value) ?? 0 } : {}),
    type
  })
  const sorted = (items: Array<ReturnType<typeof item>>) =>
    items.sort((a, b) => (counted ? (b.count ?? 0) - (a.count ?? 0) : 0) || a.label.localeCompare(b.label))
  const interfaces = s.interfaces.filter((i) => i.identifier !== "lo0").map((i) =>
    item(i.identifier, i.description !== "" ? i.description : i.identifier.toUpperCase(), "interface")
  )
  const groups = s.groups.map((g) => item(g.name, g.name, "group"))
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  return {
    floating: {
      label: "Floating",
      icon: "fa fa-layer-group fa-fw text-primary",
      items: [item("__floating", "Floating", "floating")]
    },
    groups: { label: "Groups", icon: "fa fa-sitemap fa-fw text-warning", items: sorted(groups) },
    interfaces: { label: "Interfaces", icon: "fa fa-ethernet fa-fw text-info", items: sorted(interfaces) },
    any: {
      label: "Any",
      icon: "fa fa-globe-europe fa-fw",
      items: [{ value: "__any", label: "All rules", ...(counted ? { count: total } : {}), type: "any" }]
    }
  }
}

export const controller: Controller = {
  module: "firewall",
  controller: "filter",
  actions: {
    search_rule: { handle: (req, c) => searchRule(c, req) },
    get_rule: {
      handle: (req, c) => {
        const uuid = req.params[0]
        const item = uuid === undefined ? undefined : c.state.rules.get(uuid)
        // 25.7+: ?fetchmode=copy gives the rule with sequence max+100, as a JSON number (§7.2)
        if (item !== undefined && req.query.get("fetchmode") === "copy") {
          return json({ rule: { ...ruleResource.encode(c, item, uuid), sequence: maxSequence(c.state) + 100 } })
        }
        return getItem(ruleResource).handle(req, c)
      }
    },
    add_rule: addItem(ruleResource),
    set_rule: setItem(ruleResource),
    del_rule: delItem(ruleResource),
    toggle_rule: toggleItem(ruleResource, "enabled"),
    toggle_rule_log: toggleRuleLogAction((c) => c.state.rules),
    move_rule_before: {
      params: 2,
      handle: (req, c) => {
        if (!req.isPost) return json({ status: "error", message: "Invalid request method" })
        moveRuleBefore(c, req.params[0] ?? "", req.params[1] ?? "")
        c.save(req)
        return json({ status: "ok" })
      }
    },
    apply: applyAction,
    get: { handle: (req, c) => (req.isGet ? wholeModel(c) : json([])) },
    download_rules: { handle: (_req, c) => downloadRules(c) },
    upload_rules: { handle: (req, c) => uploadRules(c, req) },
    list_categories: {
      handle: (_req, c) => {
        const used = new Map<string, number>()
        for (const r of c.state.rules.values()) {
          for (const u of splitList(r["categories"] ?? "")) used.set(u, (used.get(u) ?? 0) + 1)
        }
        return json({
          rows: [...c.state.categories.entries()].map(([uuid, cat]) => ({
            uuid,
            name: cat["name"] ?? "",
            color: cat["color"] ?? "",
            used: String(used.get(uuid) ?? 0)
          }))
        })
      }
    },
    get_interface_list: { handle: (req, c) => (req.isGet ? json(interfaceList(c)) : json([])) },
    list_network_select_options: {
      handle: (_req, c) => {
        const s = c.state
        const aliases: Record<string, string> = {}
        for (const a of s.aliases.values()) if (a["type"] !== "port") aliases[a["name"] ?? ""] = a["name"] ?? ""
        for (const b of builtinAliases(s)) aliases[b.name] = b.name
        const networks: Record<string, string> = { any: "any", "(self)": "This Firewall" }
        for (const i of s.interfaces) {
          networks[i.identifier] = `${i.description} net`
          networks[`${i.identifier}ip`] = `${i.description} address`
        }
        return json({
          single: { label: "Single host or Network" },
          aliases: { label: "Aliases", items: aliases },
          networks: { label: "Networks", items: networks }
        })
      }
    },
    ...savepointActions.controllerActions
  }
}

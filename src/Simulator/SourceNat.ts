/**
 * `firewall/source_nat` (opnsense/core 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/SourceNatController.php): outbound NAT rules,
 * Filter model `snatrules.rule`, wrapper `rule`, toggle on `enabled`, categories by uuid, apply
 * through FilterBaseController (`filter reload`). 26.7 adds the outbound NAT mode (`get`/`set` of
 * `general.snat_mode`, kept in config `nat/outbound/mode`), lists by that mode with synthetic
 * automatic rows, and computes `sort_order`/`prio_group`.
 */
import type { Resource } from "./Crud.ts"
import { encodeGet, encodeRow, fieldsFor, optionMap, type Table, validateFields } from "./Fields.ts"
import { categoryColors, categoryParam, natRuleActions, networkMeta, nextSequence } from "./FilterBase.ts"
import { generatedTable } from "./Generated.ts"
import { normaliseNat, snatTable, validateSnat, withPriority } from "./NatModel.ts"
import { addressFamily } from "./Net.ts"
import type { Controller, Ctx, Request } from "./Router.ts"
import type { Iface } from "./State.ts"
import { grid, gridParams, isRecord, type Item, json, Messages, raw, type Reply, type Row } from "./Wire.ts"

/**
 * Filter.xml `general` (26.1.11+): `snat_mode`, an SNatModeField. It is volatile (never stored in
 * the model's XML; Filter::serializeToConfig writes it to `nat/outbound/mode`), but validated and
 * rendered as the OptionField it is.
 */
const generalTable: Table = generatedTable("Firewall/Filter", "general", { snat_mode: { kind: "option" } })

/**
 * SNatModeField::actionPostLoadingEvent: config `nat/outbound/mode` when it is one of the four
 * modes, else `automatic`. opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/SNatModeField.php
 */
export const snatMode = (c: Ctx): string => {
  const mode = c.state.natOutboundMode
  return ["automatic", "hybrid", "advanced", "disabled"].includes(mode) ? mode : "automatic"
}

/** `general` as getNodes renders it: `{snat_mode: {automatic: {value, selected}, …}}`. */
export const encodeGeneral = (c: Ctx): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const f of generalTable) {
    if (f.since?.(c.v) === false) continue
    out[f.name] = optionMap(f, f.name === "snat_mode" ? snatMode(c) : "", c)
  }
  return out
}

const encodeRule = (c: Ctx, item: Item) =>
  encodeGet(snatTable, c.v.natRework ? withPriority(c.state, item) : item, c, { twins: c.v.twinsInGet })

export const snatResource: Resource = {
  wrapper: "rule",
  table: snatTable,
  collection: (c) => c.state.snat,
  complete: (c, item) => {
    normaliseNat(item)
    if ((item["sequence"] ?? "") === "") item["sequence"] = String(nextSequence(c.state.snat))
    // sort_order and prio_group are volatile: computed on load, never stored
    delete item["sort_order"]
    delete item["prio_group"]
  },
  validate: (c, item, _old, _uuid, m) => validateSnat(c, item, m),
  encode: (c, item) => encodeRule(c, item)
}

const META_FIELDS = ["source_net", "source_port", "destination_net", "destination_port", "target", "target_port"]

/** filter_funct's additions: category colours and alias_meta_<field> for non-empty fields. */
const decorate = (c: Ctx, row: Row): Row => {
  row["category_colors"] = categoryColors(c.state, { categories: String(row["categories"] ?? "") })
  for (const f of META_FIELDS) {
    const v = row[f]
    if (typeof v === "string" && v !== "") row[`alias_meta_${f}`] = networkMeta(c, v)
  }
  return row
}

const inCategories = (wanted: ReadonlyArray<string>, categories: string): boolean =>
  wanted.length === 0 || categories.split(",").some((x) => x !== "" && wanted.includes(x))

/**
 * getAutomaticOutboundNatRules (26.7, display only): every config interface with IPv4 (a literal,
 * `dhcp` or `pppoe`) is either a NAT interface (dhcp/pppoe, or a gateway other than `none`, and a
 * device not `ovpn*`) or a source network; each NAT interface gets an ISAKMP rule and a catch-all
 * rule, both from all source networks to `<if>ip`, sort group 500000.
 */
const automaticRows = (c: Ctx): Array<Row> => {
  const sources: Array<string> = []
  const nat: Array<Iface> = []
  for (const i of c.state.configInterfaces()) {
    const ipaddr = i.ipaddr ?? ""
    const dynamic = ipaddr === "dhcp" || ipaddr === "pppoe"
    if (!dynamic && addressFamily(ipaddr) !== "inet") continue
    const gateway = i.gateway ?? ""
    if ((dynamic || (gateway !== "" && gateway !== "none")) && !i.device.startsWith("ovpn")) nat.push(i)
    else sources.push(i.identifier)
  }
  const rows: Array<Row> = []
  let sequence = 1
  for (const i of nat) {
    for (const isakmp of [true, false]) {
      rows.push({
        uuid: isakmp ? `automatic_isakmp_${i.identifier}` : `automatic_${i.identifier}`,
        enabled: "1",
        nonat: "0",
        nosync: "0",
        sequence: String(sequence),
        interface: i.identifier,
        "%interface": i.description !== "" ? i.description : i.identifier.toUpperCase(),
        ipprotocol: "inet",
        "%ipprotocol": "IPv4",
        protocol: "any",
        "%protocol": "*",
        source_net: sources.join(","),
        source_not: "0",
        source_port: "",
        destination_net: "any",
        destination_not: "0",
        destination_port: isakmp ? "500" : "",
        target: `${i.identifier}ip`,
        target_port: "",
        staticnatport: isakmp ? "1" : "0",
        log: "0",
        categories: "",
        tag: "",
        tagged: "",
        description: isakmp ? "Auto created rule for ISAKMP" : "Auto created rule",
        is_automatic: true,
        sort_order: `500000.0${String(sequence).padStart(6, "0")}`,
        prio_group: "500000"
      })
      sequence++
    }
  }
  return rows
}

const searchRule = (req: Request, c: Ctx) => {
  const wanted = categoryParam(req.body, req.query)
  if (!c.v.natRework) {
    // searchBase over the model (UIModelGrid), default sort sequence
    const rows = [...c.state.snat.entries()]
      .filter(([, item]) => inCategories(wanted, item["categories"] ?? ""))
      .map(([uuid, item]) => decorate(c, encodeRow(snatTable, uuid, item, c)))
    return grid(rows, gridParams(req.body, req.query, false), { defaultSort: "sequence" })
  }
  // 26.7: configured rules only in hybrid/advanced, automatic rows in automatic/hybrid, then
  // searchRecordsetBase sorted on sort_order; automatic rows pass any category filter
  const mode = snatMode(c)
  const rows: Array<Row> = []
  if (mode === "hybrid" || mode === "advanced") {
    for (const [uuid, item] of c.state.snat.entries()) {
      if (!inCategories(wanted, item["categories"] ?? "")) continue
      rows.push(decorate(c, encodeRow(snatTable, uuid, withPriority(c.state, item), c)))
    }
  }
  if (mode === "automatic" || mode === "hybrid") rows.push(...automaticRows(c).map((r) => decorate(c, r)))
  return grid(rows, gridParams(req.body, req.query, true), { defaultSort: "sort_order", recordset: true })
}

/** 26.7 `set`: only `filter.general` is taken; validated as `filter.general.*`; saved unvalidated otherwise. */
const setGeneral = (req: Request, c: Ctx) => {
  if (!req.isPost) return json({ result: "failed" })
  const filter = req.body["filter"]
  const general = isRecord(filter) && isRecord(filter["general"]) ? filter["general"] : {}
  const posted = general["snat_mode"]
  const mode = typeof posted === "string" ? posted : snatMode(c)
  const m = new Messages()
  validateFields(generalTable, { snat_mode: mode }, "filter.general", c, m)
  if (m.size > 0) return json({ result: "failed", validations: m.toJSON() })
  c.state.natOutboundMode = mode
  c.save(req)
  return json({ result: "saved" })
}

/**
 * PHP's fputcsv (separator `;`, enclosure `"`, escape `\`) encloses a field holding the separator,
 * the enclosure, the escape character or white space, doubling the enclosure inside.
 * opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Base/ApiControllerBase.php exportCsv
 */
const csvField = (v: string) => (/[;"\\\s]/.test(v) ? `"${v.replace(/"/g, "\"\"")}"` : v)

/**
 * `download_rules` (26.1.11+): every configured source NAT rule whatever the mode, as CSV:
 * `@uuid`, then the stored fields in model order without the volatile `sort_order`/`prio_group`,
 * categories by name; no records, no header. opnsense/core 26.1.11, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/SourceNatController.php downloadRulesAction,
 * FilterBaseController.php downloadRulesBase.
 */
const downloadRules = (c: Ctx): Reply => {
  const cols = fieldsFor(snatTable, c.v).map((f) => f.name).filter((n) => n !== "sort_order" && n !== "prio_group")
  const lines: Array<string> = []
  for (const [uuid, item] of c.state.snat.entries()) {
    if (lines.length === 0) lines.push(["@uuid", ...cols].map(csvField).join(";"))
    const values = cols.map((col) => {
      const v = item[col] ?? ""
      if (col !== "categories") return v
      return v.split(",").flatMap((u) => (u === "" ? [] : c.state.categories.get(u)?.["name"] ?? [])).join(",")
    })
    lines.push([uuid, ...values].map(csvField).join(";"))
  }
  return raw(lines.length === 0 ? "" : `${lines.join("\n")}\n`, "text/csv")
}

export const controller = (wholeModel: (c: Ctx) => Reply): Controller => ({
  module: "firewall",
  controller: "source_nat",
  actions: {
    search_rule: { handle: (req, c) => searchRule(req, c) },
    ...natRuleActions(snatResource),
    // 26.7 overrides get/set for `general`; before, they are ApiMutableModelControllerBase's
    // whole-model get (the Filter model) and set (not emulated)
    get: {
      handle: (req, c) => {
        if (c.v.natRework) return json({ filter: { general: encodeGeneral(c) } })
        return req.isGet ? wholeModel(c) : json([])
      }
    },
    set: { available: (v) => v.natRework, handle: (req, c) => setGeneral(req, c) },
    download_rules: { available: (v) => v.natRework, handle: (req, c) => (req.isGet ? downloadRules(c) : json([])) }
  }
})

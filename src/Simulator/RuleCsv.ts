/**
 * `firewall/filter/download_rules` and `upload_rules` (26.1+), written from:
 *
 * - opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php
 *   downloadRulesBase / uploadRulesBase (26.1.11+ and 26.7; 26.1.0–26.1.10 have the same code inline in
 *   FilterController.php, without the `overload` alias mapping and without dropping sort_order/prio_group);
 * - opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableModelControllerBase.php importCsv;
 * - opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/ArrayField.php importRecordSet.
 */
import { applyPost, defaults, fieldsFor, splitList } from "./Fields.ts"
import type { Ctx, Request } from "./Router.ts"
import { normaliseProtocol, ruleTable, validateRule, withComputed } from "./RuleModel.ts"
import { type Item, json, Messages, newUuid, raw, type Reply, UUID_V4 } from "./Wire.ts"

const columns = (c: Ctx): Array<string> =>
  fieldsFor(ruleTable, c.v).filter((f) => f.kind !== "volatile").map((f) => f.name)

const quote = (v: string) => (/[;"\r\n]/.test(v) ? `"${v.replace(/"/g, "\"\"")}"` : v)

export const downloadRules = (c: Ctx): Reply => {
  const s = c.state
  const cols = columns(c)
  const lines = [["@uuid", ...cols].join(";")]
  for (const [uuid, item] of s.rules.entries()) {
    const values = cols.map((col) => {
      const v = item[col] ?? ""
      if (col === "categories") return splitList(v).flatMap((u) => s.categories.get(u)?.["name"] ?? []).join(",")
      // opnsense/core 26.7.2: FilterController downloadRulesAction passes alias_fields ['overload']
      if (col === "overload" && v !== "" && c.v.uploadRulesBase) return s.aliases.get(v)?.["name"] ?? v
      return v
    })
    lines.push([uuid, ...values].map(quote).join(";"))
  }
  return raw(`${lines.join("\n")}\n`, "text/csv", { "Content-Disposition": "attachment; filename=rules.csv" })
}

/**
 * importCsv's separator: the first of `,` or `;` anywhere in the payload, `;` when neither occurs
 * (opnsense/core 26.1: ApiMutableModelControllerBase.php importCsv, "auto-detect separator").
 */
export const separatorOf = (payload: string): string => {
  const comma = payload.indexOf(",")
  const semicolon = payload.indexOf(";")
  return (comma === -1 ? 9999 : comma) < (semicolon === -1 ? 9999 : semicolon) ? "," : ";"
}

/**
 * PHP fgetcsv with `"` as enclosure and `\` as escape: a backslash inside quotes keeps the next
 * character literally (both are kept); blank lines are skipped (opnsense/core 26.1.2+ importCsv
 * `!is_null($line[array_key_first($line)])`).
 */
export const parseCsv = (text: string, separator = ";"): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? ""
    if (quoted) {
      if (ch === "\\" && i + 1 < text.length) {
        cell += ch + (text[i + 1] ?? "")
        i++
      } else if (ch === "\"" && text[i + 1] === "\"") {
        cell += "\""
        i++
      } else if (ch === "\"") quoted = false
      else cell += ch
    } else if (ch === "\"") quoted = true
    else if (ch === separator) {
      row.push(cell)
      cell = ""
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ""
    } else cell += ch
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""))
}

interface Validation {
  readonly sequence: number | null
  readonly field?: string
  readonly message: string
}

interface Pass {
  readonly validations: Array<Validation>
  inserted: number
  updated: number
  /** uuid → 0-based row index, in the order the rows were taken */
  readonly uuids: Record<string, number>
  /** what a save of this pass would write */
  readonly items: Array<[string, Record<string, string>]>
}

/**
 * One run of ArrayField::importRecordSet with uploadRulesBase's data callback, then the model's
 * validation as importCsv reads it: one message per field (`$valmsgfields`), the field named by the
 * last segment of its path.
 */
const importPass = (c: Ctx, records: ReadonlyMap<number, Readonly<Record<string, string>>>): Pass => {
  const s = c.state
  const pass: Pass = { validations: [], inserted: 0, updated: 0, uuids: {}, items: [] }
  // importRecordSet's own messages come first, the model's (performValidation) after them
  const modelMessages: Array<Validation> = []
  // uploadRulesBase: "categories have unique names, need to map them to uuids"
  const categoryIds = new Map<string, string>()
  for (const [uuid, cat] of s.categories.entries()) categoryIds.set(cat["name"] ?? "", uuid)
  for (const [idx, given] of records) {
    const record: Record<string, string> = { ...given }
    const offered = record["@uuid"] ?? ""
    // opnsense/core 26.1.1+: ArrayField.php importRecordSet rejects an @uuid that is not a lowercase v4
    if (offered !== "" && !UUID_V4.test(offered)) {
      pass.validations.push({ sequence: idx, field: "@uuid", message: `Invalid UUID offered (${offered})` })
      continue
    }
    if ((record["categories"] ?? "") !== "") {
      // "only map what we know, ignore the rest": unknown names (and uuids) are dropped silently
      record["categories"] = (record["categories"] ?? "").split(",").flatMap((name) => categoryIds.get(name) ?? [])
        .join(",")
    }
    if (c.v.uploadRulesBase) {
      // 26.1.11+ / 26.7: alias_fields ['overload'] by name, ignored_fields sort_order and prio_group
      const overload = record["overload"] ?? ""
      if (overload !== "") record["overload"] = s.aliases.find("name", overload) ?? overload
      delete record["sort_order"]
      delete record["prio_group"]
    }
    // keyfields ['@uuid']: an existing rule with that uuid is updated, anything else inserted
    // (with the offered uuid when there is one: ArrayField::add($uuid), 26.1+)
    const old: Item | undefined = offered === "" ? undefined : s.rules.get(offered)
    const uuid = old !== undefined ? offered : offered !== "" ? offered : newUuid()
    if (old === undefined) pass.inserted++
    else pass.updated++
    pass.uuids[uuid] = idx
    const item = applyPost(ruleTable, old ?? defaults(ruleTable, c.v), record, c.v)
    normaliseProtocol(item)
    if ((item["sequence"] ?? "") === "") item["sequence"] = "1"
    withComputed(s, item)
    const m = new Messages()
    validateRule(c, item, m)
    for (const [path, message] of Object.entries(m.toJSON())) {
      const first = Array.isArray(message) ? message[0] : message
      modelMessages.push({ sequence: idx, field: path.slice(path.lastIndexOf(".") + 1), message: first ?? "" })
    }
    pass.items.push([uuid, item])
  }
  pass.validations.push(...modelMessages)
  return pass
}

/**
 * importCsv: parse, then at most two passes. When the first has validations, the rows they name
 * are dropped, the model is reset (the first pass's new uuids are gone) and the rest is imported
 * again and saved when it validates. The reply is always the FIRST pass's, plus `fieldnames`.
 */
export const uploadRules = (c: Ctx, req: Request): Reply => {
  const payload = req.body["payload"]
  if (!req.isPost || payload === undefined) return json({ status: "failed" })
  const text = typeof payload === "string" ? payload : String(payload)
  const [heading = [], ...lines] = parseCsv(text, separatorOf(text))
  const data = new Map<number, Record<string, string>>()
  lines.forEach((cells, idx) => {
    const record: Record<string, string> = {}
    cells.forEach((cell, i) => {
      const name = heading[i]
      if (name !== undefined) record[name] = cell
    })
    data.set(idx, record)
  })
  let first: Pass | undefined
  for (let i = 0; i < 2; i++) {
    const pass = importPass(c, data)
    first ??= pass
    if (pass.validations.length > 0) {
      for (const v of pass.validations) if (v.sequence !== null) data.delete(v.sequence)
      continue
    }
    if (pass.inserted + pass.updated > 0) {
      for (const [uuid, item] of pass.items) c.state.rules.put(uuid, item)
      c.save(req)
    }
    break
  }
  const reply = first ?? { validations: [], inserted: 0, updated: 0, uuids: {} }
  return json({
    validations: reply.validations,
    inserted: reply.inserted,
    updated: reply.updated,
    // json_encode of an empty PHP array
    uuids: Object.keys(reply.uuids).length === 0 ? [] : reply.uuids,
    fieldnames: heading
  })
}

/**
 * `firewall/filter/download_rules` and `upload_rules` (26.1+, REFERENCE §7.2): `;`-separated CSV
 * with an `@uuid` column, raw values, categories by name and `overload` by alias name; upload
 * matches on `@uuid` (update, else insert) and drops invalid rows.
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
      if (col === "categories") return splitList(v).map((u) => s.categories.get(u)?.["name"] ?? u).join(",")
      if (col === "overload" && v !== "") return s.aliases.get(v)?.["name"] ?? v
      return v
    })
    lines.push([uuid, ...values].map(quote).join(";"))
  }
  return raw(`${lines.join("\n")}\n`, "text/csv", { "Content-Disposition": "attachment; filename=rules.csv" })
}

/** RFC 4180-style parsing with `;` as separator. */
export const parseCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? ""
    if (quoted) {
      if (ch === "\"" && text[i + 1] === "\"") {
        cell += "\""
        i++
      } else if (ch === "\"") quoted = false
      else cell += ch
    } else if (ch === "\"") quoted = true
    else if (ch === ";") {
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
  return rows.filter((r) => r.some((x) => x !== ""))
}

export const uploadRules = (c: Ctx, req: Request): Reply => {
  if (!req.isPost) return json({ status: "failed" })
  const s = c.state
  const payload = typeof req.body["payload"] === "string" ? req.body["payload"] : ""
  const [header = [], ...rows] = parseCsv(payload)
  const validations: Array<{ sequence: number; field: string; message: string }> = []
  const uuids: Record<string, string> = {}
  let inserted = 0
  let updated = 0
  rows.forEach((cells, index) => {
    const post: Record<string, string> = {}
    header.forEach((name, i) => {
      post[name] = cells[i] ?? ""
    })
    const given = post["@uuid"] ?? ""
    const m = new Messages()
    if ("categories" in post) {
      const ids = splitList(post["categories"] ?? "").map((name) =>
        s.categories.find("name", name) ?? (s.categories.has(name) ? name : undefined)
      )
      if (ids.some((x) => x === undefined)) m.add("rule.categories", "Related category not found.")
      post["categories"] = ids.filter((x): x is string => x !== undefined).join(",")
    }
    if ((post["overload"] ?? "") !== "") {
      post["overload"] = s.aliases.find("name", post["overload"] ?? "") ?? post["overload"] ?? ""
    }
    const old: Item | undefined = s.rules.get(given)
    const uuid = old !== undefined ? given : UUID_V4.test(given) ? given : newUuid()
    const item = applyPost(ruleTable, old ?? defaults(ruleTable, c.v), post, c.v)
    normaliseProtocol(item)
    if ((item["sequence"] ?? "") === "") item["sequence"] = "1"
    withComputed(s, item)
    validateRule(c, item, m)
    const problems = Object.entries(m.toJSON())
    if (problems.length > 0) {
      for (const [field, message] of problems) {
        for (const text of Array.isArray(message) ? message : [message]) {
          validations.push({ sequence: index + 1, field: field.replace(/^rule\./, ""), message: text })
        }
      }
      return
    }
    s.rules.put(uuid, item)
    uuids[String(index + 1)] = uuid
    if (old === undefined) inserted++
    else updated++
  })
  if (inserted + updated > 0) c.save(req)
  return json({ validations, inserted, updated, uuids, fieldnames: header })
}

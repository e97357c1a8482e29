/**
 * The wire conventions every OPNsense MVC endpoint shares: replies, the
 * UserException body, validation messages, UUIDs, and the search grid.
 */
import { randomUUID } from "node:crypto"
import type { VersionProfile } from "./Version.ts"

/** A stored item: every value a string, exactly as OPNsense keeps it. Items are never mutated. */
export type Item = Readonly<Record<string, string>>

export interface Reply {
  readonly status: number
  /** JSON body, or a raw string (or bytes) when `contentType` is set */
  readonly body: unknown
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

export const json = (body: unknown, status = 200): Reply => ({ status, body })
export const raw = (body: string | Buffer, contentType: string, headers?: Readonly<Record<string, string>>): Reply =>
  headers === undefined ? { status: 200, body, contentType } : { status: 200, body, contentType, headers }

/** Thrown by a handler to answer with something other than its normal result (500s). */
export class Fail extends Error {
  readonly reply: Reply
  constructor(reply: Reply) {
    super("simulated failure")
    this.reply = reply
  }
}

/** `UserException` → 500 `{"errorMessage","errorTitle"}` (+`errorLevel` on 26.7.2+). */
export const userException = (v: VersionProfile, message: string, title = ""): Fail =>
  new Fail(
    json(
      v.errorLevel
        ? { errorMessage: message, errorTitle: title, errorLevel: "error" }
        : { errorMessage: message, errorTitle: title },
      500
    )
  )

/** Any other exception → 500 "Unexpected error". */
export const unexpected = (): Fail => new Fail(json({ errorMessage: "Unexpected error, check log for details" }, 500))

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
export const newUuid = (): string => randomUUID()

/**
 * Validation messages per key. One message is a string; a second message for the same key turns the
 * value into a de-duplicated list (so two identical messages give a one-element list, §5.3).
 */
export class Messages {
  private readonly map = new Map<string, Array<string>>()
  add(key: string, message: string): void {
    const list = this.map.get(key)
    if (list === undefined) this.map.set(key, [message])
    else list.push(message)
  }
  has(key: string): boolean {
    return this.map.has(key)
  }
  get size(): number {
    return this.map.size
  }
  toJSON(): Record<string, string | Array<string>> {
    const out: Record<string, string | Array<string>> = {}
    for (const [key, list] of this.map) out[key] = list.length === 1 ? (list[0] ?? "") : [...new Set(list)]
    return out
  }
}

export const failed = (messages: Messages): Reply => json({ result: "failed", validations: messages.toJSON() })
export const resultFailed: Reply = json({ result: "failed" })

/**
 * Coerce one posted value the way BaseField::setValue does (§3.3): strings as-is, numbers
 * stringified, true → "1", false → "", null → leave unchanged (undefined). Arrays/objects for a
 * scalar: 26.7 throws (500), ≤26.1 stores "Array".
 */
export const coerce = (v: VersionProfile, value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "boolean") return value ? "1" : ""
  if (v.arrayThrows) throw unexpected()
  return "Array"
}

export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

// --- search grid (§5.1) -------------------------------------------------------------------------

export type Row = Record<string, unknown>

export interface GridParams {
  readonly current: number
  readonly rowCount: number
  readonly searchPhrase: string
  readonly sort: { readonly field: string; readonly desc: boolean } | undefined
}

const toInt = (u: unknown, fallback: number): number => {
  const n = typeof u === "number" ? u : typeof u === "string" && u.trim() !== "" ? Number(u) : NaN
  return Number.isFinite(n) ? Math.trunc(n) : fallback
}

/**
 * Grid parameters. UIModelGrid reads query string and body; searchRecordsetBase only the POST body
 * (`bodyOnly`), with a default page size of 9999 instead of -1.
 */
export const gridParams = (
  body: Readonly<Record<string, unknown>>,
  query: URLSearchParams,
  bodyOnly: boolean
): GridParams => {
  const pick = (k: string): unknown => (k in body ? body[k] : bodyOnly ? undefined : (query.get(k) ?? undefined))
  const sortRaw = body["sort"]
  let sort: GridParams["sort"]
  if (isRecord(sortRaw)) {
    const first = Object.keys(sortRaw)[0]
    if (first !== undefined) sort = { field: first, desc: String(sortRaw[first]).toLowerCase() === "desc" }
  }
  const phrase = pick("searchPhrase")
  return {
    current: Math.max(1, toInt(pick("current"), 1)),
    rowCount: toInt(pick("rowCount"), bodyOnly ? 9999 : -1),
    searchPhrase: typeof phrase === "string" ? phrase : "",
    sort
  }
}

const chunks = (s: string): Array<string> => s.toUpperCase().match(/\d+|\D+/g) ?? []
/**
 * Natural, case-insensitive order on upper-cased text by code point, so `__x` sorts after letters
 * as in the alias search fixture, and `rule2` before `rule10`.
 */
export const naturalCompare = (a: string, b: string): number => {
  const x = chunks(a)
  const y = chunks(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? ""
    const q = y[i] ?? ""
    if (p === q) continue
    const numeric = /^\d/.test(p) && /^\d/.test(q)
    if (numeric && Number(p) !== Number(q)) return Number(p) - Number(q)
    return p < q ? -1 : 1
  }
  return x.length - y.length
}

const cellText = (row: Row, key: string): string => {
  const label = row[`%${key}`]
  const v = typeof label === "string" ? label : row[key]
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : ""
}

/** Every token must occur (case-insensitive) in some searched field, label preferred (§5.1). */
export const matchesPhrase = (
  row: Row,
  tokens: ReadonlyArray<string>,
  fields: ReadonlyArray<string> | undefined
): boolean => {
  if (tokens.length === 0) return true
  const keys = fields ?? Object.keys(row).filter((k) => !k.startsWith("%"))
  const texts = keys.map((k) => cellText(row, k).toLowerCase())
  return tokens.every((t) => texts.some((s) => s.includes(t)))
}

export interface GridOptions {
  readonly defaultSort: string
  readonly searchFields?: ReadonlyArray<string>
  /** searchRecordsetBase key order (`total,rowCount,current,rows`) instead of UIModelGrid's */
  readonly recordset?: boolean
  /** rows are already in default order; skip sorting unless asked */
  readonly presorted?: boolean
}

/**
 * Rows are never changed once built, so the JSON of a row is kept beside it, as bytes ready to send:
 * a resource that keeps its row objects between requests (firewall/filter) encodes each row once,
 * not once per search. `phpJson` escapes everything outside ASCII, so its text is its own bytes.
 */
const rowBytes = new WeakMap<Row, Buffer>()
const rowJson = (row: Row): Buffer => {
  let bytes = rowBytes.get(row)
  if (bytes === undefined) {
    bytes = Buffer.from(phpJson(row), "latin1")
    rowBytes.set(row, bytes)
  }
  return bytes
}
const COMMA = 0x2c
const EMPTY = Buffer.alloc(0)

/**
 * The grid answer as bytes joined from the rows' kept JSON: byte for byte what `phpJson` gives for
 * the whole envelope (its escapes are per character, so encoding the parts and joining is the same).
 */
export const grid = (rows: ReadonlyArray<Row>, p: GridParams, o: GridOptions): Reply => {
  const tokens = p.searchPhrase.toLowerCase().split(/\s+/).filter((t) => t !== "")
  let matched = tokens.length === 0 ? [...rows] : rows.filter((r) => matchesPhrase(r, tokens, o.searchFields))
  const sort = p.sort ?? (o.presorted ? undefined : { field: o.defaultSort, desc: false })
  if (sort !== undefined) {
    const f = sort.field
    matched.sort((a, b) => {
      const c = naturalCompare(cellText(a, f), cellText(b, f))
      return sort.desc ? -c : c
    })
  }
  const total = matched.length
  if (p.rowCount > 0) matched = matched.slice((p.current - 1) * p.rowCount, p.current * p.rowCount)
  const count = matched.length
  const current = phpJson(p.current)
  const head = o.recordset ? `{"total":${total},"rowCount":${count},"current":${current},"rows":[` : `{"rows":[`
  const tail = o.recordset ? "]}" : `],"rowCount":${count},"total":${total},"current":${current}}`
  return raw(assemble(head, matched.map(rowJson), tail), JSON_CONTENT_TYPE)
}

interface Assembled {
  readonly head: string
  readonly parts: ReadonlyArray<Buffer>
  readonly tail: string
  readonly body: Buffer
}
/**
 * The last few answers: the same kept rows in the same order give the same bytes, so asking for an
 * unchanged listing again (a plan after a plan) copies nothing. A write replaces the rows it
 * changes, and then the parts no longer match.
 */
let assembled: ReadonlyArray<Assembled> = []
const samePart = (a: ReadonlyArray<Buffer>, b: ReadonlyArray<Buffer>): boolean =>
  a.length === b.length && a.every((part, i) => part === b[i])

const assemble = (head: string, parts: ReadonlyArray<Buffer>, tail: string): Buffer => {
  const known = assembled.find((a) => a.head === head && a.tail === tail && samePart(a.parts, parts))
  if (known !== undefined) return known.body
  const start = Buffer.from(head)
  const end = Buffer.from(tail)
  let size = start.length + end.length + Math.max(0, parts.length - 1)
  for (const part of parts) size += part.length
  // one copy into one buffer (Buffer.concat is several times slower for ten thousand small parts)
  const body = Buffer.allocUnsafe(size)
  body.set(start, 0)
  let at = start.length
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) body[at++] = COMMA
    const part = parts[i] ?? EMPTY
    body.set(part, at)
    at += part.length
  }
  body.set(end, at)
  assembled = [{ head, parts, tail, body }, ...assembled.slice(0, 3)]
  return body
}

export const JSON_CONTENT_TYPE = "application/json; charset=UTF-8"

/** `json_encode` as PHP writes it: `/` escaped as `\/`, non-ASCII as `\uXXXX` (§1.3). */
const NON_ASCII = /[\u007f-\uffff]/
export const phpJson = (value: unknown): string => {
  const text = (JSON.stringify(value) ?? "null").replaceAll("/", "\\/")
  return NON_ASCII.test(text)
    ? text.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
    : text
}

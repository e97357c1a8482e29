/**
 * `list_live` without flooding a context window: live objects flattened to one level, filtered,
 * cut to the fields asked for, and paged with an opaque cursor. Pure functions over a snapshot.
 */
import * as Schema from "effect/Schema"
import type { LiveSnapshot, ResourceKind } from "../Domain/Model.ts"
import { kindNamed, liveOf } from "../Kinds/Registry.ts"

export const LiveFilter = Schema.Struct({
  name: Schema.optional(
    Schema.String.annotate({ description: "name contains this (case-insensitive); `*` is a wildcard, e.g. \"iot-*\"" })
  ),
  text: Schema.optional(Schema.String.annotate({ description: "any field contains this text (case-insensitive)" })),
  managed: Schema.optional(
    Schema.Boolean.annotate({ description: "true: only objects the desired state manages; false: only unmanaged ones" })
  ),
  origin: Schema.optional(Schema.Literals(["mvc", "legacy", "automatic", "builtin"])),
  interface: Schema.optional(
    Schema.String.annotate({ description: "rules on this interface (e.g. \"lan\", \"opt3\")" })
  ),
  action: Schema.optional(Schema.Literals(["pass", "block", "reject"])),
  enabled: Schema.optional(Schema.Boolean)
})
export type LiveFilter = typeof LiveFilter.Type

export type Row = Record<string, unknown>

/** The snapshot's objects of one kind as flat rows (none for an unknown kind). */
export const rowsOf = (snapshot: LiveSnapshot, kind: ResourceKind): ReadonlyArray<Row> => {
  const known = kindNamed(kind)
  return known === undefined ? [] : liveOf(snapshot, known).map((l) => ({ ...known.listing.row(l) }))
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*"))

/** The filter as one predicate, built once per page: its pattern and lower-cased text are not remade per row. */
const matcher = (filter: LiveFilter): (row: Row) => boolean => {
  const name = filter.name === undefined ? undefined : wildcard(filter.name)
  const text = filter.text?.toLowerCase()
  return (row) => {
    if (name !== undefined && !name.test(String(row["name"] ?? "").toLowerCase())) return false
    if (text !== undefined && !JSON.stringify(row).toLowerCase().includes(text)) return false
    if (filter.managed !== undefined && row["managed"] !== filter.managed) return false
    if (filter.origin !== undefined && row["origin"] !== filter.origin) return false
    if (filter.action !== undefined && row["action"] !== filter.action) return false
    if (filter.enabled !== undefined && row["enabled"] !== filter.enabled) return false
    if (filter.interface !== undefined) {
      const interfaces = row["interfaces"]
      if (!Array.isArray(interfaces) || !interfaces.includes(filter.interface)) return false
    }
    return true
  }
}

/** Default fields of a kind: enough to recognise an object, small enough for thousands of rows. */
export const defaultFields = (kind: ResourceKind): ReadonlyArray<string> =>
  kindNamed(kind)?.listing.fields ?? ["name", "uuid", "managed"]

export const select = (row: Row, fields: ReadonlyArray<string>): Row =>
  Object.fromEntries(["name", ...fields].filter((f) => f in row).map((f) => [f, row[f]]))

export const encodeCursor = (offset: number): string => Buffer.from(`o:${offset}`).toString("base64url")

export const decodeCursor = (cursor: string): number | undefined => {
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"))
  return match?.[1] === undefined ? undefined : Number(match[1])
}

export interface Page {
  readonly items: ReadonlyArray<Row>
  readonly total: number
  readonly matching: number
  readonly offset: number
  readonly nextCursor: string | undefined
}

export const page = (
  rows: ReadonlyArray<Row>,
  options: {
    readonly filter: LiveFilter
    readonly fields: ReadonlyArray<string>
    readonly offset: number
    readonly limit: number
  }
): Page => {
  const matching = rows.filter(matcher(options.filter))
  const slice = matching.slice(options.offset, options.offset + options.limit)
  const end = options.offset + slice.length
  return {
    items: slice.map((r) => select(r, options.fields)),
    total: rows.length,
    matching: matching.length,
    offset: options.offset,
    nextCursor: end < matching.length ? encodeCursor(end) : undefined
  }
}

/**
 * Wire shapes shared by every resource: scalars that are nearly always
 * strings, option maps `{key: {value, selected}}` that are `[]` when empty, and the search envelope.
 */
import * as Schema from "effect/Schema"
import { commaSet, sortedSet, toBoolean } from "../Domain/Normalize.ts"

/** Nearly every scalar is a string; synthetic rows (26.7 legacy rules) carry real booleans and ints. */
export const Scalar = Schema.Union([Schema.String, Schema.Number, Schema.Boolean, Schema.Null])
export type Scalar = typeof Scalar.Type

export const OptionEntry = Schema.Struct({
  value: Schema.optional(Schema.Unknown),
  selected: Schema.Union([Schema.Number, Schema.Boolean, Schema.String])
})

/** Option map as `get` encodes it; an empty map is the PHP empty array `[]`. */
export const OptionMap = Schema.Union([
  Schema.Record(Schema.String, OptionEntry),
  Schema.Array(OptionEntry)
])
export type OptionMap = typeof OptionMap.Type

/** A field that may be a plain string (raw) or an option map (get encoding). */
export const Field = Schema.Union([Scalar, OptionMap])
export type Field = typeof Field.Type

/** A row's fields, each optional: a version leaves out what its model lacks, a listing what it does not show. */
export const wireFields = <const K extends string>(
  names: ReadonlyArray<K>
): { readonly [P in K]: Schema.optional<typeof Field> } =>
  Object.fromEntries(names.map((name) => [name, Schema.optional(Field)])) as {
    readonly [P in K]: Schema.optional<typeof Field>
  }

const isSelected = (s: number | boolean | string) => s === 1 || s === true || s === "1"

/** `commaSet`, without its copies for the common one-item value (listings call it per row and field). */
const commaList = (value: string): ReadonlyArray<string> => {
  if (value.includes(",")) return commaSet(value)
  const item = value.trim()
  return item === "" ? [] : [item]
}

/** Selected keys of an option map; for a plain value, its comma-separated items (sorted, unique). */
export const selectedKeys = (field: Field | undefined): ReadonlyArray<string> => {
  if (field === undefined || field === null) return []
  if (typeof field === "string") return commaList(field)
  if (typeof field === "number" || typeof field === "boolean") return [String(field)]
  if (Array.isArray(field)) {
    // a PHP list: keys are "0".."n-1"
    return field.flatMap((entry, index) => (isSelected(entry.selected) ? [String(index)] : []))
  }
  return Object.entries(field).flatMap(([key, entry]) => (isSelected(entry.selected) ? [key] : [])).sort()
}

/** The canonical set of selected keys: a plain value's items are one already. */
export const selectedSet = (field: Field | undefined): ReadonlyArray<string> =>
  typeof field === "string" ? commaList(field) : sortedSet(selectedKeys(field))

/** Selected entries with their labels (for relations resolved by label, e.g. categories uuid → name). */
export const selectedLabels = (field: Field | undefined): ReadonlyArray<readonly [string, string]> => {
  if (field === undefined || field === null || typeof field !== "object" || Array.isArray(field)) return []
  return Object.entries(field).flatMap(([key, entry]) =>
    isSelected(entry.selected) ? [[key, typeof entry.value === "string" ? entry.value : key] as const] : []
  )
}

/** The single selected key of a single-select option map, or the plain value; "" when none. */
export const single = (field: Field | undefined): string => {
  if (field === undefined || field === null) return ""
  if (typeof field === "string") return field
  if (typeof field === "number" || typeof field === "boolean") return String(field)
  return selectedKeys(field)[0] ?? ""
}

/** A plain text value; option maps are not expected here. */
export const text = (field: Field | undefined): string =>
  field === undefined || field === null ? "" : typeof field === "object" ? single(field) : String(field)

export const bool = (field: Field | undefined, fallback = false): boolean => {
  const value = typeof field === "object" && field !== null ? single(field) : field
  return toBoolean(value) ?? fallback
}

/** Search envelope (both UIModelGrid and searchRecordsetBase; key order varies). */
export const searchEnvelope = <Row extends Schema.Top>(row: Row) =>
  Schema.Struct({
    rows: Schema.Array(row),
    total: Schema.optional(Schema.Number),
    rowCount: Schema.optional(Schema.Number),
    current: Schema.optional(Schema.Number)
  })

/** Search request for every row on one page (paging only from the POST body on 26.x). */
export const allRows = { current: 1, rowCount: -1, searchPhrase: "" } as const

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (id: string): boolean => UUID.test(id)

/** ArrayField in whole-model `get`: `{uuid: item}` or `[]` when empty. */
export const ItemMap = <Item extends Schema.Top>(item: Item) =>
  Schema.Union([Schema.Record(Schema.String, item), Schema.Array(Schema.Unknown)])

/** PHP encodes an empty map as [] : the map itself, or not a map. */
export const isMap = <A>(
  map: Readonly<Record<string, A>> | ReadonlyArray<unknown>
): map is Readonly<Record<string, A>> => !Array.isArray(map)

export const itemEntries = <A>(
  map: Readonly<Record<string, A>> | ReadonlyArray<unknown>
): ReadonlyArray<readonly [string, A]> => isMap(map) ? Object.entries(map) : []

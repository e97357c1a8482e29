/**
 * The simulator's own reading of OPNsense field types (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/*.php getValidators, BaseListField
 * getNodeOptions): how each kind of field is posted, validated, rendered in `get` (option maps with
 * `selected`) and in search rows (raw value plus a `%` label twin). Resources describe their fields
 * as tables of these, built from the generated model definitions (Generated.ts).
 */
import type { SimulatorState } from "./State.ts"
import type { VersionProfile } from "./Version.ts"
import { coerce, isRecord, type Item, Messages, unexpected } from "./Wire.ts"

export interface Opt {
  readonly key: string
  readonly label: string
  readonly optgroup?: string
}

export interface FieldCtx {
  readonly state: SimulatorState
  readonly v: VersionProfile
  /**
   * Per-request memo of computed option lists (some are built from every alias). Absent where the
   * model changes between uses (seeding), so options are then recomputed each time.
   */
  readonly memo?: Map<Field, Options>
}

export interface Options {
  readonly list: ReadonlyArray<Opt>
  readonly byKey: ReadonlyMap<string, Opt>
}

export const optionsOf = (f: Field, c: FieldCtx): Options => {
  const hit = c.memo?.get(f)
  if (hit !== undefined) return hit
  const list = f.options?.(c) ?? []
  const options = { list, byKey: new Map(list.map((o) => [o.key, o])) }
  c.memo?.set(f, options)
  return options
}

export type FieldKind = "text" | "bool" | "int" | "numeric" | "description" | "option" | "plain" | "volatile"

export interface Field {
  /** dotted for container members, e.g. DNat `source.network` */
  readonly name: string
  readonly kind: FieldKind
  readonly required?: boolean
  readonly default?: string
  readonly min?: number
  readonly max?: number
  /** model-specific message for integer range failures */
  readonly rangeMessage?: string
  readonly multiple?: boolean
  readonly options?: (c: FieldCtx) => ReadonlyArray<Opt>
  /** label of the "" entry of an optional single select; "None" unless the model says otherwise */
  readonly blank?: string
  readonly mask?: RegExp
  readonly maskMessage?: string
  /** label for the `%` twin of a plain-string field (NetworkAlias/Port): undefined when none */
  readonly label?: (value: string, c: FieldCtx) => string | undefined
  /** field exists in this version */
  readonly since?: (v: VersionProfile) => boolean
  /** in whole-model `get`, render only the selected entries of this (long) option map */
  readonly large?: boolean
  /** message for a value missing from the options; `%s` is the offending item (BaseField getValidationMessage) */
  readonly invalidMessage?: string
  /** TextField's character checks (AllowSpaces/AllowNewlines/AllowSpecial, false for StrictTextField) */
  readonly text?: { readonly spaces: boolean; readonly newlines: boolean; readonly special: boolean }
}

export type Table = ReadonlyArray<Field>

/** The fields a version has, worked out once per table and version (encoding asks per row). */
const versionTables = new WeakMap<Table, WeakMap<VersionProfile, Table>>()
export const fieldsFor = (table: Table, v: VersionProfile): Table => {
  let byVersion = versionTables.get(table)
  if (byVersion === undefined) {
    byVersion = new WeakMap()
    versionTables.set(table, byVersion)
  }
  let fields = byVersion.get(v)
  if (fields === undefined) {
    fields = table.filter((f) => f.since === undefined || f.since(v))
    byVersion.set(v, fields)
  }
  return fields
}

export const defaults = (table: Table, v: VersionProfile): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const f of fieldsFor(table, v)) out[f.name] = f.default ?? ""
  return out
}

const postedValue = (post: Readonly<Record<string, unknown>>, name: string): unknown => {
  const path = name.split(".")
  let cur: unknown = post
  for (let i = 0; i < path.length; i++) {
    const key = path[i] ?? ""
    if (!isRecord(cur)) {
      // a scalar where a container belongs throws in BaseField::setNodes (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/BaseField.php)
      if (i > 0 && cur !== undefined && cur !== null) throw unexpected()
      return undefined
    }
    cur = cur[key]
  }
  return cur
}

/** Apply posted fields over `base` (partial update; unknown keys ignored; null leaves a field as is). */
export const applyPost = (
  table: Table,
  base: Item,
  post: Readonly<Record<string, unknown>>,
  v: VersionProfile
): Record<string, string> => {
  const out: Record<string, string> = { ...base }
  for (const f of fieldsFor(table, v)) {
    if (f.kind === "volatile") continue
    const value = coerce(v, postedValue(post, f.name))
    if (value !== undefined) out[f.name] = value
  }
  return out
}

export const splitList = (value: string): Array<string> => (value === "" ? [] : value.split(","))

/** Field-type validation (the field classes' getValidators). Resource-specific and cross-field rules are added by the resource. */
export const validateFields = (table: Table, item: Item, wrapper: string, c: FieldCtx, messages: Messages): void => {
  for (const f of fieldsFor(table, c.v)) {
    const value = item[f.name] ?? ""
    const key = `${wrapper}.${f.name}`
    if (f.kind === "volatile") continue
    if (value === "") {
      if (f.required) messages.add(key, "A value is required.")
      continue
    }
    switch (f.kind) {
      case "bool":
        if (value !== "0" && value !== "1") messages.add(key, "Value should be a boolean (0,1).")
        break
      case "int": {
        const message = f.rangeMessage ?? "Invalid integer value."
        if (!/^-?\d+$/.test(value)) {
          messages.add(key, message)
          messages.add(key, "Invalid integer value.")
        } else {
          const n = Number(value)
          if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) messages.add(key, message)
        }
        break
      }
      case "numeric":
        if (!/^-?\d+(\.\d+)?$/.test(value)) messages.add(key, f.rangeMessage ?? "Invalid numeric value.")
        break
      case "description":
        if (f.mask !== undefined) validateMaskedDescription(f, f.mask, value, key, messages)
        else validateDescription(value, key, c.v, messages, f.text === undefined ? undefined : !f.text.newlines)
        break
      case "text": {
        const refusal = textRefusal(f, value)
        if (refusal !== undefined) messages.add(key, refusal)
        if (f.mask !== undefined && !f.mask.test(value)) messages.add(key, f.maskMessage ?? "Text does not validate.")
        break
      }
      case "option": {
        const keys = optionsOf(f, c).byKey
        if (f.multiple) {
          for (const part of splitList(value)) {
            if (!keys.has(part)) messages.add(key, (f.invalidMessage ?? "Option [%s] not in list.").replace("%s", part))
          }
        } else if (!keys.has(value)) {
          messages.add(key, (f.invalidMessage ?? "Option [%s] not in list.").replace("%s", ""))
        }
        break
      }
      case "plain":
        break
    }
  }
}

/** TextField::getValidators' callback: the first of its checks that fails. */
const textRefusal = (f: Field, value: string): string | undefined => {
  if (f.text === undefined) return undefined
  if (!f.text.spaces && /[ \t]/.test(value)) return "Text may not contain spaces or tabs."
  if (!f.text.newlines && /[\n\r]/.test(value)) return "Text may not contain newlines."
  if (!f.text.special && /[\0\v\f]/.test(value)) return "Text may not contain special control characters."
  return undefined
}

/**
 * DescriptionField (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/DescriptionField.php):
 * newlines and control characters are refused where the class says so (`strict`, from the generated
 * model; 26.7), otherwise only `^(.){1,255}$`.
 */
export const validateDescription = (
  value: string,
  key: string,
  v: VersionProfile,
  messages: Messages,
  strict = v.descriptionExtraMessages
): void => {
  const tooLong = "Description should be a string between 1 and 255 characters."
  if (strict) {
    if (Buffer.byteLength(value) > 255 || /[\n\r]/.test(value)) messages.add(key, tooLong)
    if (/[\n\r]/.test(value)) messages.add(key, "Text may not contain newlines.")
    if (/[\0\v\f]/.test(value)) messages.add(key, "Text may not contain special control characters.")
  } else {
    // `^(.){1,255}$` without the u flag: bytes, and `$` also matches before one final "\n"
    const body = value.endsWith("\n") ? value.slice(0, -1) : value
    if (Buffer.byteLength(body) > 255 || body.includes("\n")) messages.add(key, tooLong)
  }
}

/**
 * A DescriptionField with a `Mask` (IfDescField of Interfaces/NetworkInterface.xml at 26.7.2): the
 * validators in the order DescriptionField::getValidators builds them (TextField's character
 * check, the mask with the field's message, then `^(.){1,255}$` with the same message, which the
 * answer lists once). opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/TextField.php,
 * DescriptionField.php
 */
const validateMaskedDescription = (f: Field, mask: RegExp, value: string, key: string, messages: Messages): void => {
  const message = f.maskMessage ?? "Description should be a string between 1 and 255 characters."
  const refusal = textRefusal(f, value)
  if (refusal !== undefined) messages.add(key, refusal)
  // PCRE `$` also matches before one final newline
  const body = value.endsWith("\n") ? value.slice(0, -1) : value
  if (!mask.test(body)) messages.add(key, message)
  if (Buffer.byteLength(body) > 255 || body.includes("\n")) messages.add(key, message)
}

// --- rendering ----------------------------------------------------------------------------------

export interface OptionEntry {
  value: string
  selected: 0 | 1
  optgroup?: string
}

/** The `get` option map of a select (BaseListField::getNodeOptions): `[]` when a multi-select has no options at all. */
export const optionMap = (f: Field, value: string, c: FieldCtx, reduced = false): Record<string, OptionEntry> | [] => {
  const selected = new Set(f.multiple ? splitList(value) : [value])
  const out: Record<string, OptionEntry> = {}
  if (!f.multiple && !f.required) {
    if (!reduced || value === "") out[""] = { value: f.blank ?? "None", selected: value === "" ? 1 : 0 }
  }
  const { list, byKey } = optionsOf(f, c)
  const opts = reduced ? [...selected].flatMap((k) => byKey.get(k) ?? []) : list
  for (const o of opts) {
    const isSelected = selected.has(o.key)
    out[o.key] = o.optgroup === undefined
      ? { value: o.label, selected: isSelected ? 1 : 0 }
      : { optgroup: o.optgroup, value: o.label, selected: isSelected ? 1 : 0 }
  }
  if (Object.keys(out).length === 0) return []
  return out
}

/** Label of a stored value for `%` twins: option labels, or the field's own label function. */
export const labelOf = (f: Field, value: string, c: FieldCtx): string | undefined => {
  if (value === "") return undefined
  if (f.kind === "option") {
    const { byKey } = optionsOf(f, c)
    const parts = f.multiple ? splitList(value) : [value]
    return parts.map((p) => byKey.get(p)?.label ?? p).join(",")
  }
  return f.label?.(value, c)
}

const setPath = (target: Record<string, unknown>, name: string, value: unknown): void => {
  const path = name.split(".")
  let cur = target
  for (const key of path.slice(0, -1)) {
    const next = cur[key]
    if (isRecord(next)) cur = next
    else {
      const created: Record<string, unknown> = {}
      cur[key] = created
      cur = created
    }
  }
  cur[path[path.length - 1] ?? name] = value
}

export interface GetOptions {
  readonly twins: boolean
  readonly reduced?: boolean
  /** per-field overrides (e.g. alias `content`) */
  readonly custom?: Readonly<Record<string, (item: Item) => unknown>>
}

/** Render an item in `get` encoding: option maps for selects, strings otherwise, nested containers. */
export const encodeGet = (table: Table, item: Item, c: FieldCtx, o: GetOptions): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const f of fieldsFor(table, c.v)) {
    const value = item[f.name] ?? ""
    const custom = o.custom?.[f.name]
    if (custom !== undefined) {
      setPath(out, f.name, custom(item))
      continue
    }
    if (f.kind === "option") {
      setPath(out, f.name, optionMap(f, value, c, o.reduced === true && f.large === true))
      continue
    }
    setPath(out, f.name, value)
    if (o.twins) {
      const label = labelOf(f, value, c)
      if (label !== undefined && label !== value) {
        const dot = f.name.lastIndexOf(".")
        setPath(out, dot < 0 ? `%${f.name}` : `${f.name.slice(0, dot)}.%${f.name.slice(dot + 1)}`, label)
      }
    }
  }
  return out
}

/** Render an item as a 25.7+ search row: raw values, `%` twins where the label differs. */
export const encodeRow = (table: Table, uuid: string, item: Item, c: FieldCtx): Record<string, unknown> => {
  const row: Record<string, unknown> = { uuid }
  for (const f of fieldsFor(table, c.v)) {
    const value = item[f.name] ?? ""
    row[f.name] = value
    const label = labelOf(f, value, c)
    if (label !== undefined && label !== value) row[`%${f.name}`] = label
  }
  return row
}

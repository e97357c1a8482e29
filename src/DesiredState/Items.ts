/**
 * From parsed files to typed items: top-level kinds, unknown keys (with did-you-mean) and the
 * shape of every item, decoded by the schemas of Schema.ts. Each item keeps where it came from so
 * later checks and the loaded model can point at its YAML line.
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type { Issue } from "../Domain/Desired.ts"
import type { AnyKind } from "../Kinds/Kind.ts"
import { kindAt, kinds } from "../Kinds/Registry.ts"
import { flattenSchemaIssue, type IssueInput, makeIssue, suggestion } from "./Issues.ts"
import type { Located } from "./Located.ts"
import { type KindKey, kindKeys } from "./Schema.ts"
import { locate, type YamlFile } from "./Yaml.ts"

export type { Located } from "./Located.ts"

/** top-level keys that are not kinds, read by their own modules (Intents.ts) */
const otherKeys: ReadonlyArray<string> = ["intents"]

export interface Items {
  /** the decoded items per top-level key ("rules"), in file order */
  readonly byKind: Readonly<Record<KindKey, Array<Located<unknown>>>>
  /**
   * every item that has a string `name`, decoded or not, in file order: duplicate names are
   * reported even when one of the copies has another error
   */
  readonly named: Readonly<Record<KindKey, Array<Located<{ readonly name: string }>>>>
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const unknownKeys = (
  file: YamlFile,
  path: ReadonlyArray<PropertyKey>,
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  context: IssueInput & { readonly what: string }
): ReadonlyArray<Issue> => {
  const unknown = Object.keys(value).filter((key) => !known.has(key))
  if (unknown.length === 0) return []
  const names = [...known]
  return unknown.map((key) =>
    makeIssue(file.path, locate(file, [...path, key], "key"), {
      ...context,
      code: "unknown-field",
      message: `unknown field "${key}"${context.what}`,
      hint: suggestion(key, names) ?? `known fields: ${names.join(", ")}`
    })
  )
}

/**
 * Decoders made once: `Schema.decodeUnknownExit(schema)` builds its parser on every call, which
 * at 10,000 items cost more than the decoding itself.
 */
const decoders: ReadonlyMap<
  KindKey,
  (input: unknown, options?: { readonly errors?: "all" | "first" }) => Exit.Exit<unknown, Schema.SchemaError>
> = new Map(kinds.map((k) => [k.collection, Schema.decodeUnknownExit(k.yaml.input as Schema.Codec<unknown, unknown>)]))
const fields: ReadonlyMap<KindKey, ReadonlySet<string>> = new Map(
  kinds.map((k) => [k.collection, new Set(Object.keys(k.yaml.input.fields))])
)

const decodeItem = (
  file: YamlFile,
  spec: AnyKind,
  index: number,
  raw: unknown,
  items: Items,
  issues: Array<Issue>
): void => {
  const kind = spec.collection
  const path = [kind, index] as const
  const at = locate(file, path)
  const name = isRecord(raw) && typeof raw["name"] === "string" ? raw["name"] : undefined
  const context = { name, kind: spec.name }
  if (!isRecord(raw)) {
    issues.push(makeIssue(file.path, at, {
      ...context,
      code: "type",
      message: `each entry of ${kind} must be a mapping of fields`,
      hint: `write "- name: ..." followed by the item's fields`
    }))
    return
  }
  issues.push(
    ...unknownKeys(file, path, raw, fields.get(kind) ?? new Set(), {
      ...context,
      code: "",
      message: "",
      what: name === undefined ? ` in ${spec.name} #${index + 1}` : ""
    })
  )
  for (const [field, known] of Object.entries(spec.yaml.nested ?? {})) {
    const nested = raw[field]
    if (isRecord(nested)) {
      issues.push(
        ...unknownKeys(file, [...path, field], nested, new Set(known), {
          ...context,
          code: "",
          message: "",
          what: ` in ${field}`
        })
      )
    }
  }
  const knownFields = fields.get(kind) ?? new Set()
  const known = Object.keys(raw).every((key) => knownFields.has(key))
    ? raw
    : Object.fromEntries(Object.entries(raw).filter(([key]) => knownFields.has(key)))
  // After reporting a broken field, decode again without it: when the item still stands, its
  // other fields are checked too, so one run reports every problem.
  const decode = <A>(
    decoder: (input: unknown, options?: { readonly errors?: "all" | "first" }) => Exit.Exit<A, Schema.SchemaError>
  ): A | undefined => {
    const exit = decoder(known, { errors: "all" })
    if (Exit.isSuccess(exit)) return exit.value
    const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
    const flat = error === undefined ? [] : flattenSchemaIssue(error.issue, known)
    for (const problem of flat) {
      issues.push(makeIssue(file.path, locate(file, [...path, ...problem.path]), { ...context, ...problem }))
    }
    if (flat.length === 0) {
      issues.push(makeIssue(file.path, at, { ...context, code: "type", message: `invalid ${spec.name}` }))
    }
    const broken = new Set(flat.map((p) => String(p.path[0])))
    const rest = Object.fromEntries(Object.entries(known).filter(([key]) => !broken.has(key)))
    const retry = decoder(rest)
    return Exit.isSuccess(retry) ? retry.value : undefined
  }
  const located = (itemName: string) => ({
    name: itemName,
    kind,
    model: spec.name,
    file,
    path,
    source: { file: file.path, line: at.line, column: at.column }
  })
  const rawName = raw["name"]
  if (typeof rawName === "string") items.named[kind]?.push({ ...located(rawName), value: { name: rawName } })
  const decoder = decoders.get(kind)
  const value = decoder === undefined ? undefined : decode(decoder)
  if (value !== undefined) {
    items.byKind[kind]?.push({ ...located((value as { readonly name: string }).name), value })
  }
}

/** Collect the typed items of every file (already in lexical order), and every shape problem. */
export const collectItems = (
  files: ReadonlyArray<YamlFile>
): { readonly items: Items; readonly issues: ReadonlyArray<Issue> } => {
  const items: Items = {
    byKind: Object.fromEntries(kindKeys.map((k) => [k, []])),
    named: Object.fromEntries(kindKeys.map((k) => [k, []]))
  }
  const issues: Array<Issue> = []
  for (const file of files) {
    const root = file.value
    if (root === null || root === undefined) continue
    if (!isRecord(root)) {
      issues.push(makeIssue(file.path, locate(file, []), {
        code: "type",
        message: `a desired-state file must be a mapping of kinds (${kindKeys.join(", ")})`,
        hint: "start the file with a top-level key such as `rules:`"
      }))
      continue
    }
    for (const [key, list] of Object.entries(root)) {
      if (otherKeys.includes(key)) continue
      const kind = kindAt(key)
      if (kind?.setting !== undefined) {
        issues.push(makeIssue(file.path, locate(file, [key], "key"), {
          code: "site-setting",
          message: `"${key}" is a site setting, not a list of items`,
          hint: `write \`${key}: <value>\` under the site in sites.yaml`
        }))
        continue
      }
      if (kind === undefined) {
        issues.push(makeIssue(file.path, locate(file, [key], "key"), {
          code: "unknown-kind",
          message: `unknown top-level key "${key}"`,
          hint: suggestion(key, [...kindKeys, ...otherKeys]) ??
            `top-level keys are ${kindKeys.join(", ")}`
        }))
        continue
      }
      if (list === null || list === undefined) continue
      if (!Array.isArray(list)) {
        issues.push(makeIssue(file.path, locate(file, [key]), {
          code: "type",
          message: `"${key}" must be a list of items`,
          hint: `write each item as "- name: ..." under ${key}:`
        }))
        continue
      }
      list.forEach((raw, index) => decodeItem(file, kind, index, raw, items, issues))
    }
  }
  return { items, issues }
}

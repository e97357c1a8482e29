/**
 * Structured edits of desired-state YAML, applied in place so comments, key order and formatting of
 * everything not edited survive (the `yaml` Document API, not parse-and-dump).
 *
 *   upsert  { kind, name, value, file?, before?, after? }  replace the item's fields, or add it
 *   delete  { kind, name }                                  remove the named item
 *   patch   { file, path, value? }                          set (or, without value, remove) one node
 *
 * Items are found by `name` under the kind's top-level key (`vlans`, `aliases`, `rules`, ...) in
 * any YAML file of the site folder. Files are only ever resolved inside that folder.
 *
 * TODO(desired-state): fold into src/DesiredState/Edit.ts when it lands, so the CLI and MCP share
 * one editor.
 */
import { Data, Effect, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { type Document, isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml"
import { PathEscape, resolveInside } from "../GitOps/Paths.ts"

export class EditError extends Data.TaggedError("EditError")<{ readonly message: string }> {}

/** kind (singular, as in plans) → top-level YAML key */
export const kindKeys: Readonly<Record<string, string>> = {
  vlan: "vlans",
  alias: "aliases",
  rule: "rules",
  port_forward: "port_forwards",
  outbound_nat: "outbound_nat",
  one_to_one_nat: "one_to_one_nat",
  host_override: "host_overrides",
  dhcp_reservation: "dhcp_reservations",
  route: "routes"
}

const Kind = Schema.Literals([
  "vlan",
  "alias",
  "rule",
  "port_forward",
  "outbound_nat",
  "one_to_one_nat",
  "host_override",
  "dhcp_reservation",
  "route"
]).annotate({ description: "kind of object; its items live under the plural top-level key (vlan → vlans)" })

const RelPath = Schema.String.annotate({ description: "file relative to the site folder, e.g. \"rules.yaml\"" })

export const Upsert = Schema.Struct({
  op: Schema.Literal("upsert"),
  kind: Kind,
  name: Schema.String.annotate({ description: "the item's name (its stable key)" }),
  value: Schema.Record(Schema.String, Schema.Unknown).annotate({
    description: "the item's fields in desired-state form, without name, e.g. { parent: igb1, tag: 30 }"
  }),
  file: Schema.optional(RelPath.annotate({ description: "where a new item goes (default: the file already holding this kind, else <kinds>.yaml)" })),
  before: Schema.optional(Schema.String.annotate({ description: "rules: place a new item before this one (order = evaluation order)" })),
  after: Schema.optional(Schema.String.annotate({ description: "rules: place a new item after this one" }))
})

export const Delete = Schema.Struct({ op: Schema.Literal("delete"), kind: Kind, name: Schema.String })

export const Patch = Schema.Struct({
  op: Schema.Literal("patch"),
  file: RelPath,
  path: Schema.Array(Schema.Union([Schema.String, Schema.Int])).annotate({
    description: "path of the node, e.g. [\"rules\", 0, \"log\"]"
  }),
  value: Schema.optional(Schema.Unknown.annotate({ description: "new value; omit to remove the node" }))
})

export const Edit = Schema.Union([Upsert, Delete, Patch])
export type Edit = typeof Edit.Type

interface Loaded {
  readonly file: string
  readonly doc: Document
  dirty: boolean
}

const listYaml = (dir: string) =>
  Effect.promise(() => fs.readdir(dir).catch((): Array<string> => [])).pipe(
    Effect.map((names) => names.filter((n) => /\.ya?ml$/i.test(n) && n !== "sites.yaml").sort())
  )

const describeValue = (name: string, value: Readonly<Record<string, unknown>>) => ({ name, ...value })

/** Apply `edits` to the site folder `siteDir`, in order; returns a line per edit. */
export const applyEdits = (
  siteDir: string,
  edits: ReadonlyArray<Edit>
): Effect.Effect<ReadonlyArray<string>, EditError | PathEscape> =>
  Effect.gen(function*() {
    const docs = new Map<string, Loaded>()
    const open = (relative: string, create: boolean) =>
      Effect.gen(function*() {
        const file = yield* resolveInside(siteDir, relative)
        if (!/\.ya?ml$/i.test(file)) {
          return yield* Effect.fail(new EditError({ message: `${relative}: only .yaml/.yml files can be edited` }))
        }
        const known = docs.get(file)
        if (known !== undefined) return known
        const text = yield* Effect.promise(() => fs.readFile(file, "utf8").catch(() => undefined))
        if (text === undefined && !create) {
          return yield* Effect.fail(new EditError({ message: `${relative} does not exist in the site folder` }))
        }
        const doc = parseDocument(text ?? "")
        if (doc.errors.length > 0) {
          return yield* Effect.fail(new EditError({ message: `${relative} is not valid YAML: ${doc.errors[0]?.message ?? ""}` }))
        }
        const loaded: Loaded = { file, doc, dirty: false }
        docs.set(file, loaded)
        return loaded
      })

    const findItem = (kind: string, name: string) =>
      Effect.gen(function*() {
        const key = kindKeys[kind] ?? kind
        for (const relative of yield* listYaml(siteDir)) {
          const loaded = yield* open(relative, false)
          const seq = loaded.doc.get(key)
          if (!isSeq(seq)) continue
          const index = seq.items.findIndex((item) => isMap(item) && item.get("name") === name)
          if (index >= 0) return { loaded, seq, index, relative }
        }
        return undefined
      })

    const report: Array<string> = []
    for (const edit of edits) {
      if (edit.op === "patch") {
        const loaded = yield* open(edit.file, true)
        if (edit.value === undefined) {
          if (!loaded.doc.hasIn(edit.path)) {
            return yield* Effect.fail(new EditError({ message: `${edit.file}: nothing at ${JSON.stringify(edit.path)} to remove` }))
          }
          loaded.doc.deleteIn(edit.path)
          report.push(`removed ${edit.path.join(".")} in ${edit.file}`)
        } else {
          loaded.doc.setIn(edit.path, loaded.doc.createNode(edit.value))
          report.push(`set ${edit.path.join(".")} in ${edit.file}`)
        }
        loaded.dirty = true
        continue
      }
      const found = yield* findItem(edit.kind, edit.name)
      if (edit.op === "delete") {
        if (found === undefined) {
          return yield* Effect.fail(new EditError({ message: `no ${edit.kind} named "${edit.name}" in the desired state` }))
        }
        found.seq.items.splice(found.index, 1)
        found.loaded.dirty = true
        report.push(`deleted ${edit.kind} ${edit.name} from ${found.relative}`)
        continue
      }
      if ("name" in edit.value) {
        return yield* Effect.fail(new EditError({ message: `upsert ${edit.kind} ${edit.name}: leave name out of value` }))
      }
      const node = (doc: Document) => doc.createNode(describeValue(edit.name, edit.value))
      if (found !== undefined) {
        const current = found.seq.items[found.index]
        if (isMap(current)) {
          // keep the map node (and its comments); replace its fields
          const fresh = node(found.loaded.doc)
          const keep = new Set(["name", ...Object.keys(edit.value)])
          for (const pair of [...current.items]) {
            const key = String(pair.key && typeof pair.key === "object" && "value" in pair.key ? pair.key.value : pair.key)
            if (!keep.has(key)) current.delete(key)
          }
          if (fresh instanceof YAMLMap) {
            for (const pair of fresh.items) {
              // an unchanged scalar keeps its node, so a comment on its line survives
              const key = isScalar(pair.key) ? pair.key.value : pair.key
              const existing = current.get(key, true)
              if (isScalar(existing) && isScalar(pair.value) && existing.value === pair.value.value) continue
              current.set(key, pair.value)
            }
          }
        }
        found.loaded.dirty = true
        report.push(`updated ${edit.kind} ${edit.name} in ${found.relative}`)
        continue
      }
      const key = kindKeys[edit.kind] ?? edit.kind
      const holder = edit.file ?? (yield* Effect.gen(function*() {
        for (const relative of yield* listYaml(siteDir)) {
          if (isSeq((yield* open(relative, false)).doc.get(key))) return relative
        }
        return `${key}.yaml`
      }))
      const loaded = yield* open(holder, true)
      let seq = loaded.doc.get(key)
      if (!isSeq(seq)) {
        if (loaded.doc.contents === null) loaded.doc.contents = loaded.doc.createNode({})
        seq = new YAMLSeq()
        loaded.doc.set(key, seq)
      }
      if (!(seq instanceof YAMLSeq)) return yield* Effect.fail(new EditError({ message: `${holder}: ${key} is not a list` }))
      const anchor = edit.before ?? edit.after
      let at = seq.items.length
      if (anchor !== undefined) {
        const index = seq.items.findIndex((item) => isMap(item) && item.get("name") === anchor)
        if (index < 0) {
          return yield* Effect.fail(new EditError({ message: `no ${edit.kind} "${anchor}" in ${holder} to place ${edit.name} next to` }))
        }
        at = edit.before !== undefined ? index : index + 1
      }
      seq.items.splice(at, 0, node(loaded.doc))
      loaded.dirty = true
      report.push(`added ${edit.kind} ${edit.name} to ${holder}`)
    }
    for (const loaded of docs.values()) {
      if (!loaded.dirty) continue
      yield* Effect.promise(async () => {
        await fs.mkdir(path.dirname(loaded.file), { recursive: true })
        await fs.writeFile(loaded.file, loaded.doc.toString())
      })
    }
    return report
  })

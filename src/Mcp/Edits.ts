/**
 * propose_change's edits, as the MCP input schema and their application to one site folder:
 *
 *   upsert  { kind, name, value, file?, before?, after? }  replace the item's fields, or add it
 *   delete  { kind, name }                                  remove the named item
 *   patch   { file, path, value? }                          set (or, without value, remove) one YAML node
 *
 * upsert and delete go through the desired state's editor (DesiredState/Edit.ts), which keeps
 * comments, key order and flow style; patch uses the same yaml Document API for one node. Every
 * file named by an edit is confined to the site folder before anything is read or written.
 */
import { Data, Effect, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { parseDocument } from "yaml"
import * as DesiredEdit from "../DesiredState/Edit.ts"
import type { SourceFile } from "../DesiredState/Load.ts"
import { writeConfined } from "../GitOps.ts"
import { PathEscape, resolveInside } from "../GitOps/Paths.ts"

export class EditError extends Data.TaggedError("EditError")<{ readonly message: string }> {}

/** kind as plans name it → the top-level YAML key */
const kindKey = { vlan: "vlans", alias: "aliases", rule: "rules" } as const

const Kind = Schema.Literals(["vlan", "alias", "rule"]).annotate({
  description: "kind of object; its items live under the plural top-level key (vlan → vlans)"
})

const RelPath = Schema.String.annotate({ description: "file relative to the site folder, e.g. \"rules.yaml\"" })

export const Upsert = Schema.Struct({
  op: Schema.Literal("upsert"),
  kind: Kind,
  name: Schema.String.annotate({ description: "the item's name (its stable key)" }),
  value: Schema.Record(Schema.String, Schema.Unknown).annotate({
    description: "the item's fields in desired-state form, without name, e.g. { parent: igb1, tag: 30 }"
  }),
  file: Schema.optional(
    RelPath.annotate({
      description: "where a new item goes (default: the file already holding this kind, else <kinds>.yaml)"
    })
  ),
  before: Schema.optional(
    Schema.String.annotate({ description: "rules: place the item before this one (order = evaluation order)" })
  ),
  after: Schema.optional(Schema.String.annotate({ description: "rules: place the item after this one" }))
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

const yamlName = /\.ya?ml$/i

const readSite = (siteDir: string) =>
  Effect.promise(async (): Promise<Array<SourceFile>> => {
    const names = (await fs.readdir(siteDir).catch((): Array<string> => [])).filter((n) =>
      yamlName.test(n) && n !== "sites.yaml"
    )
    return Promise.all(
      names.sort().map(async (name) => ({ path: name, text: await fs.readFile(path.join(siteDir, name), "utf8") }))
    )
  })

const toDesiredEdit = (edit: Exclude<Edit, { readonly op: "patch" }>): DesiredEdit.Edit =>
  edit.op === "delete"
    ? { op: "delete", kind: kindKey[edit.kind], name: edit.name }
    : {
      op: "upsert",
      kind: kindKey[edit.kind],
      item: { ...edit.value, name: edit.name },
      file: edit.file,
      before: edit.before,
      after: edit.after
    }

/** One line per edit, for commit messages and tool results: "upsert vlan iot". */
export const describeEdit = (edit: Edit): string => {
  switch (edit.op) {
    case "upsert":
    case "delete":
      return `${edit.op} ${edit.kind} ${edit.name}`
    case "patch":
      return `${edit.value === undefined ? "remove" : "set"} ${edit.path.join(".")} in ${edit.file}`
  }
}

const patch = (files: ReadonlyArray<SourceFile>, edit: Extract<Edit, { readonly op: "patch" }>) =>
  Effect.gen(function*() {
    const known = files.find((f) => f.path === edit.file)
    const doc = parseDocument(known?.text ?? "")
    if (doc.errors.length > 0) {
      return yield* Effect.fail(
        new EditError({ message: `${edit.file} has YAML errors (${doc.errors[0]?.message ?? ""})` })
      )
    }
    if (edit.value === undefined) {
      if (!doc.hasIn(edit.path)) {
        return yield* Effect.fail(
          new EditError({ message: `${edit.file}: nothing at ${JSON.stringify(edit.path)} to remove` })
        )
      }
      doc.deleteIn(edit.path)
    } else {
      doc.setIn(edit.path, doc.createNode(edit.value))
    }
    const next = { path: edit.file, text: doc.toString({ lineWidth: 0 }) }
    return known === undefined ? [...files, next] : files.map((f) => (f === known ? next : f))
  })

/** Apply `edits` in order to the YAML files of `siteDir`; returns one line per edit. */
export const applyEdits = (
  siteDir: string,
  edits: ReadonlyArray<Edit>
): Effect.Effect<ReadonlyArray<string>, EditError | PathEscape> =>
  Effect.gen(function*() {
    for (const edit of edits) {
      const file = edit.op === "delete" ? undefined : edit.file
      if (file === undefined) continue
      const resolved = yield* resolveInside(siteDir, file)
      if (!yamlName.test(file) || path.dirname(resolved) !== path.resolve(siteDir)) {
        return yield* Effect.fail(new EditError({ message: `${file}: name a .yaml file directly in the site folder` }))
      }
    }
    const original = yield* readSite(siteDir)
    let files: ReadonlyArray<SourceFile> = original
    for (const [index, edit] of edits.entries()) {
      if (edit.op === "patch") {
        files = yield* patch(files, edit)
        continue
      }
      const result = yield* DesiredEdit.applyEdits(files, [toDesiredEdit(edit)]).pipe(
        Effect.mapError((e) =>
          new EditError({ message: `edit ${index + 1} (${edit.op} ${edit.kind} ${edit.name}): ${e.message}` })
        )
      )
      files = result.files
    }
    const changed = files.filter((file) => original.find((f) => f.path === file.path)?.text !== file.text)
    yield* writeConfined(siteDir, ".", changed.map((f) => ({ path: f.path, content: f.text })))
    return edits.map(describeEdit)
  })

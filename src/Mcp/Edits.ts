/**
 * propose_change's edits, as the MCP input schema and their application to one site folder:
 *
 *   upsert  { kind, name, value, file?, before?, after? }  replace the item's fields, or add it
 *   delete  { kind, name }                                  remove the named item
 *   patch   { file, path, value? }                          set (or, without value, remove) one YAML node
 *
 * The site's files are read by the DesiredState service (the loader's limits and refusals), every
 * edit goes through the desired state's editor (DesiredState/Edit.ts) in one pass, which parses
 * each file once, keeps comments, key order and flow style, and prints each changed file once.
 * Every file named by an edit is confined to the site folder before anything is read or written.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as path from "node:path"
import { DesiredState } from "../DesiredState.ts"
import * as DesiredEdit from "../DesiredState/Edit.ts"
import { issueLine, writeConfined } from "../GitOps.ts"
import { PathEscape, resolveInside } from "../GitOps/Paths.ts"
import { KindName, kindNamed, kindNames } from "../Kinds/Registry.ts"

export class EditError extends Data.TaggedError("EditError")<{ readonly message: string }> {}

/** kind as plans name it → the top-level YAML key */
const kindKey = (kind: string): string => kindNamed(kind)?.collection ?? kind

const Kind = KindName.annotate({
  description: `kind of object (${kindNames.join(", ")}); its items live under its top-level key (vlan → vlans)`
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

/** The site's files as the loader reads them, with paths relative to the site folder. */
const readSite = (dir: string, site: string) =>
  Effect.gen(function*() {
    const desired = yield* DesiredState
    const { issues, sites } = yield* desired.sources({ dir, site })
    const errors = issues.filter((i) => i.severity === "error")
    const read = sites[0]
    if (errors.length > 0 || read === undefined) {
      const lines = errors.slice(0, 20).map(issueLine)
      return yield* new EditError({
        message: `the site's files cannot be read, so nothing was edited:\n${lines.join("\n") || `no site "${site}"`}`
      })
    }
    const prefix = read.config.path === "." ? "" : `${read.config.path}/`
    const files = read.files.map((f) => ({ path: f.path.slice(prefix.length), text: f.text }))
    return { sitePath: read.config.path, files }
  })

const toDesiredEdit = (edit: Edit): DesiredEdit.Edit => {
  switch (edit.op) {
    case "delete":
      return { op: "delete", kind: kindKey(edit.kind), name: edit.name }
    case "patch":
      return { op: "patch", file: edit.file, path: edit.path, value: edit.value }
    case "upsert":
      return {
        op: "upsert",
        kind: kindKey(edit.kind),
        item: { ...edit.value, name: edit.name },
        file: edit.file,
        before: edit.before,
        after: edit.after
      }
  }
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

/**
 * Apply `edits` in order to the YAML files of `site` under the desired-state root `dir`; returns one
 * line per edit.
 */
export const applyEdits = (
  options: { readonly dir: string; readonly site: string },
  edits: ReadonlyArray<Edit>
): Effect.Effect<ReadonlyArray<string>, EditError | PathEscape, DesiredState> =>
  Effect.gen(function*() {
    const { files, sitePath } = yield* readSite(options.dir, options.site)
    const siteDir = sitePath === "." ? path.resolve(options.dir) : yield* resolveInside(options.dir, sitePath)
    for (const edit of edits) {
      const file = edit.op === "delete" ? undefined : edit.file
      if (file === undefined) continue
      const resolved = yield* resolveInside(siteDir, file)
      if (!yamlName.test(file) || path.dirname(resolved) !== siteDir) {
        return yield* Effect.fail(new EditError({ message: `${file}: name a .yaml file directly in the site folder` }))
      }
    }
    const result = yield* DesiredEdit.applyEdits(files, edits.map(toDesiredEdit)).pipe(
      Effect.mapError((e) => {
        const edit = edits[e.edit]
        return new EditError({
          message: edit === undefined ? e.message : `edit ${e.edit + 1} (${describeEdit(edit)}): ${e.message}`
        })
      })
    )
    const changed = result.files.filter((f) => result.changed.includes(f.path))
    yield* writeConfined(siteDir, ".", changed.map((f) => ({ path: f.path, content: f.text })))
    return edits.map(describeEdit)
  })

/**
 * Edits to the desired-state YAML that keep people's comments and formatting: upsert or delete a
 * named item, or set one node, through the yaml Document API; each file is parsed and printed once
 * however many edits touch it. propose_change builds on this; it validates the
 * result with loadSite before committing.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { Document, isMap, isNode, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml"
import { byCodeUnit } from "../Domain/Digest.ts"
import type { SourceFile } from "./Load.ts"
import { type FriendlyItem, styleItemNodes } from "./Render.ts"
import type { KindKey } from "./Schema.ts"

export type Edit =
  | {
    readonly op: "upsert"
    readonly kind: KindKey
    /** the whole item in friendly form (Render.ts friendly* build one from a canonical spec) */
    readonly item: FriendlyItem
    /** where a new item goes; default: the file already holding this kind (rules: the last one), else `<kind>.yaml` */
    readonly file?: string | undefined
    /** rules: place the item just before / after the named rule (evaluation order) */
    readonly before?: string | undefined
    readonly after?: string | undefined
  }
  | { readonly op: "delete"; readonly kind: KindKey; readonly name: string }
  | {
    /** set the node at `path` of `file` to `value` (the file is created when missing), or remove it without `value` */
    readonly op: "patch"
    readonly file: string
    readonly path: ReadonlyArray<string | number>
    readonly value?: unknown
  }

export class EditError extends Data.TaggedError("EditError")<{
  readonly message: string
  /** index of the edit in the list */
  readonly edit: number
}> {}

export interface EditResult {
  /** every file, edited or not, in the input order (new files appended) */
  readonly files: ReadonlyArray<SourceFile>
  /** paths of the files whose text changed or that were created */
  readonly changed: ReadonlyArray<string>
}

interface Opened {
  readonly path: string
  readonly original: string
  readonly doc: Document.Parsed | Document
  dirty: boolean
}

interface Found {
  readonly file: Opened
  readonly seq: YAMLSeq
  readonly index: number
}

const itemName = (node: unknown): string | undefined => {
  if (!isMap(node)) return undefined
  const value = node.get("name")
  return typeof value === "string" ? value : undefined
}

const kindSeq = (file: Opened, kind: KindKey): YAMLSeq | undefined => {
  const node = file.doc.get(kind, true)
  return isSeq(node) ? node : undefined
}

/** The names of a kind's items across files, to answer "no such item" without scanning them all. */
type NameIndex = Map<KindKey, Set<string>>

const namesOf = (index: NameIndex, files: ReadonlyArray<Opened>, kind: KindKey): Set<string> => {
  let names = index.get(kind)
  if (names === undefined) {
    names = new Set()
    for (const file of files) {
      for (const node of kindSeq(file, kind)?.items ?? []) {
        const name = itemName(node)
        if (name !== undefined) names.add(name)
      }
    }
    index.set(kind, names)
  }
  return names
}

const find = (files: ReadonlyArray<Opened>, kind: KindKey, name: string, index?: NameIndex): Found | undefined => {
  // importing thousands of items upserts thousands of new names: each would scan every item
  if (index !== undefined && !namesOf(index, files, kind).has(name)) return undefined
  for (const file of files) {
    const seq = kindSeq(file, kind)
    const index = seq?.items.findIndex((node) => itemName(node) === name) ?? -1
    if (seq !== undefined && index >= 0) return { file, seq, index }
  }
  return undefined
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Bring an existing item's map to `item`, touching only the keys whose value changed. */
const updateInPlace = (file: Opened, map: YAMLMap, item: Readonly<Record<string, unknown>>): void => {
  for (const pair of [...map.items]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined
    if (key !== undefined && !(key in item)) map.delete(key)
  }
  for (const [key, value] of Object.entries(item)) {
    const current: unknown = map.get(key, true)
    const currentJs: unknown = isNode(current) ? current.toJSON() : current
    if (map.has(key) && sameValue(currentJs, value)) continue
    // Change nodes in place where the shape is the same, so their comments and flow style stay.
    if (isMap(current) && isPlainObject(value)) updateInPlace(file, current, value)
    else if (isScalar(current) && (value === null || typeof value !== "object")) current.value = value
    else {
      const node = file.doc.createNode(value)
      if (isSeq(current) && isSeq(node)) node.flow = current.flow ?? false
      map.set(key, node)
    }
  }
}

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const newNode = (file: Opened, item: FriendlyItem) => {
  const node = file.doc.createNode(item)
  const scratch = new Document()
  scratch.contents = node
  styleItemNodes(scratch)
  return node
}

/** The yaml printer pads all flow collections or none: follow what the file mostly does. */
const padded = (text: string): boolean => {
  const withSpace = (text.match(/[[{] \S/g) ?? []).length
  const without = (text.match(/[[{][^\s\]}]/g) ?? []).length
  return withSpace >= without
}

export const applyEdits = (
  sources: ReadonlyArray<SourceFile>,
  edits: ReadonlyArray<Edit>
): Effect.Effect<EditResult, EditError> =>
  Effect.gen(function*() {
    const files: Array<Opened> = []
    for (const source of sources) {
      const doc = parseDocument(source.text, { prettyErrors: false })
      if (doc.errors.length > 0) {
        return yield* new EditError({
          edit: -1,
          message: `${source.path} has YAML errors (${doc.errors[0]?.message ?? ""}); fix it before editing`
        })
      }
      files.push({ path: source.path, original: source.text, doc, dirty: false })
    }
    const sorted = () => [...files].sort((a, b) => byCodeUnit(a.path, b.path))
    // kept in step with every upsert and delete; a patch may change any name, so it starts afresh
    const names: NameIndex = new Map()
    // the item added last, per kind: an import chains each rule after the one before it
    const added = new Map<
      KindKey,
      { readonly name: string; readonly file: Opened; readonly seq: YAMLSeq; readonly node: unknown }
    >()
    const lookup = (kind: KindKey, name: string): Found | undefined => {
      const last = added.get(kind)
      const at = last?.name === name ? last.seq.items.indexOf(last.node) : -1
      return last !== undefined && at >= 0
        ? { file: last.file, seq: last.seq, index: at }
        : find(sorted(), kind, name, names)
    }

    for (const [index, edit] of edits.entries()) {
      const fail = (message: string) => new EditError({ edit: index, message })
      if (edit.op === "patch") {
        let target = files.find((f) => f.path === edit.file)
        if (target === undefined) {
          target = { path: edit.file, original: "", doc: parseDocument(""), dirty: true }
          files.push(target)
        }
        if (edit.value === undefined) {
          if (!target.doc.hasIn(edit.path)) return yield* fail(`nothing at ${JSON.stringify(edit.path)} to remove`)
          target.doc.deleteIn(edit.path)
        } else {
          target.doc.setIn(edit.path, target.doc.createNode(edit.value))
        }
        target.dirty = true
        names.clear()
        continue
      }
      if (edit.op === "delete") {
        const found = find(sorted(), edit.kind, edit.name, names)
        if (found === undefined) return yield* fail(`no ${edit.kind} item named "${edit.name}"`)
        found.seq.items.splice(found.index, 1)
        // another item of that name may remain (a duplicate): count again when next asked
        names.delete(edit.kind)
        found.file.dirty = true
        continue
      }
      const { item, kind } = edit
      if (typeof item.name !== "string" || item.name === "") return yield* fail("the item needs a name")
      const anchorName = edit.before ?? edit.after
      const anchor = anchorName === undefined ? undefined : lookup(kind, anchorName)
      if (anchorName !== undefined && anchor === undefined) {
        return yield* fail(`no ${kind} item named "${anchorName}" to place "${item.name}" next to`)
      }
      const existing = find(sorted(), kind, item.name, names)
      if (existing !== undefined) {
        const map = existing.seq.items[existing.index]
        if (!isMap(map)) return yield* fail(`${kind} item "${item.name}" is not a mapping`)
        updateInPlace(existing.file, map, item)
        existing.file.dirty = true
        if (anchor === undefined) continue
        existing.seq.items.splice(existing.index, 1)
        const at = find(sorted(), kind, anchorName ?? "")
        at?.seq.items.splice(at.index + (edit.after !== undefined ? 1 : 0), 0, map)
        if (at !== undefined) at.file.dirty = true
        continue
      }
      namesOf(names, files, kind).add(item.name)
      if (anchor !== undefined) {
        const node = newNode(anchor.file, item)
        anchor.seq.items.splice(anchor.index + (edit.after !== undefined ? 1 : 0), 0, node)
        anchor.file.dirty = true
        added.set(kind, { name: item.name, file: anchor.file, seq: anchor.seq, node })
        continue
      }
      const holders = sorted().filter((f) => kindSeq(f, kind) !== undefined)
      const path = edit.file ?? (kind === "rules" ? holders[holders.length - 1]?.path : holders[0]?.path) ??
        `${kind}.yaml`
      let target = files.find((f) => f.path === path)
      if (target === undefined) {
        target = { path, original: "", doc: parseDocument(""), dirty: true }
        files.push(target)
      }
      if (target.doc.contents === null) target.doc.contents = target.doc.createNode({})
      if (!isMap(target.doc.contents)) return yield* fail(`${path} is not a mapping of kinds`)
      let seq = kindSeq(target, kind)
      if (seq === undefined) {
        target.doc.set(kind, target.doc.createNode([]))
        seq = kindSeq(target, kind)
      }
      const node = newNode(target, item)
      seq?.items.push(node)
      target.dirty = true
      if (seq !== undefined) added.set(kind, { name: item.name, file: target, seq, node })
    }

    const out = files.map((f) => ({
      path: f.path,
      text: f.dirty ? f.doc.toString({ lineWidth: 0, flowCollectionPadding: padded(f.original) }) : f.original
    }))
    return { files: out, changed: out.filter((f, i) => f.text !== files[i]?.original).map((f) => f.path) }
  })

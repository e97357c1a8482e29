/**
 * YAML with positions, parsed defensively. Input is untrusted text from a git repository: every
 * limit here turns a resource-exhaustion trick (alias bombs, absurd nesting, huge files, bytes
 * that are not UTF-8) into an Issue instead of a hang or a crash.
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit
} from "yaml"
import type { Issue } from "../Domain/Desired.ts"
import { makeIssue, type Position } from "./Issues.ts"
import { type Segment, type Span, splitTopLevel } from "./YamlChunks.ts"
import { readItem } from "./YamlItem.ts"

export interface Limits {
  /** bytes per file (default 5 MB) */
  readonly maxFileBytes: number
  /** YAML alias (*ref) expansions per file */
  readonly maxAliasCount: number
  /** nesting depth of collections */
  readonly maxDepth: number
  /** YAML files per site */
  readonly maxFiles: number
}

export const defaultLimits: Limits = {
  maxFileBytes: 5 * 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 32,
  maxFiles: 1000
}

export type Target = "value" | "key"

export interface YamlFile {
  /** path as shown to people: relative to DESIRED_STATE_DIR */
  readonly path: string
  /** the document as plain data (aliases expanded within the limit) */
  readonly value: unknown
  /**
   * Position of the node at `path` (map keys and sequence indexes) or of its key, falling back to
   * the closest enclosing node that exists. Files keep their text and where each item starts, not
   * the parsed document: what an error needs is parsed again from the item's text.
   */
  readonly position: (path: ReadonlyArray<PropertyKey>, target: Target) => Position
}

const start: Position = { line: 1, column: 1 }

export const positionAt = (lines: LineCounter, offset: number): Position => {
  const { line, col } = lines.linePos(offset)
  return line === 0 ? start : { line, column: col }
}

/** Bytes → text: strict UTF-8, byte-order mark dropped. */
export const decodeUtf8 = (path: string, bytes: Uint8Array): { readonly text?: string; readonly issue?: Issue } => {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes)
    return { text }
  } catch {
    let line = 1
    let column = 1
    const valid = new TextDecoder("utf-8", { fatal: false }).decode(bytes).split("\uFFFD")[0] ?? ""
    for (const ch of valid) {
      if (ch === "\n") {
        line++
        column = 1
      } else column++
    }
    return {
      issue: makeIssue(path, { line, column }, {
        code: "file-encoding",
        message: "file is not valid UTF-8",
        hint: "save the file as UTF-8 (without a legacy code page)"
      })
    }
  }
}

/** The first collection nested deeper than `maxDepth` (the document's top node is at depth 1). */
const tooDeep = (doc: Document.Parsed, maxDepth: number): Node | undefined => {
  const stack: Array<readonly [unknown, number]> = [[doc.contents, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() ?? [undefined, 0]
    if (!isCollection(node)) continue
    if (depth > maxDepth) return node
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push([item.key, depth + 1])
        stack.push([item.value, depth + 1])
      } else stack.push([item, depth + 1])
    }
  }
  return undefined
}

const depthIssue = (path: string, lines: LineCounter, doc: Document.Parsed, maxDepth: number): Issue | undefined => {
  const node = tooDeep(doc, maxDepth)
  return node === undefined ? undefined : makeIssue(path, positionAt(lines, node.range?.[0] ?? 0), {
    code: "yaml-too-deep",
    message: `nesting deeper than ${maxDepth} levels`,
    hint: "desired-state files are flat lists of items; remove the extra nesting"
  })
}

const yamlCodes: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: "yaml-duplicate-key",
  MULTIPLE_DOCS: "yaml-multiple-documents"
}

const parse = (text: string, lines: LineCounter): Document.Parsed =>
  parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    schema: "core",
    strict: true,
    stringKeys: false
  })

/** Position of `path` in a parsed document (the rule `locate` documents). */
const positionIn = (
  doc: Document.Parsed,
  lines: LineCounter,
  path: ReadonlyArray<PropertyKey>,
  target: Target
): Position => {
  const { key, node } = nodeAt(doc, path)
  const chosen = target === "key" ? key ?? node : node ?? key
  return positionAt(lines, chosen?.range?.[0] ?? 0)
}

/** A piece of the file parsed on its own: positions shifted to the piece's first line. */
const parsePiece = (text: string, span: Span) => {
  const lines = new LineCounter()
  const doc = parse(text.slice(span.start, span.end), lines)
  const position = (path: ReadonlyArray<PropertyKey>, target: Target): Position => {
    const { key, node } = nodeAt(doc, path)
    const offset = (target === "key" ? key ?? node : node ?? key)?.range?.[0]
    // no node: the whole file's answer is its start, not the piece's
    if (offset === undefined) return start
    const at = positionAt(lines, offset)
    return { line: at.line + span.line - 1, column: at.column }
  }
  return { doc, position }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const hasAlias = (doc: Document.Parsed): boolean => {
  let found = false
  visit(doc, {
    Alias: () => {
      found = true
      return visit.BREAK
    }
  })
  return found
}

/**
 * The file item by item (YamlChunks.ts), or undefined when that cannot give exactly what parsing
 * it whole gives: any syntax problem, alias (the expansion limit counts per file) or excess depth
 * sends the caller to the whole-file parse, which reports it as usual.
 */
export const parseByItem = (path: string, text: string, limits: Limits = defaultLimits): YamlFile | undefined => {
  const segments = splitTopLevel(text)
  // the list under a top-level key is at depth 2, its items at 3
  if (segments === undefined || limits.maxDepth < 3) return undefined
  const value: Record<string, unknown> = {}
  const itemAt = new Map<Segment, ReadonlyArray<Position>>()
  const usable = (doc: Document.Parsed, piece: string, depthOffset: number) =>
    doc.errors.length === 0 && tooDeep(doc, limits.maxDepth - depthOffset) === undefined &&
    !(piece.includes("*") && hasAlias(doc))
  for (const segment of segments) {
    if (segment.items === undefined) {
      const piece = parsePiece(text, segment)
      if (!usable(piece.doc, text.slice(segment.start, segment.end), 0)) return undefined
      const whole: unknown = piece.doc.toJS({ maxAliasCount: limits.maxAliasCount })
      if (!isRecord(whole) || !(segment.key in whole)) return undefined
      value[segment.key] = whole[segment.key]
      continue
    }
    const items: Array<unknown> = []
    const positions: Array<Position> = []
    for (const span of segment.items) {
      // the list sits at depth 2 of the file; most items need no general parser (YamlItem.ts)
      const fast = readItem(text, span, 2, limits.maxDepth)
      if (fast !== undefined) {
        items.push(fast.value)
        positions.push(fast.position)
        continue
      }
      const piece = parsePiece(text, span)
      // the piece is a one-item list, one level above where the item sits in the file
      if (!usable(piece.doc, text.slice(span.start, span.end), 1)) return undefined
      const list: unknown = piece.doc.toJS({ maxAliasCount: limits.maxAliasCount })
      if (!Array.isArray(list) || list.length !== 1) return undefined
      items.push(list[0])
      positions.push(piece.position([0], "value"))
    }
    value[segment.key] = items
    itemAt.set(segment, positions)
  }
  // the last piece parsed again, so the errors of one item cost one parse
  let recent: { readonly span: Span; readonly piece: ReturnType<typeof parsePiece> } | undefined
  const pieceOf = (span: Span) => {
    if (recent?.span !== span) recent = { span, piece: parsePiece(text, span) }
    return recent.piece
  }
  const position = (at: ReadonlyArray<PropertyKey>, target: Target): Position => {
    const [key, index, ...rest] = at
    const segment = segments.find((s) => s.key === String(key))
    // the top-level mapping starts at its first key; a missing key points at the mapping
    if (segment === undefined) return { line: segments[0]?.line ?? 1, column: 1 }
    const keyAt = { line: segment.line, column: 1 }
    if (at.length === 1 && target === "key") return keyAt
    if (segment.items === undefined) return pieceOf(segment).position(at, target)
    if (typeof index !== "number") {
      const first = segment.items[0]
      return at.length > 1 && target === "key"
        ? keyAt
        : first === undefined
        ? start
        : pieceOf(first).position([], "value")
    }
    const span = segment.items[index]
    if (span === undefined) return start
    if (rest.length === 0 && target === "value") return itemAt.get(segment)?.[index] ?? start
    return pieceOf(span).position([0, ...rest], target)
  }
  return { path, value, position }
}

export interface Parsed {
  readonly file?: YamlFile
  readonly issues: ReadonlyArray<Issue>
}

/** Parse one file. Returns the file when it is usable, and every problem found. */
export const parseYaml = (path: string, text: string, limits: Limits = defaultLimits): Parsed => {
  const byItem = parseByItem(path, text, limits)
  return byItem === undefined ? parseWhole(path, text, limits) : { file: byItem, issues: [] }
}

/** The whole file as one document: the reference parseByItem must agree with, and the fallback. */
export const parseWhole = (path: string, text: string, limits: Limits = defaultLimits): Parsed => {
  const lines = new LineCounter()
  const doc = parse(text, lines)
  const syntax = doc.errors.map((e) =>
    makeIssue(path, positionAt(lines, e.pos[0]), {
      code: yamlCodes[e.code] ?? "yaml-syntax",
      message: e.message.split("\n")[0] ?? e.message,
      hint: e.code === "MULTIPLE_DOCS"
        ? "keep one document per file (drop the `---` separator or split the file)"
        : e.code === "DUPLICATE_KEY"
        ? "each key may appear once per mapping"
        : "fix the YAML syntax at this position"
    })
  )
  if (syntax.length > 0) return { issues: syntax }
  const deep = depthIssue(path, lines, doc, limits.maxDepth)
  if (deep !== undefined) return { issues: [deep] }
  try {
    const value = doc.toJS({ maxAliasCount: limits.maxAliasCount })
    return { file: { path, value, position: (at, target) => positionIn(doc, lines, at, target) }, issues: [] }
  } catch (error) {
    return {
      issues: [makeIssue(path, start, {
        code: "yaml-alias-limit",
        message: error instanceof Error ? error.message : "YAML aliases could not be expanded",
        hint: `use fewer YAML aliases (*ref); at most ${limits.maxAliasCount} expansions per file`
      })]
    }
  }
}

/** The node at `path` (map keys and sequence indexes), or undefined. Aliases are not followed. */
export const nodeAt = (
  doc: Document.Parsed,
  path: ReadonlyArray<PropertyKey>
): { readonly node?: Node; readonly key?: Node } => {
  let node: unknown = doc.contents
  let key: Node | undefined
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))
      if (pair === undefined) return { node: node as Node }
      key = isScalar(pair.key) ? pair.key : undefined
      node = pair.value
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment]
      key = undefined
    } else break
  }
  if (isAlias(node) || isCollection(node) || isScalar(node)) return key === undefined ? { node } : { node, key }
  return key === undefined ? {} : { key }
}

/**
 * Position of the value at `path`, or of its key (for unknown keys), falling back to the closest
 * enclosing node that exists (for missing keys).
 */
export const locate = (file: YamlFile, path: ReadonlyArray<PropertyKey>, target: Target = "value"): Position =>
  file.position(path, target)

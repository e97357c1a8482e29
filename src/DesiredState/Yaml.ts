/**
 * YAML with positions, parsed defensively. Input is untrusted text from a git repository: every
 * limit here turns a resource-exhaustion trick (alias bombs, absurd nesting, huge files, bytes
 * that are not UTF-8) into an Issue instead of a hang or a crash.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml"
import type { Issue } from "../Domain/Desired.ts"
import { makeIssue, type Position } from "./Issues.ts"

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

export interface YamlFile {
  /** path as shown to people: relative to DESIRED_STATE_DIR */
  readonly path: string
  readonly doc: Document.Parsed
  readonly lines: LineCounter
  /** the document as plain data (aliases expanded within the limit) */
  readonly value: unknown
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

const depthIssue = (path: string, lines: LineCounter, doc: Document.Parsed, maxDepth: number): Issue | undefined => {
  const stack: Array<readonly [unknown, number]> = [[doc.contents, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() ?? [undefined, 0]
    if (!isCollection(node)) continue
    if (depth > maxDepth) {
      return makeIssue(path, positionAt(lines, node.range?.[0] ?? 0), {
        code: "yaml-too-deep",
        message: `nesting deeper than ${maxDepth} levels`,
        hint: "desired-state files are flat lists of items; remove the extra nesting"
      })
    }
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push([item.key, depth + 1])
        stack.push([item.value, depth + 1])
      } else stack.push([item, depth + 1])
    }
  }
  return undefined
}

const yamlCodes: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: "yaml-duplicate-key",
  MULTIPLE_DOCS: "yaml-multiple-documents"
}

/** Parse one file. Returns the file when it is usable, and every problem found. */
export const parseYaml = (
  path: string,
  text: string,
  limits: Limits = defaultLimits
): { readonly file?: YamlFile; readonly issues: ReadonlyArray<Issue> } => {
  const lines = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    schema: "core",
    strict: true,
    stringKeys: false
  })
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
    return { file: { path, doc, lines, value }, issues: [] }
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
export const nodeAt = (doc: Document.Parsed, path: ReadonlyArray<PropertyKey>): { readonly node?: Node; readonly key?: Node } => {
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
export const locate = (file: YamlFile, path: ReadonlyArray<PropertyKey>, target: "value" | "key" = "value"): Position => {
  const { key, node } = nodeAt(file.doc, path)
  const chosen = target === "key" ? key ?? node : node ?? key
  return positionAt(file.lines, chosen?.range?.[0] ?? 0)
}

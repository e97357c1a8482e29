/**
 * One list item of a desired-state file, read without the general YAML parser. `yaml` tokenises,
 * builds a node tree and composes it for every item: at 10,000 rules that is most of a plan's
 * time. The items people and `import` write use a small part of YAML (block mappings and lists,
 * one-line plain and quoted scalars, one-line flow lists and maps), and that part is read here
 * directly. Anything else (anchors, tags, block or multi-line scalars, escapes, numbers other than
 * plain decimals, keys that are not plain words, tabs, control characters, ...) answers undefined
 * and the caller parses the item with `yaml`, which stays the reference: the values answered here
 * equal what `yaml` (core schema) gives, as test/desired-state/yaml-item.test.ts checks on
 * generated items.
 */
import type { Position } from "./Issues.ts"
import type { Span } from "./YamlChunks.ts"

export interface FastItem {
  readonly value: unknown
  /** where the item's node starts (after `- `), as `yaml` reports it */
  readonly position: Position
}

/** Thrown (and caught below) wherever the text leaves the subset. */
const UNSUPPORTED: unique symbol = Symbol("unsupported")
const unsupported = (): never => {
  throw UNSUPPORTED
}

interface Line {
  /** column of the first character of `text`, 0-based */
  readonly indent: number
  /** the line from its first non-space character, trailing spaces (and `\r`) dropped */
  readonly text: string
}

/** Tabs, control characters, BOMs and the line separators YAML 1.1 knew: left to the parser. */
const AWKWARD = /[\t\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]|\r(?!\n)/
const isWordStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95
const isWordPart = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57) || c === 45
/** `[A-Za-z_][A-Za-z0-9_-]*` at `from`, or undefined */
const word = (text: string, from: number): string | undefined => {
  if (!isWordStart(text.charCodeAt(from))) return undefined
  let end = from + 1
  while (isWordPart(text.charCodeAt(end))) end++
  return text.slice(from, end)
}
const NULLS: ReadonlySet<string> = new Set(["~", "null", "Null", "NULL"])
const TRUES: ReadonlySet<string> = new Set(["true", "True", "TRUE"])
const FALSES: ReadonlySet<string> = new Set(["false", "False", "FALSE"])
/** a plain word the core schema reads as a string, usable as an object key as it stands */
const plainKey = (text: string, from = 0): string | undefined => {
  const key = word(text, from)
  return key === undefined || key === "__proto__" || NULLS.has(key) || TRUES.has(key) || FALSES.has(key)
    ? undefined
    : key
}
/** numbers of the core schema other than short plain decimals: left to the parser */
const OTHER_NUMBER =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/
const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/
/** characters that cannot start a plain scalar, or start one only in ways left to the parser */
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`"

const lines = (text: string, span: Span): Array<Line> => {
  const out: Array<Line> = []
  let offset = span.start
  while (offset < span.end) {
    const newline = text.indexOf("\n", offset)
    const stop = newline < 0 || newline > span.end ? span.end : newline
    let end = stop
    if (end > offset && text.charCodeAt(end - 1) === 13) end--
    let first = offset
    while (first < end && text.charCodeAt(first) === 32) first++
    let last = end
    while (last > first && text.charCodeAt(last - 1) === 32) last--
    if (first < last && text.charCodeAt(first) !== 35) {
      out.push({ indent: first - offset, text: text.slice(first, last) })
    }
    offset = stop + 1
  }
  return out
}

const scalar = (plain: string): unknown => {
  if (NULLS.has(plain)) return null
  if (TRUES.has(plain)) return true
  if (FALSES.has(plain)) return false
  if (DECIMAL.test(plain)) return Number(plain)
  if (OTHER_NUMBER.test(plain)) return unsupported()
  return plain
}

/** A scalar or flow collection starting at `text[at]`; answers the value and where it ends. */
interface Read {
  readonly value: unknown
  readonly end: number
}

const skipSpaces = (text: string, at: number): number => {
  let i = at
  while (text.charCodeAt(i) === 32) i++
  return i
}

const quoted = (text: string, at: number): Read => {
  const quote = text[at]
  if (quote === "\"") {
    const close = text.indexOf("\"", at + 1)
    if (close < 0) return unsupported()
    const inner = text.slice(at + 1, close)
    return inner.includes("\\") ? unsupported() : { value: inner, end: close + 1 }
  }
  let value = ""
  let from = at + 1
  for (;;) {
    const close = text.indexOf("'", from)
    if (close < 0) return unsupported()
    value += text.slice(from, close)
    if (text[close + 1] !== "'") return { value, end: close + 1 }
    value += "'"
    from = close + 2
  }
}

/** A plain scalar inside a flow collection: up to `,`, `]` or `}`. */
const flowPlain = (text: string, at: number): Read => {
  let end = at
  while (end < text.length && !",]}[{#".includes(text.charAt(end))) end++
  const raw = text.slice(at, end).trimEnd()
  // `:` only inside a word (port ranges, IPv6): before a space, an indicator or the end it is a key's
  if (raw === "" || INDICATORS.includes(raw.charAt(0)) || /:(?:[\s,[\]{}]|$)/.test(raw)) return unsupported()
  return { value: scalar(raw), end }
}

const flowValue = (text: string, at: number, depth: number, maxDepth: number): Read => {
  const c = text.charAt(at)
  if (c === "[" || c === "{") return flow(text, at, depth, maxDepth)
  if (c === "\"" || c === "'") return quoted(text, at)
  return flowPlain(text, at)
}

/** A one-line flow list or map; nested ones count one level deeper. */
const flow = (text: string, at: number, depth: number, maxDepth: number): Read => {
  if (depth > maxDepth) return unsupported()
  const list = text[at] === "["
  const close = list ? "]" : "}"
  const items: Array<unknown> = []
  const map: Record<string, unknown> = {}
  let i = skipSpaces(text, at + 1)
  if (text[i] === close) return { value: list ? items : map, end: i + 1 }
  for (;;) {
    if (list) {
      const item = flowValue(text, i, depth + 1, maxDepth)
      items.push(item.value)
      i = item.end
    } else {
      const key = plainKey(text, i)
      if (key === undefined || Object.hasOwn(map, key)) return unsupported()
      i += key.length
      if (text[i] !== ":" || text[i + 1] !== " ") return unsupported()
      const value = flowValue(text, skipSpaces(text, i + 1), depth + 1, maxDepth)
      map[key] = value.value
      i = value.end
    }
    i = skipSpaces(text, i)
    if (text[i] === close) return { value: list ? items : map, end: i + 1 }
    if (text[i] !== ",") return unsupported()
    i = skipSpaces(text, i + 1)
    // a trailing comma, or an empty entry: left to the parser
    if (text[i] === close || text[i] === ",") return unsupported()
  }
}

/** What may follow a value on its line: nothing, or a comment after a space. */
const restOfLine = (text: string, at: number): void => {
  if (at === text.length) return
  if (text[at] !== " ") unsupported()
  const i = skipSpaces(text, at)
  if (i < text.length && text[i] !== "#") unsupported()
}

/** The value written after `key: ` or `- `, on one line (depth: of a collection it would be). */
const inline = (text: string, depth: number, maxDepth: number): unknown => {
  const c = text.charAt(0)
  if (c === "[" || c === "{") {
    const read = flow(text, 0, depth, maxDepth)
    restOfLine(text, read.end)
    return read.value
  }
  if (c === "\"" || c === "'") {
    const read = quoted(text, 0)
    restOfLine(text, read.end)
    return read.value
  }
  if (INDICATORS.includes(c)) return unsupported()
  const comment = text.indexOf(" #")
  const plain = comment < 0 ? text : text.slice(0, comment).trimEnd()
  if (plain.includes(": ") || plain.endsWith(":")) return unsupported()
  return scalar(plain)
}

const isItem = (text: string): boolean => text === "-" || text.startsWith("- ")

/** The line's text after `- ` and its column, as a line of its own. */
const afterDash = (line: Line): Line => {
  if (line.text === "-") return unsupported()
  const at = skipSpaces(line.text, 1)
  const rest = line.text.slice(at)
  return isItem(rest) ? unsupported() : { indent: line.indent + at, text: rest }
}

class Reader {
  /** the next line to read */
  i = 0
  readonly ls: Array<Line>
  readonly maxDepth: number
  constructor(ls: Array<Line>, maxDepth: number) {
    this.ls = ls
    this.maxDepth = maxDepth
  }

  /** The block node starting at line `i` (a list, a map, or a one-line value). */
  node(depth: number): unknown {
    const line = this.ls[this.i]
    if (line === undefined) return unsupported()
    if (isItem(line.text)) return this.list(line.indent, depth)
    // `word:` or `word: …` opens a mapping (map() refuses the keys it cannot take as they stand)
    const head = word(line.text, 0)
    if (head !== undefined && line.text[head.length] === ":") {
      const after = line.text[head.length + 1]
      if (after === undefined || after === " ") return this.map(line.indent, depth)
    }
    const value = inline(line.text, depth, this.maxDepth)
    this.i++
    this.endOfValue(line.indent)
    return value
  }

  /** After a one-line value, a deeper line would continue it (a multi-line scalar): not ours. */
  endOfValue(indent: number): void {
    const next = this.ls[this.i]
    if (next !== undefined && next.indent > indent) unsupported()
  }

  list(indent: number, depth: number): Array<unknown> {
    if (depth > this.maxDepth) return unsupported()
    const items: Array<unknown> = []
    for (let line = this.ls[this.i]; line !== undefined && line.indent === indent; line = this.ls[this.i]) {
      if (!isItem(line.text)) break
      this.ls[this.i] = afterDash(line)
      items.push(this.node(depth + 1))
    }
    const next = this.ls[this.i]
    if (next !== undefined && next.indent > indent) unsupported()
    return items
  }

  map(indent: number, depth: number): Record<string, unknown> {
    if (depth > this.maxDepth) return unsupported()
    const map: Record<string, unknown> = {}
    for (let line = this.ls[this.i]; line !== undefined && line.indent === indent; line = this.ls[this.i]) {
      const key = plainKey(line.text)
      if (key === undefined || line.text[key.length] !== ":" || Object.hasOwn(map, key)) return unsupported()
      if (line.text.length > key.length + 1 && line.text[key.length + 1] !== " ") return unsupported()
      const rest = line.text.slice(skipSpaces(line.text, key.length + 1))
      this.i++
      if (rest !== "" && !rest.startsWith("#")) {
        map[key] = inline(rest, depth + 1, this.maxDepth)
        this.endOfValue(indent)
        continue
      }
      const next = this.ls[this.i]
      if (next !== undefined && next.indent > indent) map[key] = this.node(depth + 1)
      else if (next !== undefined && next.indent === indent && isItem(next.text)) {
        map[key] = this.list(indent, depth + 1)
      } else map[key] = null
    }
    const next = this.ls[this.i]
    if (next !== undefined && next.indent > indent) unsupported()
    return map
  }
}

/**
 * The item of a block list at `span` (its first line starts with `- `), whose list sits at depth
 * `listDepth` of the file (the top-level mapping is 1): the value, or undefined when the item
 * needs the full parser.
 */
export const readItem = (
  text: string,
  span: Span,
  listDepth: number,
  maxDepth: number
): FastItem | undefined => {
  const slice = text.slice(span.start, span.end)
  if (AWKWARD.test(slice)) return undefined
  const ls = lines(text, span)
  const first = ls[0]
  if (first === undefined || !isItem(first.text)) return undefined
  try {
    const head = afterDash(first)
    ls[0] = head
    const reader = new Reader(ls, maxDepth)
    // the item's own first line is at the list's indentation: its node ends at the span's end
    const value = reader.node(listDepth + 1)
    if (reader.i !== ls.length) return undefined
    return { value, position: { line: span.line, column: head.indent + 1 } }
  } catch (error) {
    if (error === UNSUPPORTED) return undefined
    throw error
  }
}

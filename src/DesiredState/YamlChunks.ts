/**
 * Where a desired-state file can be cut so each list item is parsed on its own. `yaml` builds the
 * token tree of a whole document before composing it: for a 10,000-rule file that is ~200 MB of
 * short-lived tokens and twice the time of parsing it item by item. Only the layout people and
 * `import` write is cut (top-level `kind:` keys at column 1, a block list under each, one `- `
 * per item at one indentation); for anything else this answers undefined and the file is parsed
 * whole. Text only: Yaml.ts parses the pieces and falls back to the whole file on any problem.
 */

/** A range of the file: [start, end) offsets and the 1-based line it starts on. */
export interface Span {
  readonly start: number
  readonly end: number
  readonly line: number
}

export interface Segment extends Span {
  /** the top-level key, as its plain-scalar text */
  readonly key: string
  /** the items of a block list, one span each; undefined when the value is anything else */
  readonly items: ReadonlyArray<Span> | undefined
}

/** Plain keys that the core schema reads as themselves (not null, bool or number). */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*))?$/
const NOT_STRINGS: ReadonlySet<string> = new Set([
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
  "null",
  "Null",
  "NULL"
])

const isItemStart = (rest: string): boolean => rest === "-" || rest.startsWith("- ")

interface Open {
  readonly key: string
  readonly start: number
  readonly line: number
  /** undefined: the value is on the key line (or not a block list), the segment is parsed whole */
  readonly items: Array<Span> | undefined
  indent: number | undefined
  item: { readonly start: number; readonly line: number } | undefined
}

/** The top-level segments of `text`, or undefined when the layout is not the simple one. */
export const splitTopLevel = (text: string): ReadonlyArray<Segment> | undefined => {
  const segments: Array<Segment> = []
  const keys = new Set<string>()
  let open: Open | undefined
  const closeItem = (end: number) => {
    if (open?.item !== undefined && open.items !== undefined) open.items.push({ ...open.item, end })
    if (open !== undefined) open.item = undefined
  }
  const closeSegment = (end: number) => {
    if (open === undefined) return
    closeItem(end)
    // a key with no items is parsed whole: what an empty value means is the parser's to say
    const items = open.items !== undefined && open.items.length > 0 ? open.items : undefined
    segments.push({ key: open.key, start: open.start, end, line: open.line, items })
  }
  let offset = 0
  let lineNo = 0
  while (offset < text.length) {
    const newline = text.indexOf("\n", offset)
    const next = newline < 0 ? text.length : newline + 1
    lineNo++
    const raw = text.slice(offset, newline < 0 ? text.length : newline)
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    const rest = line.trimStart()
    const indent = line.length - rest.length
    const here = offset
    offset = next
    if (rest === "") continue
    // only spaces indent YAML; a tab before the content is for the parser to judge
    if (line.slice(0, indent).includes("\t")) return undefined
    if (rest.startsWith("#")) continue
    // `- ` at column 1 is an item when the list under the key is not indented
    const listAtColumnOne = open?.items !== undefined && (open.indent ?? 0) === 0 && isItemStart(rest)
    if (indent === 0 && !listAtColumnOne) {
      const match = KEY_LINE.exec(line)
      const key = match?.[1]
      if (key === undefined || NOT_STRINGS.has(key) || keys.has(key)) return undefined
      closeSegment(here)
      keys.add(key)
      const inline = match?.[2]?.trim() ?? ""
      open = {
        key,
        start: here,
        line: lineNo,
        items: inline === "" || inline.startsWith("#") ? [] : undefined,
        indent: undefined,
        item: undefined
      }
      continue
    }
    if (open === undefined) return undefined
    if (open.items === undefined) continue
    if (open.indent === undefined) {
      if (!isItemStart(rest)) return undefined
      open.indent = indent
    }
    if (indent < open.indent) return undefined
    if (indent > open.indent) continue
    if (!isItemStart(rest)) return undefined
    closeItem(here)
    open.item = { start: here, line: lineNo }
  }
  closeSegment(text.length)
  return segments.length === 0 ? undefined : segments
}

/**
 * Files are parsed item by item when their layout allows (Yaml.ts parseByItem), to keep a large
 * file's parse small in memory. That must change nothing: for any text, the values and the
 * position of every node (and of paths that do not exist) equal those of parsing the file whole,
 * and whatever the item-by-item parse cannot reproduce exactly is left to the whole-file parse.
 */
import * as fc from "fast-check"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { defaultLimits, type Limits, parseByItem, parseWhole, parseYaml } from "../../src/DesiredState/Yaml.ts"

type Path = ReadonlyArray<PropertyKey>

/** Every path to a value, and next to each a key and an index that do not exist. */
const pathsOf = (value: unknown, prefix: Path = []): ReadonlyArray<Path> => {
  const here: Array<Path> = [prefix, [...prefix, "no-such-key"], [...prefix, 9_999]]
  if (Array.isArray(value)) value.forEach((v, i) => here.push(...pathsOf(v, [...prefix, i])))
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) here.push(...pathsOf(v, [...prefix, k]))
  }
  return here
}

/** parseYaml agrees with the whole-file parse; returns whether the item-by-item path was taken. */
const agrees = (text: string, limits: Limits = defaultLimits): boolean => {
  const whole = parseWhole("x.yaml", text, limits)
  const byItem = parseByItem("x.yaml", text, limits)
  expect(parseYaml("x.yaml", text, limits).issues).toEqual(whole.issues)
  if (byItem === undefined) return false
  expect(whole.issues, "parsed by item although the whole file has problems").toEqual([])
  const reference = whole.file
  if (reference === undefined) throw new Error("whole-file parse gave no file and no issue")
  expect(byItem.value).toEqual(reference.value)
  for (const path of pathsOf(reference.value)) {
    for (const target of ["value", "key"] as const) {
      expect(byItem.position(path, target), `${target} of ${JSON.stringify(path)}`).toEqual(
        reference.position(path, target)
      )
    }
  }
  return true
}

const fixtures = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? fixtures(path) : name.endsWith(".yaml") ? [path] : []
  })

/** Lines of an item's body, mostly plain, some tricky: they are indented by the generator. */
const bodyLine = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      "action: pass",
      "port: 80",
      "description: 'quoted # not a comment'",
      "# comment",
      "",
      "key: value # trailing comment",
      "nested: { a: [1, { b: 2 }] }",
      "list:"
    )
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "description: \"two",
      "  lines\"",
      "text: |",
      "  block line",
      "  - not an item",
      "  - a",
      "- b",
      "flow: { a: 1,",
      "  b: 2 }",
      "mark: &m 1",
      "again: *m",
      "tagged: !!str 5",
      "\t# tab",
      "dup: 1",
      "dup: 1",
      "plain multi",
      "  continued"
    )
  }
)
const itemHead = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("- name: a", "- name: b # c") },
  { weight: 2, arbitrary: fc.constantFrom("-", "- [a, b]", "- 'q'", "- {a: 1}", "- - nested", "- plain", "-x") }
)
const topKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("rules:", "aliases:", "vlans:", "rules: # c", "sites:") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "rules: []",
      "vlans: null",
      "aliases: [a,",
      "true:",
      "x-y:",
      "\"quoted\":",
      "---",
      "...",
      "%YAML 1.2",
      "# top comment",
      ""
    )
  }
)

const item = fc.record({
  head: itemHead,
  body: fc.array(fc.record({ line: bodyLine, deeper: fc.constantFrom(0, 0, 0, 0, 0, 0, 2, -2, -4) }), { maxLength: 6 })
})
const section = fc.record({
  key: topKey,
  indent: fc.constantFrom(0, 2, 2, 2, 4),
  items: fc.array(item, { maxLength: 4 })
})
const text = fc.record({ sections: fc.array(section, { minLength: 1, maxLength: 4 }), crlf: fc.boolean() }).map((
  { crlf, sections }
) =>
  sections.flatMap(({ indent, items, key }) => [
    key,
    ...items.flatMap(({ body, head }) => [
      `${" ".repeat(indent)}${head}`,
      ...body.map(({ deeper, line }) => `${" ".repeat(Math.max(0, indent + 2 + deeper))}${line}`)
    ])
  ]).join(crlf ? "\r\n" : "\n")
)

describe("parsing item by item", () => {
  it("agrees with the whole-file parse on every fixture, and is used for most of them", () => {
    const files = fixtures(join(import.meta.dirname, "fixtures"))
    const byItem = files.filter((file) => agrees(readFileSync(file, "utf8")))
    expect(byItem.length).toBeGreaterThan(files.length / 2)
  })

  it("agrees with the whole-file parse on generated files, tricky lines included", () => {
    let taken = 0
    fc.assert(
      fc.property(text, (t) => {
        if (agrees(t)) taken++
      }),
      // a fixed seed: the coverage count below must not depend on the draw (random seeds gave 15-60)
      { numRuns: 400, seed: 20261127 }
    )
    // the generator must exercise the item-by-item path, not only its refusals
    expect(taken).toBeGreaterThan(20)
  })

  it("keeps the per-file limits: aliases count per file, depth counts from the file's top", () => {
    const aliases = "rules:\n  - name: a\n    x: &x [1, 2]\n  - name: b\n    y: *x\n"
    expect(agrees(aliases)).toBe(false)
    expect(parseYaml("x.yaml", aliases).file?.value).toEqual({
      rules: [{ name: "a", x: [1, 2] }, { name: "b", y: [1, 2] }]
    })
    expect(parseYaml("x.yaml", aliases, { ...defaultLimits, maxAliasCount: 0 }).issues.map((i) => i.code)).toEqual([
      "yaml-alias-limit"
    ])
    const deep = "rules:\n  - name: a\n    x: [[[1]]]\n"
    expect(parseYaml("x.yaml", deep, { ...defaultLimits, maxDepth: 5 }).issues.map((i) => i.code)).toEqual([
      "yaml-too-deep"
    ])
    expect(agrees(deep, { ...defaultLimits, maxDepth: 5 })).toBe(false)
    expect(agrees(deep, { ...defaultLimits, maxDepth: 6 })).toBe(true)
  })

  it("points at the item and field of a large file exactly", () => {
    const rules = Array.from(
      { length: 500 },
      (_, i) => `  - name: r${i}\n    action: pass\n    # note ${i}\n    port: ${i}\n`
    )
    const t = `# header\n\nvlans: []\nrules:\n${rules.join("")}`
    expect(agrees(t)).toBe(true)
    const file = parseYaml("x.yaml", t).file
    // rule 321 starts on line 5 + 4 × 321, its port two lines further down, after the value's indent
    expect(file?.position(["rules", 321], "value")).toEqual({ line: 5 + 4 * 321, column: 5 })
    expect(file?.position(["rules", 321, "port"], "value")).toEqual({ line: 8 + 4 * 321, column: 11 })
    expect(file?.position(["rules", 321, "port"], "key")).toEqual({ line: 8 + 4 * 321, column: 5 })
  })
})

/**
 * YamlItem.ts reads the common items without the YAML parser. For any item it either refuses
 * (the parser takes it) or gives exactly what `yaml` gives: the same value and the same position
 * of the item. Generated items mix the forms people write with every trap of YAML's plain scalars
 * (numbers, booleans, `#`, `: `, IPv6, quotes), and the item-by-item test (yaml-by-item.test.ts)
 * checks the whole-file agreement, positions of every field included, on top of this.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseWhole } from "../../src/DesiredState/Yaml.ts"
import { splitTopLevel } from "../../src/DesiredState/YamlChunks.ts"
import { readItem } from "../../src/DesiredState/YamlItem.ts"

const scalarText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "pass",
      "lan",
      "tcp/udp",
      "192.0.2.0/24",
      "10.0.0.1",
      "(self)",
      "generated rule 1",
      "80",
      "443",
      "0",
      "8000-8080",
      "2001:db8::/32",
      "fe80::1",
      "80:90",
      "true",
      "false",
      "Büro Köln",
      "a,b"
    )
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "null",
      "~",
      "NULL",
      "True",
      "007",
      "-1",
      "+1",
      "1.5",
      "1e3",
      "0x1F",
      "0o17",
      ".inf",
      ".nan",
      "12345678901234567",
      "fe80::",
      "a: b",
      "a:",
      "x #y",
      "x#y",
      "'single'",
      "'it''s'",
      "\"double\"",
      "\"esc\\n\"",
      "\"a # b\"",
      "'unclosed",
      "\"x\" y",
      "&anchor v",
      "*alias",
      "!!str 5",
      "|",
      ">",
      "- x",
      "? x",
      "@x",
      "`x`",
      "%x",
      "[a, b]",
      "[ 1, 2:3, 'q' ]",
      "[a, [b, c]]",
      "[a,]",
      "[a,,b]",
      "[]",
      "{}",
      "{ address: 10.0.0.1, port: 80 }",
      "{a: 1}",
      "{ a: [1, 2], b: { c: d } }",
      "{ a:1 }",
      "{ a: }",
      "{ a: 1, a: 2 }",
      "{ true: 1 }",
      "[a # c]",
      "[a] # c",
      "x\u00a0y",
      "...",
      "---"
    )
  }
)

const keyText = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("name", "action", "interface", "port", "ip_version", "a-b", "_x") },
  { weight: 1, arbitrary: fc.constantFrom("true", "null", "__proto__", "1x", "\"q\"", "a b", "x:y") }
)

interface Block {
  readonly lines: ReadonlyArray<string>
}

/** Lines of a block node at indentation 0 (the caller indents them). */
const blockNode = (depth: number): fc.Arbitrary<Block> =>
  fc.oneof({ weight: 3, arbitrary: mapping(depth) }, { weight: 1, arbitrary: list(depth) })

const value = (
  depth: number
): fc.Arbitrary<{ readonly inline?: string; readonly block?: Block; readonly compact: boolean }> =>
  depth <= 1
    ? scalarText.map((inline) => ({ inline, compact: false }))
    : fc.oneof(
      { weight: 4, arbitrary: scalarText.map((inline) => ({ inline, compact: false })) },
      { weight: 1, arbitrary: fc.record({ block: blockNode(depth - 1), compact: fc.boolean() }) },
      { weight: 1, arbitrary: fc.constant({ inline: "", compact: false }) }
    )

const trailing = fc.constantFrom("", "", "", " # note", "  ", "#x")

const mapping = (depth: number): fc.Arbitrary<Block> =>
  fc.array(
    fc.record({
      key: keyText,
      value: value(depth),
      trailing,
      extra: fc.constantFrom("", "", "", "", "# comment", "", "   ")
    }),
    {
      minLength: 1,
      maxLength: 5
    }
  ).map((entries) => ({
    lines: entries.flatMap(({ extra, key, trailing: t, value: v }) => {
      const head = v.inline === undefined ? `${key}:${t === "#x" ? "" : t}` : `${key}: ${v.inline}${t}`
      const nested = v.block?.lines.map((l) => (v.compact && l.startsWith("- ") ? l : `  ${l}`)) ?? []
      return extra === "" ? [head, ...nested] : [head, extra, ...nested]
    })
  }))

const list = (depth: number): fc.Arbitrary<Block> =>
  fc.array(
    fc.oneof(
      scalarText.map((s) => [`- ${s}`]),
      (depth <= 1 ? mapping(1) : blockNode(depth - 1)).map((b) =>
        b.lines.map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))
      )
    ),
    { minLength: 1, maxLength: 3 }
  ).map((items) => ({ lines: items.flat() }))

const item = fc.record({
  body: fc.oneof({ weight: 5, arbitrary: mapping(3) }, {
    weight: 1,
    arbitrary: scalarText.map((s): Block => ({ lines: [s] }))
  }),
  indent: fc.constantFrom(0, 2, 2, 4),
  dashSpaces: fc.constantFrom(1, 1, 1, 3),
  crlf: fc.boolean(),
  continuation: fc.constantFrom(undefined, undefined, undefined, undefined, "  more", "    deeper", "\tx")
}).map(({ body, continuation, crlf, dashSpaces, indent }) => {
  const pad = " ".repeat(indent)
  const lines = body.lines.map((l, i) =>
    i === 0 ? `${pad}-${" ".repeat(dashSpaces)}${l}` : `${pad}${" ".repeat(1 + dashSpaces)}${l}`
  )
  if (continuation !== undefined) lines.splice(1, 0, `${pad}${continuation}`)
  return `rules:\n${lines.join(crlf ? "\r\n" : "\n")}\n`
})

/** What the reader says of the file's one item, against `yaml`: true when it read it itself. */
const agrees = (text: string): boolean => {
  const span = splitTopLevel(text)?.[0]?.items?.[0]
  if (span === undefined) return false
  const fast = readItem(text, span, 2, 32)
  if (fast === undefined) return false
  const whole = parseWhole("x.yaml", text)
  expect(whole.issues, `read an item yaml rejects:\n${text}`).toEqual([])
  const key = splitTopLevel(text)?.[0]?.key ?? "rules"
  const root = whole.file?.value
  const list: unknown = typeof root === "object" && root !== null
    ? Object.getOwnPropertyDescriptor(root, key)?.value
    : undefined
  expect(fast.value, text).toStrictEqual(Array.isArray(list) ? list[0] : undefined)
  expect(fast.position, text).toEqual(whole.file?.position([key, 0], "value"))
  return true
}

describe("reading an item without the YAML parser", () => {
  it("gives what yaml gives, or refuses", () => {
    let read = 0
    let runs = 0
    fc.assert(
      fc.property(item, (text) => {
        runs++
        if (agrees(text)) read++
      }),
      { numRuns: Number(process.env["YAML_ITEM_RUNS"] ?? 3000), seed: Number(process.env["YAML_ITEM_SEED"] ?? 42) }
    )
    // the generator is not all traps: a fair share is read here
    expect(read).toBeGreaterThan(runs / 10)
  })

  it("reads the layouts `import` writes and people write", () => {
    const texts = [
      "rules:\n  - name: r1\n    action: pass\n    interface: [lan, opt1]\n    destination: { address: 10.0.0.0/8, port: 443 }\n    log: true\n",
      "rules:\n- name: r1 # the first\n  interface:\n  - lan\n  - wan\n  source:\n    address: 192.0.2.1\n    invert: true\n",
      "aliases:\n  - name: ports\n    type: port\n    content: [ 1002, 2002:2012, 'https' ]\n    description: 'it''s #1'\n",
      "rules:\n  -   name: spaced\n      protocol: TCP\r\n      description: \"quoted: yes\"\n\n      # trailing comment\n"
    ]
    for (const text of texts) expect(agrees(text), text).toBe(true)
  })

  it("refuses what it does not model, so the parser decides", () => {
    const refused = [
      "rules:\n  - name: a\n    description: two\n      lines\n",
      "rules:\n  - name: a\n    x: &a 1\n",
      "rules:\n  - name: a\n    x: |\n      block\n",
      "rules:\n  - name: a\n    port: 0x50\n",
      "rules:\n  - name: a\n    name: b\n",
      "rules:\n  - name: \"esc\\t\"\n",
      "rules:\n  - name: a\n    x: [a,\n      b]\n"
    ]
    for (const text of refused) {
      const span = splitTopLevel(text)?.[0]?.items?.[0]
      expect(span, text).toBeDefined()
      if (span !== undefined) expect(readItem(text, span, 2, 32), text).toBeUndefined()
    }
  })

  it("counts depth from the file's top, as the parser's limit does", () => {
    const text = "rules:\n  - name: a\n    x: [[[1]]]\n"
    const span = splitTopLevel(text)?.[0]?.items?.[0]
    if (span === undefined) throw new Error("no item")
    expect(readItem(text, span, 2, 5)).toBeUndefined()
    expect(readItem(text, span, 2, 6)?.value).toEqual({ name: "a", x: [[[1]]] })
  })
})

/**
 * The loader never crashes or hangs, whatever it is fed: arbitrary text, arbitrary YAML-shaped
 * data, and mutations of valid files. Each run must finish fast and return issues, not throw.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { stringify } from "yaml"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite, parseSites } from "../../src/DesiredState/Sites.ts"

const loadWithin = (text: string, ms = 1_000) => {
  const started = performance.now()
  const result = loadSite(defaultSite, [{ path: "x.yaml", text }])
  expect(performance.now() - started).toBeLessThan(ms)
  for (const issue of result.issues) {
    expect(issue.line).toBeGreaterThanOrEqual(1)
    expect(issue.column).toBeGreaterThanOrEqual(1)
  }
  expect(result.site === undefined).toBe(result.issues.some((i) => i.severity === "error"))
  return result
}

const yamlish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(
      "any",
      "lan",
      "floating",
      "tcp",
      "443",
      "8000-8080",
      "10.0.0.0/24",
      "fe80::1",
      "(self)",
      "__lan_network",
      ""
    ),
    fc.string(),
    fc.integer({ min: -10, max: 70_000 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        "name",
        "type",
        "content",
        "interface",
        "action",
        "source",
        "destination",
        "port",
        "address",
        "invert",
        "tag",
        "parent",
        "protocol",
        "ip_version",
        "description",
        "x"
      ),
      tie("value"),
      { maxKeys: 6 }
    )
  )
})).value

const file = fc.record(
  {
    vlans: fc.array(yamlish, { maxLength: 4 }),
    aliases: fc.array(yamlish, { maxLength: 4 }),
    rules: fc.array(yamlish, { maxLength: 4 }),
    routes: yamlish
  },
  { requiredKeys: [] }
)

const valid = `vlans:
  - name: iot
    parent: igb1
    tag: 30
aliases:
  - name: iot_net
    type: network
    content: [10.30.0.0/24]
rules:
  - name: iot-dns
    interface: opt3
    action: pass
    protocol: udp
    source: iot_net
    destination: { address: 10.0.0.53, port: 53 }
    log: true
`

describe("the loader on arbitrary input", () => {
  it("never throws or hangs on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        loadWithin(text)
        expect(Array.isArray(parseSites(text).issues)).toBe(true)
      }),
      { numRuns: 300 }
    )
  })

  it("never throws or hangs on arbitrary YAML-shaped data in the kinds", () => {
    fc.assert(fc.property(file, (data) => void loadWithin(stringify(data))), { numRuns: 300 })
  })

  it("never throws or hangs on valid files with random edits", () => {
    fc.assert(
      fc.property(fc.nat(valid.length), fc.nat(20), fc.string({ maxLength: 8 }), (at, cut, insert) => {
        void loadWithin(valid.slice(0, at) + insert + valid.slice(at + cut))
      }),
      { numRuns: 300 }
    )
  })

  it("the unmodified valid file loads (the property above is not vacuous)", () => {
    expect(loadWithin(valid).issues).toEqual([])
  })
})

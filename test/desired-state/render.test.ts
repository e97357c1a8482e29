/**
 * renderYaml (used by `import`) round-trips: canonical specs → friendly YAML → load → the same
 * canonical specs, for the example site and for generated specs.
 */
import * as fc from "fast-check"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { renderYaml } from "../../src/DesiredState/Render.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"
import type { DesiredSite } from "../../src/Domain/Desired.ts"
import type { RuleSpec } from "../../src/Kinds/Rule/Spec.ts"

const exampleDir = fileURLToPath(new URL("../../desired-state/", import.meta.url))
const example = readdirSync(exampleDir).filter((f) => f.endsWith(".yaml")).map((f) => ({
  path: f,
  text: readFileSync(exampleDir + f, "utf8")
}))

interface Named {
  readonly name: string
  readonly spec: unknown
}
const specs = (
  site: {
    readonly vlans: ReadonlyArray<Named>
    readonly aliases: ReadonlyArray<Named>
    readonly rules: ReadonlyArray<Named>
  } | undefined
) => ({
  vlans: site?.vlans.map(({ name, spec }) => ({ name, spec })),
  aliases: site?.aliases.map(({ name, spec }) => ({ name, spec })),
  rules: site?.rules.map(({ name, spec }) => ({ name, spec }))
})

const roundTrip = (site: DesiredSite) => {
  const text = renderYaml(site, { header: "imported from the firewall" })
  return { text, result: loadSite(defaultSite, [{ path: "imported.yaml", text }]) }
}

describe("renderYaml", () => {
  it("round-trips the example site to identical canonical specs and digest", () => {
    const original = loadSite(defaultSite, example).site
    expect(original).toBeDefined()
    if (original === undefined) return
    const { result, text } = roundTrip(original)
    expect(result.issues).toEqual([])
    expect(specs(result.site)).toEqual(specs(original))
    expect(result.site?.digest).toBe(original.digest)
    expect(text).toContain("# imported from the firewall")
    expect(text).toContain("destination: { address: dns_resolvers, port: 53 }")
    expect(text).not.toContain("enabled: true")
  })

  const address = fc.constantFrom("10.0.0.1", "10.1.0.0/16", "2001:db8::/32", "lan", "opt2ip", "(self)", "hosts")
  const endpoint = fc.record({
    addresses: fc.uniqueArray(address, { maxLength: 1 }),
    invert: fc.boolean(),
    port: fc.constantFrom("", "53", "8000-8080", "ports")
  })
  // a literal address must match the rule's one family (OPNsense Filter.php): inet46 only without literals
  const literalFamily = (a: string) => (a.includes(":") ? "inet6" : /^\d/.test(a) ? "inet" : undefined)
  const rule: fc.Arbitrary<RuleSpec> = fc.record({
    enabled: fc.boolean(),
    action: fc.constantFrom("pass", "block", "reject"),
    quick: fc.boolean(),
    interfaces: fc.uniqueArray(fc.constantFrom("lan", "opt1", "wan"), { maxLength: 2 }).map((l) => [...l].sort()),
    interfaceInvert: fc.constant(false),
    direction: fc.constantFrom("in", "out", "any"),
    ipVersion: fc.constant("inet46" as const),
    protocol: fc.constantFrom("TCP", "UDP", "TCP/UDP"),
    source: endpoint,
    destination: endpoint,
    log: fc.boolean(),
    gateway: fc.constantFrom("", "WAN_DHCP"),
    description: fc.constantFrom("", "true", "123", "a: b # c", "  spaced", "quote \" and '"),
    categories: fc.uniqueArray(fc.constantFrom("web", "iot"), { maxLength: 2 }).map((l) => [...l].sort())
  }).map((r): RuleSpec => {
    const families = new Set([...r.source.addresses, ...r.destination.addresses].flatMap((a) => literalFamily(a) ?? []))
    return { ...r, ipVersion: families.size === 0 ? "inet46" : [...families][0] === "inet6" ? "inet6" : "inet" }
  }).filter((r) =>
    new Set([...r.source.addresses, ...r.destination.addresses].flatMap((a) => literalFamily(a) ?? [])).size <= 1
  )

  it("round-trips generated rules", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 5 }), (rules) => {
        const site = {
          config: defaultSite,
          vlans: [{
            name: "v",
            spec: { parent: "igb1", tag: 5, priority: 3, proto: "802.1ad" as const, description: "x" }
          }],
          aliases: [
            {
              name: "hosts",
              spec: {
                name: "hosts",
                type: "host" as const,
                content: ["10.0.0.1", "printer.example"],
                enabled: false,
                description: "",
                categories: [],
                updateFrequency: ""
              }
            },
            {
              name: "ports",
              spec: {
                name: "ports",
                type: "port" as const,
                content: ["443", "8000:8080"],
                enabled: true,
                description: "",
                categories: ["web"],
                updateFrequency: ""
              }
            },
            {
              name: "feed",
              spec: {
                name: "feed",
                type: "urltable" as const,
                content: ["https://example.org/list.txt"],
                enabled: true,
                description: "",
                categories: [],
                updateFrequency: "0.5"
              }
            }
          ],
          rules: rules.map((spec, i) => ({ name: `r${i}`, spec }))
        }
        const text = renderYaml(site)
        const back = loadSite(defaultSite, [{ path: "x.yaml", text }])
        expect(back.issues.filter((i) => i.severity === "error")).toEqual([])
        expect(specs(back.site)).toEqual(specs(site))
      }),
      { numRuns: 200 }
    )
  })
})

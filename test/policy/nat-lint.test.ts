/**
 * Source NAT lint, hand-worked, then through `validate` at the YAML line:
 * - shadowed-one-to-one: a 1:1 NAT entry that earlier entries take first in every direction it
 *   translates. pf tries every binat rule before any nat rule outbound, so a binat entry shadows a
 *   nat entry wherever it stands; binat entries shadow each other in sequence order, and only when
 *   both the inbound and the outbound match are covered.
 * - shadowed-outbound-nat: an outbound NAT rule an earlier rule, or any binat entry, always takes
 *   first.
 */
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import type { OutboundNatSpec } from "../../src/Kinds/OutboundNat/Spec.ts"
import { type Finding, lint, lintSite } from "../../src/Policy.ts"
import { oneToOne } from "../support/one-to-one.ts"
import { outboundNatSpec } from "../support/outbound-nat.ts"
import { policy } from "./build.ts"

const entry = oneToOne

const outbound = (name: string, over: Partial<OutboundNatSpec> = {}) => ({ name, spec: outboundNatSpec(over) })

const ordered = <A>(entries: ReadonlyArray<A>, line: number) =>
  entries.map((e, i) => ({
    ...e,
    sequence: i + 1,
    origin: "mvc" as const,
    source: { file: "nat.yaml", line: line + i, column: 5 }
  }))

const findingsOf = (
  entries: ReadonlyArray<ReturnType<typeof entry>>,
  rules: ReadonlyArray<ReturnType<typeof outbound>> = []
): ReadonlyArray<Finding> =>
  lint(policy([], [], { oneToOne: ordered(entries, 10), outboundNat: ordered(rules, 30) })).filter((f) =>
    f.code === "shadowed-one-to-one" || f.code === "shadowed-outbound-nat"
  )

// OPNsense's model asks for the same prefix on both sides of a binat (Filter.php, 26.7.2)
const subnet = entry("servers", { internal: "10.0.0.0/28", external: "203.0.113.16/28" })
const host = entry("one-server", { internal: "10.0.0.4", external: "203.0.113.20" })

describe("shadowed-one-to-one", () => {
  it("a binat entry inside an earlier subnet entry, both ways, never translates", () => {
    expect(findingsOf([subnet, host])).toEqual([expect.objectContaining({
      severity: "error",
      kind: "one_to_one_nat",
      name: "one-server",
      related: ["servers"],
      source: { file: "nat.yaml", line: 11, column: 5 }
    })])
    // the narrower entry first: each translates its own traffic
    expect(findingsOf([host, subnet])).toEqual([])
  })

  it("a binat entry is not shadowed when only one direction is covered", () => {
    // outbound 10.0.0.4 is inside 10.0.0.0/28, but inbound 203.0.113.40 is outside 203.0.113.16/28
    expect(findingsOf([subnet, entry("elsewhere", { internal: "10.0.0.4", external: "203.0.113.40" })])).toEqual([])
    // an earlier entry only for some peers does not cover traffic to everyone
    expect(findingsOf([{ ...subnet, spec: { ...subnet.spec, destination: "198.51.100.0/24" } }, host])).toEqual([])
  })

  it("a nat entry is taken first by a binat entry that covers it outbound, wherever that stands", () => {
    const outboundOnly = entry("outbound-only", { type: "nat", internal: "10.0.0.4", external: "203.0.113.99" })
    const [finding] = findingsOf([outboundOnly, subnet])
    expect(finding).toMatchObject({ name: "outbound-only", related: ["servers"] })
    expect(finding?.message).toContain("pf tries binat entries before nat ones")
    // a disabled binat entry takes nothing
    expect(findingsOf([outboundOnly, { ...subnet, spec: { ...subnet.spec, enabled: false } }])).toEqual([])
  })

  it("an outbound NAT rule inside an earlier one never applies; narrower ones first are fine", () => {
    const lan = outbound("lan-out")
    const host = outbound("host-out", {
      source: { address: "10.0.0.5", invert: false, port: "" },
      target: "203.0.113.9"
    })
    expect(findingsOf([], [lan, host])).toEqual([expect.objectContaining({
      code: "shadowed-outbound-nat",
      severity: "error",
      kind: "outbound_nat",
      name: "host-out",
      related: ["lan-out"],
      source: { file: "nat.yaml", line: 31, column: 5 }
    })])
    expect(findingsOf([], [host, lan])).toEqual([])
    // narrower in what it matches: only https, or on another interface
    expect(
      findingsOf([], [
        outbound("https-only", { protocol: "TCP", destination: { address: "", invert: false, port: "443" } }),
        host
      ])
    )
      .toEqual([])
    expect(findingsOf([], [outbound("opt1-out", { interface: "opt1" }), host])).toEqual([])
  })

  it("a binat entry takes an outbound NAT rule first wherever it stands", () => {
    const servers = outbound("servers-out", { source: { address: "10.0.0.4", invert: false, port: "" } })
    const [finding] = findingsOf([subnet], [servers])
    expect(finding).toMatchObject({ code: "shadowed-outbound-nat", name: "servers-out", related: ["servers"] })
    expect(finding?.message).toContain("pf tries binat entries before outbound NAT rules")
    expect(findingsOf([{ ...subnet, spec: { ...subnet.spec, type: "nat" } }], [servers])).toEqual([])
  })

  it("validate reports it at the entry's YAML line", () => {
    const site = loadSite(
      { name: "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} },
      [{
        path: "nat.yaml",
        text: `one_to_one_nat:
  - name: servers
    internal: 10.0.0.0/28
    external: 203.0.113.16/28
  - name: one-server
    internal: 10.0.0.4
    external: 203.0.113.20
outbound_nat:
  - name: lan-out
    interface: wan
    source: 10.0.0.0/24
    target: wanip
  - name: host-out
    interface: wan
    source: 10.0.0.200
    target: 203.0.113.9
`
      }]
    )
    expect(site.issues).toEqual([])
    expect(lintSite(site.site!)).toContainEqual(expect.objectContaining({
      code: "shadowed-one-to-one",
      severity: "error",
      file: "nat.yaml",
      line: 5,
      column: 5
    }))
    expect(lintSite(site.site!)).toContainEqual(expect.objectContaining({
      code: "shadowed-outbound-nat",
      severity: "error",
      file: "nat.yaml",
      line: 13,
      column: 5
    }))
  })
})

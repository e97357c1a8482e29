/**
 * What a valid tree loads into: canonical specs, rule order, sites, source positions, and a
 * digest that depends on meaning only (not formatting, spelling, key or file order).
 */
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { DesiredState } from "../../src/DesiredState.ts"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const validate = (dir: string, site?: string) =>
  Effect.gen(function*() {
    const desired = yield* DesiredState
    return yield* desired.validate({ dir, site })
  }).pipe(Effect.provide(DesiredState.layer), Effect.provide(NodeFileSystem.layer))

const one = (text: string) => loadSite(defaultSite, [{ path: "a.yaml", text }])

describe("the example office site", () => {
  it.effect("validates cleanly and normalises what people write", () =>
    Effect.gen(function*() {
      const { issues, tree } = yield* validate(here("../../desired-state"))
      expect(issues).toEqual([])
      const site = tree?.sites[0]
      expect(site?.config.name).toBe("default")
      expect(site?.vlans.map((v) => `${v.name}:${v.spec.tag}`)).toEqual(["mgmt:10", "guest:20", "iot:30", "voice:40"])
      const dns = site?.rules.find((r) => r.name === "dns-to-resolvers")
      expect(dns?.spec.protocol).toBe("TCP/UDP")
      expect(dns?.spec.destination).toEqual({ addresses: ["dns_resolvers"], invert: false, port: "53" })
      expect(dns?.source).toEqual({ file: "30-rules.yaml", line: 31, column: 5 })
      const ports = site?.aliases.find((a) => a.name === "sip_rtp_ports")
      expect(ports?.spec.content).toEqual(["10000:20000", "5060"])
      expect(site?.aliases.find((a) => a.name === "web_ports")?.spec.content).toEqual(["443", "80"])
      expect(site?.digest).toMatch(/^[0-9a-f]{64}$/)
    }))
})

describe("sites.yaml", () => {
  const dir = here("./fixtures/multi-site")

  it.effect("maps sites to folders, URLs and credential variable names; *.yml counts; rules keep file order", () =>
    Effect.gen(function*() {
      const { issues, tree } = yield* validate(dir)
      expect(issues.map((i) => [i.file, i.code, i.severity])).toEqual([["stray.yaml", "file-outside-site", "warning"]])
      const [hq, branch] = tree?.sites ?? []
      expect(hq?.config).toEqual({
        name: "hq",
        path: "hq",
        url: "https://192.0.2.1",
        apiKeyEnv: "HQ_OPNSENSE_API_KEY",
        apiSecretEnv: "HQ_OPNSENSE_API_SECRET",
        pruneUnmanaged: false,
        management: { interface: "lan", port: 443, source: "admin_net" },
        probes: [],
        lint: {}
      })
      expect(hq?.rules.map((r) => [r.name, r.source.file])).toEqual([["first", "hq/a.yaml"], ["second", "hq/b.yml"]])
      expect(branch?.config.pruneUnmanaged).toBe(true)
      expect(branch?.rules.map((r) => r.name)).toEqual(["first"])
    }))

  it.effect("--site selects one site; an unknown site is an error with a suggestion", () =>
    Effect.gen(function*() {
      const only = yield* validate(dir, "branch")
      expect(only.tree?.sites.map((s) => s.config.name)).toEqual(["branch"])
      const typo = yield* validate(dir, "brnch")
      expect(typo.tree).toBeUndefined()
      expect(typo.issues.map((i) => [i.code, i.hint])).toEqual([["unknown-site", "did you mean \"branch\"?"]])
    }))
})

describe("normalisation and the digest", () => {
  const base = `
aliases:
  - name: dns
    type: host
    content: [10.0.0.53, 10.0.0.54]
vlans:
  - name: iot
    parent: igb1
    tag: 30
rules:
  - name: a
    interface: [opt1, lan]
    action: pass
    protocol: tcp
    destination: { address: dns, port: 53 }
  - name: b
    interface: lan
    action: block
`
  const sameMeaning = `
vlans: [{ tag: 30, parent: igb1, name: iot, priority: 0, proto: auto }]
rules:
  - { name: a, action: pass, interface: [lan, opt1], protocol: TCP, destination: { port: "domain", address: [dns] }, quick: true }
  - name: b
    interface: [lan]
    action: block
    ip_version: inet
    source: any
aliases:
  - { name: dns, type: host, content: [10.0.0.54, 10.0.0.53, 10.0.0.53], enabled: true }
`
  it("identical meaning gives an identical digest and identical specs", () => {
    const a = one(base).site
    const b = one(sameMeaning).site
    expect(a).toBeDefined()
    expect(b?.digest).toBe(a?.digest)
    expect(b?.rules.map((r) => r.spec)).toEqual(a?.rules.map((r) => r.spec))
  })

  it("rule order is meaning: swapping rules changes the digest", () => {
    const swapped = base.replace(/  - name: a[\s\S]*?port: 53 }\n/, "").concat(
      "  - name: a\n    interface: [opt1, lan]\n    action: pass\n    protocol: tcp\n    destination: { address: dns, port: 53 }\n"
    )
    const a = one(base).site
    const b = one(swapped).site
    expect(b?.rules.map((r) => r.name)).toEqual(["b", "a"])
    expect(b?.digest).not.toBe(a?.digest)
  })

  it("files merge in lexical order whatever order they are given in", () => {
    const first = { path: "10-a.yaml", text: "rules:\n  - { name: one, interface: lan, action: pass }\n" }
    const second = { path: "20-b.yaml", text: "rules:\n  - { name: two, interface: lan, action: pass }\n" }
    expect(loadSite(defaultSite, [second, first]).site?.rules.map((r) => r.name)).toEqual(["one", "two"])
  })

  it("accepts the spellings people use for ports, protocols and ip versions", () => {
    const site = one(`
rules:
  - { name: p1, interface: floating, action: pass, protocol: TCP/UDP, destination: { port: "8000:8080" } }
  - { name: p2, interface: [], action: pass, protocol: udp, ip_version: inet46, destination: { port: 443 } }
  - { name: p3, interface: lan, action: pass, protocol: icmpv6, ip_version: ipv6, source: "2001:DB8::1/128" }
  - { name: p4, interface: lan, action: pass, protocol: tcp, ip_version: ipv4, destination: { port: https }, source: 10.0.0.1/32 }
  - { name: p5, interface: lan, action: pass, protocol: tcp, ip_version: ipv4+ipv6, source: lan }
`).site
    const specs = site?.rules.map((r) => r.spec) ?? []
    expect(specs.map((s) => [s.interfaces, s.protocol, s.ipVersion, s.destination.port, s.source.addresses])).toEqual([
      [[], "TCP/UDP", "inet", "8000-8080", []],
      [[], "UDP", "inet46", "443", []],
      [["lan"], "IPV6-ICMP", "inet6", "", ["2001:db8::1"]],
      [["lan"], "TCP", "inet", "443", ["10.0.0.1"]],
      [["lan"], "TCP", "inet46", "", ["lan"]]
    ])
  })
})

describe("loading the same tree again", () => {
  // a CLI plan reads the tree for its site list and then for the site; apply once more
  it.effect("reuses the last result while the files are unchanged, and reads a changed file anew", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "desired-reload-"))
      try {
        writeFileSync(join(dir, "rules.yaml"), "rules:\n  - name: web\n    interface: lan\n    action: pass\n")
        const desired = yield* DesiredState
        const first = (yield* desired.load({ dir })).tree.sites[0]
        const again = (yield* desired.load({ dir })).tree.sites[0]
        expect(again).toBe(first)

        writeFileSync(join(dir, "rules.yaml"), "rules:\n  - name: web\n    interface: lan\n    action: block\n")
        const changed = (yield* desired.load({ dir })).tree.sites[0]
        expect(changed).not.toBe(first)
        expect(changed?.rules[0]?.spec.action).toBe("block")
        expect(changed?.digest).not.toBe(first?.digest)

        writeFileSync(join(dir, "rules.yaml"), "rules:\n  - name: web\n    interface: lan\n    action: maybe\n")
        const invalid = yield* desired.validate({ dir })
        expect(invalid.tree).toBeUndefined()
        expect(invalid.issues.some((i) => i.severity === "error")).toBe(true)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }).pipe(Effect.provide(DesiredState.layer), Effect.provide(NodeFileSystem.layer)))
})

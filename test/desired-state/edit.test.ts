/**
 * applyEdits (for propose_change): upsert and delete named items while keeping people's
 * comments and formatting, placing rules where evaluation order needs them.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { applyEdits } from "../../src/DesiredState/Edit.ts"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"
import { friendlyRule } from "../../src/Kinds/Rule/Render.ts"

const rules = `# Office rules: reviewed by the network team
rules:
  # DNS first
  - name: dns
    interface: lan
    action: pass
    protocol: udp
    destination: { address: 10.0.0.53, port: 53 } # the resolver
  - name: block-all
    interface: lan
    action: block
    log: true
`
const aliases = `aliases:
  - name: web_ports # keep this comment
    type: port
    content: [80, 443]
`
const files = [{ path: "20-aliases.yaml", text: aliases }, { path: "30-rules.yaml", text: rules }]

const textOf = (
  result: { readonly files: ReadonlyArray<{ readonly path: string; readonly text: string }> },
  path: string
) => result.files.find((f) => f.path === path)?.text ?? ""

describe("applyEdits", () => {
  it.effect("updates only the changed field of an existing item, keeping every comment", () =>
    Effect.gen(function*() {
      const result = yield* applyEdits(files, [{
        op: "upsert",
        kind: "rules",
        item: {
          name: "dns",
          interface: "lan",
          action: "pass",
          protocol: "udp",
          destination: { address: "10.0.0.53", port: 853 }
        }
      }])
      const text = textOf(result, "30-rules.yaml")
      expect(result.changed).toEqual(["30-rules.yaml"])
      expect(text).toContain("# Office rules: reviewed by the network team")
      expect(text).toContain("# DNS first")
      expect(text).toContain("port: 853")
      expect(text).not.toContain("port: 53 ")
      expect(textOf(result, "20-aliases.yaml")).toBe(aliases)
      const site = loadSite(defaultSite, result.files).site
      expect(site?.rules.find((r) => r.name === "dns")?.spec.destination.port).toBe("853")
    }))

  it.effect("inserts a new rule before a named rule (evaluation order) and removes dropped fields", () =>
    Effect.gen(function*() {
      const result = yield* applyEdits(files, [
        {
          op: "upsert",
          kind: "rules",
          before: "block-all",
          item: { name: "web", interface: "lan", action: "pass", protocol: "tcp", destination: { port: "web_ports" } }
        },
        { op: "upsert", kind: "rules", item: { name: "block-all", interface: "lan", action: "block" } }
      ])
      const site = loadSite(defaultSite, result.files)
      expect(site.issues).toEqual([])
      expect(site.site?.rules.map((r) => r.name)).toEqual(["dns", "web", "block-all"])
      expect(site.site?.rules[2]?.spec.log).toBe(false)
      expect(textOf(result, "30-rules.yaml")).toContain("destination: { port: web_ports }")
    }))

  it.effect("appends new items to the file holding the kind, or creates <kind>.yaml", () =>
    Effect.gen(function*() {
      const result = yield* applyEdits(files, [
        { op: "upsert", kind: "aliases", item: { name: "dns_servers", type: "host", content: ["10.0.0.53"] } },
        { op: "upsert", kind: "vlans", item: { name: "iot", parent: "igb1", tag: 30 } }
      ])
      expect(result.changed).toEqual(["20-aliases.yaml", "vlans.yaml"])
      expect(textOf(result, "20-aliases.yaml")).toContain("- name: web_ports # keep this comment")
      const site = loadSite(defaultSite, result.files).site
      expect(site?.aliases.map((a) => a.name)).toEqual(["web_ports", "dns_servers"])
      expect(site?.vlans.map((v) => v.source.file)).toEqual(["vlans.yaml"])
    }))

  it.effect("deletes a named item and takes canonical specs through friendlyRule", () =>
    Effect.gen(function*() {
      const before = loadSite(defaultSite, files).site
      const dns = before?.rules.find((r) => r.name === "dns")
      expect(dns).toBeDefined()
      if (dns === undefined) return
      const result = yield* applyEdits(files, [
        { op: "delete", kind: "rules", name: "block-all" },
        { op: "upsert", kind: "rules", item: friendlyRule("dns", { ...dns.spec, log: true }) }
      ])
      const after = loadSite(defaultSite, result.files).site
      expect(after?.rules.map((r) => [r.name, r.spec.log])).toEqual([["dns", true]])
    }))

  it.effect("finds items by name across new, deleted, patched and chained items (as import chains rules)", () =>
    Effect.gen(function*() {
      const rule = (name: string) => ({ name, interface: "lan", action: "pass" })
      const result = yield* applyEdits(files, [
        { op: "upsert", kind: "rules", item: rule("a"), after: "dns" },
        { op: "upsert", kind: "rules", item: rule("b"), after: "a" },
        { op: "upsert", kind: "rules", item: rule("c"), after: "b" },
        { op: "delete", kind: "rules", name: "b" },
        // a patch may rename any item: "block-all" becomes "last"
        { op: "patch", file: "30-rules.yaml", path: ["rules", 3, "name"], value: "last" },
        { op: "upsert", kind: "rules", item: { ...rule("last"), log: true } },
        { op: "upsert", kind: "rules", item: rule("b"), before: "c" }
      ])
      const after = loadSite(defaultSite, result.files).site
      expect(after?.rules.map((r) => r.name)).toEqual(["dns", "a", "b", "c", "last"])
      expect(after?.rules.find((r) => r.name === "last")?.spec.log).toBe(true)
      const stale = yield* Effect.flip(
        applyEdits(files, [
          { op: "patch", file: "30-rules.yaml", path: ["rules", 1, "name"], value: "end" },
          { op: "upsert", kind: "rules", item: rule("x"), after: "block-all" }
        ])
      )
      expect(stale.message).toContain("block-all")
    }))

  it.effect("fails with EditError for unknown names and broken YAML, naming the edit", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(applyEdits(files, [{ op: "delete", kind: "vlans", name: "nope" }]))
      expect(missing).toMatchObject({ _tag: "EditError", edit: 0 })
      expect(missing.message).toContain("nope")
      const broken = yield* Effect.flip(applyEdits([{ path: "x.yaml", text: "rules: [" }], []))
      expect(broken.message).toContain("x.yaml")
    }))
})

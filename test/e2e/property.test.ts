/**
 * For random desired trees and random live starting states (owned objects in and out of the
 * desired state, unmanaged objects of every kind), apply then plan is empty and every unmanaged
 * object is exactly as it was. Against the simulator over real HTTP; the desired state is given
 * as a test layer of already-canonical specs.
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as fc from "fast-check"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { DesiredState } from "../../src/DesiredState.ts"
import type { DesiredSite } from "../../src/Domain/Desired.ts"
import { canonicalJson, sha256 } from "../../src/Domain/Digest.ts"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import type { AliasSpec } from "../../src/Kinds/Alias/Spec.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import type { RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
import type { VlanSpec } from "../../src/Kinds/Vlan/Spec.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import { layer as reconcilerLayer } from "../../src/Reconciler/Live.ts"
import { type SeedData, startSimulator } from "../../src/Simulator.ts"
import { layer as storeLayer } from "../../src/Store/Store.ts"
import { firewallsFromClient } from "./harness.ts"

const ALIASES = ["net_a", "net_b", "hosts_c", "ports_d"] as const
const typeOf = (
  name: string
): AliasSpec["type"] => (name.startsWith("net") ? "network" : name.startsWith("hosts") ? "host" : "port")
const word = fc.constantFrom("web", "dns", "iot", "guest", "lab", "backup")
const description = fc.array(word, { maxLength: 3 }).map((w) => w.join(" "))
const octet = fc.integer({ min: 1, max: 254 })

const content = (type: AliasSpec["type"]) =>
  fc.uniqueArray(
    type === "network"
      ? octet.map((o) => `10.${o}.0.0/16`)
      : type === "host"
      ? octet.map((o) => `10.9.9.${o}`)
      : fc.integer({ min: 1, max: 65535 }).map(String),
    { minLength: 1, maxLength: 3 }
  ).map((c) => [...c].sort())

const aliasSpec = (name: string): fc.Arbitrary<AliasSpec> =>
  fc.record({ content: content(typeOf(name)), enabled: fc.boolean(), description }).map((r) => ({
    name,
    type: typeOf(name),
    categories: [],
    updateFrequency: "",
    ...r
  }))

const ruleSpec = (aliases: ReadonlyArray<string>, literalOnly: boolean): fc.Arbitrary<RuleSpec> =>
  fc.record({
    action: fc.constantFrom("pass", "block", "reject"),
    interfaces: fc.constantFrom(["lan"], ["wan"], ["lan", "wan"]),
    protocol: fc.constantFrom("any", "TCP", "UDP", "ICMP"),
    source: fc.constantFrom(...(literalOnly ? [] : aliases.filter((a) => typeOf(a) !== "port")), "10.1.2.3", "any"),
    port: fc.constantFrom(...(literalOnly ? [] : aliases.filter((a) => typeOf(a) === "port")), "443", ""),
    log: fc.boolean(),
    enabled: fc.boolean(),
    description
  }).map((r) => ({
    enabled: r.enabled,
    action: r.action,
    quick: true,
    interfaces: r.interfaces,
    interfaceInvert: false,
    direction: "in",
    ipVersion: "inet",
    protocol: r.protocol,
    source: { addresses: r.source === "any" ? [] : [r.source], invert: false, port: "" },
    destination: { addresses: [], invert: false, port: r.protocol === "TCP" || r.protocol === "UDP" ? r.port : "" },
    log: r.log,
    gateway: "",
    description: r.description,
    categories: []
  }))

const vlanSpec = (tag: number): fc.Arbitrary<VlanSpec> =>
  fc.record({ priority: fc.integer({ min: 0, max: 7 }), description }).map((r) => ({
    parent: "igb1",
    tag,
    proto: "",
    ...r
  }))

const desiredArb = fc.subarray([...ALIASES]).chain((aliases) =>
  fc.record({
    aliases: fc.tuple(...aliases.map(aliasSpec)),
    rules: fc.array(ruleSpec(aliases, false), { maxLength: 5 }),
    vlans: fc.subarray([100, 101, 102, 103]).chain((tags) => fc.tuple(...tags.map(vlanSpec)))
  })
)

const marked = (text: string, owner: string) => (text === "" ? `[gitops:${owner}]` : `${text} [gitops:${owner}]`)
const ruleSeed = (spec: RuleSpec, descr: string, sequence: number) => ({
  enabled: spec.enabled ? "1" : "0",
  action: spec.action,
  interface: spec.interfaces.join(","),
  protocol: spec.protocol,
  source_net: spec.source.addresses[0] ?? "any",
  destination_port: spec.destination.port,
  log: spec.log ? "1" : "0",
  description: descr,
  sequence: String(sequence)
})

/** The firewall before: owned objects (some still desired, some not) and unmanaged ones. */
const liveArb = fc.record({
  ownedAliases: fc.subarray([...ALIASES]).chain((names) => fc.tuple(...names.map(aliasSpec))),
  ownedRules: fc.array(
    fc.tuple(fc.integer({ min: 0, max: 6 }), ruleSpec([], true), fc.integer({ min: 1, max: 5000 })),
    { maxLength: 4 }
  ),
  ownedVlans: fc.subarray([101, 102, 103, 104]).chain((tags) => fc.tuple(...tags.map(vlanSpec))),
  unmanagedAliases: fc.subarray(["u_x", "u_y"]).chain((names) =>
    fc.tuple(...names.map((n) => content("network").map((c) => ({ n, c }))))
  ),
  unmanagedRules: fc.array(fc.tuple(ruleSpec([], true), fc.integer({ min: 1, max: 5000 })), { maxLength: 3 }),
  unmanagedVlans: fc.subarray([200, 201])
})

type Live = typeof liveArb extends fc.Arbitrary<infer L> ? L : never
type Desired = typeof desiredArb extends fc.Arbitrary<infer D> ? D : never

const seedOf = (live: Live): SeedData => ({
  aliases: [
    ...live.ownedAliases.map((a) => ({
      name: a.name,
      type: a.type,
      content: a.content.join("\n"),
      enabled: a.enabled ? "1" : "0",
      description: marked(a.description, a.name)
    })),
    ...live.unmanagedAliases.map(({ n, c }) => ({
      name: n,
      type: "network",
      content: c.join("\n"),
      description: "hand made"
    }))
  ],
  rules: [
    ...live.ownedRules.map(([k, spec, seq]) => ruleSeed(spec, marked(spec.description, `rule-${k}`), seq)),
    ...live.unmanagedRules.map(([spec, seq], i) => ruleSeed(spec, `unmanaged ${i}`, seq))
  ],
  vlans: [
    ...live.ownedVlans.map((v) => ({
      if: v.parent,
      tag: String(v.tag),
      pcp: String(v.priority),
      descr: marked(v.description, `v${v.tag}`)
    })),
    ...live.unmanagedVlans.map((tag) => ({ if: "igb1", tag: String(tag), descr: "unmanaged" }))
  ]
})

const siteOf = (d: Desired): DesiredSite => {
  const source = { file: "generated.yaml", line: 1, column: 1 }
  const body = {
    ...emptyCollections(),
    vlans: d.vlans.map((spec) => ({ name: `v${spec.tag}`, spec, source })),
    aliases: d.aliases.map((spec) => ({ name: spec.name, spec, source })),
    rules: d.rules.map((spec, i) => ({ name: `rule-${i}`, spec, source }))
  }
  return {
    config: { name: "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} },
    ...body,
    digest: sha256(canonicalJson(body))
  }
}

const unmanaged = (live: LiveSnapshot) =>
  canonicalJson(
    [...live.vlans, ...live.aliases, ...live.rules].filter((o) => o.owner === undefined).map((o) => ({
      uuid: o.uuid,
      spec: o.spec,
      seq: "sequence" in o ? o.sequence : 0
    })).sort((a, b) => (a.uuid < b.uuid ? -1 : 1))
  )

describe("property: apply then plan is empty, unmanaged objects unchanged", () => {
  it("holds for random desired trees and live starting states (26.7)", async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, liveArb, async (desired, live) => {
        const sim = await startSimulator({ version: "26.7", tls: false, unmanaged: false, seed: seedOf(live) })
        const dataDir = mkdtempSync(join(tmpdir(), "reconciler-prop-"))
        try {
          const site = siteOf(desired)
          const desiredLayer = Layer.succeed(DesiredState, {
            load: () => Effect.succeed({ tree: { root: ".", sites: [site] }, warnings: [] }),
            validate: () => Effect.succeed({ tree: { root: ".", sites: [site] }, issues: [] }),
            sources: () => Effect.succeed({ sites: [], issues: [] })
          })
          const layer = reconcilerLayer({ desiredDir: ".", actor: "property" }).pipe(
            Layer.provideMerge(Layer.mergeAll(firewallsFromClient, storeLayer(dataDir), desiredLayer)),
            Layer.provideMerge(layerSimulator(sim, { cacheTtlSeconds: 0 })),
            Layer.provide(NodeServices.layer)
          )
          await Effect.runPromise(Effect.provide(
            Effect.gen(function*() {
              const client = yield* Opnsense
              const before = unmanaged(yield* client.snapshot({ fresh: true }))
              const reconciler = yield* Reconciler
              // an empty desired tree over owned objects deletes them all: part of the property
              const report = yield* reconciler.planAndApply({ approve: true, allowDestroy: true })
              expect(report.changes.filter((c) => c.status !== "done")).toEqual([])
              const again = yield* reconciler.plan()
              expect(again.changes).toEqual([])
              expect(unmanaged(yield* client.snapshot({ fresh: true }))).toBe(before)
            }),
            layer
          ))
        } finally {
          await sim.close()
          rmSync(dataDir, { recursive: true, force: true })
        }
      }),
      { numRuns: 20 }
    )
  }, 120_000)
})

/**
 * What the safety layer reuses from the plan instead of fetching it again: the snapshot the plan
 * was built from (the lockout guard used to find it through the cache, decoding and hashing every
 * rule, or with no cache by reading the firewall a second time) and the site's configuration (it
 * used to load the whole desired state again for it, once more per apply step), and, in plan and
 * apply, the plan itself (it used to plan, then apply that plan as if it were a saved one: three
 * desired-state loads and two reads of the firewall before writing). Simulator over
 * HTTPS, the real safe and inner reconcilers, snapshot cache TTL 0, a DesiredState that counts
 * its loads.
 */
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { join } from "node:path"
import { DesiredState, make as makeDesiredState } from "../../src/DesiredState.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { Firewalls } from "../../src/Reconciler.ts"
import { layer as reconcilerLayer } from "../../src/Reconciler/Live.ts"
import { layer as journalLayer } from "../../src/Safety/Journal.ts"
import { layerFile } from "../../src/Safety/Lock.ts"
import { layer as safeLayer, SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator, type SimulatorHandle } from "../../src/Simulator.ts"
import { layer as storeLayer } from "../../src/Store/Store.ts"
import { ALIASES, cleanup, LOCKOUT, MANAGEMENT, sites, tempRoot, writeTree } from "../safety/harness.ts"

/** The safe reconciler as test/safety/harness.ts wires it, with desired-state loads counted. */
const wired = (sim: SimulatorHandle, desiredDir: string, dataDir: string, loads: { count: number }) => {
  const counted = Layer.effect(
    DesiredState,
    Effect.map(makeDesiredState, (d) => ({
      ...d,
      load: (options: Parameters<typeof d.load>[0]) =>
        Effect.suspend(() => {
          loads.count++
          return d.load(options)
        })
    }))
  )
  const firewalls = Layer.effect(Firewalls, Opnsense.useSync((client) => ({ forSite: () => Effect.succeed(client) })))
  return safeLayer(reconcilerLayer({ desiredDir, actor: "reuse-test" }), { actor: "reuse-test" }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(firewalls, storeLayer(dataDir), counted, journalLayer({ dataDir }), layerFile({ dataDir }))
    ),
    Layer.provideMerge(layerSimulator(sim, { cacheTtlSeconds: 0 })),
    Layer.provide(NodeServices.layer)
  )
}

const setup = (main: string) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const sim = yield* simulator()
      const root = tempRoot()
      const desiredDir = writeTree(join(root, "desired"), { "sites.yaml": sites(MANAGEMENT), "main.yaml": main })
      const loads = { count: 0 }
      return { sim, root, loads, layer: wired(sim, desiredDir, join(root, "data"), loads) }
    }),
    ({ root }) => Effect.sync(() => cleanup(root))
  )

const reads = (endpoints: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(endpoints).filter(([endpoint]) => /\/search_/.test(endpoint)))

describe("the safety layer reuses what the plan read", () => {
  it.live("a plan reads each kind once and the desired state once, and the guard still blocks a lockout", () =>
    Effect.gen(function*() {
      const { layer, loads, sim } = yield* setup(LOCKOUT)
      sim.requests.clear()
      const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
      expect(plan.blocked).toEqual([expect.objectContaining({ kind: "rule", name: "no-admin", action: "create" })])
      expect(reads(sim.requests.countByEndpoint())).toEqual({
        "/api/firewall/category/search_item": 1,
        "/api/interfaces/vlan_settings/search_item": 1,
        "/api/interfaces/assignment/search_item": 1,
        "/api/firewall/alias/search_item": 1,
        "/api/firewall/filter/search_rule": 1,
        "/api/kea/dhcpv4/search_subnet": 1,
        "/api/kea/dhcpv4/search_reservation": 1,
        "/api/firewall/one_to_one/search_rule": 1,
        "/api/unbound/settings/search_host_override": 1,
        "/api/unbound/settings/search_host_alias": 1,
        "/api/unbound/settings/search_forward": 1,
        "/api/firewall/d_nat/search_rule": 1
      })
      expect(loads.count).toBe(1)
    }))

  it.live("an apply loads the desired state once for the safety layer and once for the inner apply", () =>
    Effect.gen(function*() {
      const { layer, loads } = yield* setup(ALIASES)
      const report = yield* Effect.gen(function*() {
        const plan = yield* SafeReconciler.use((r) => r.plan())
        loads.count = 0
        return yield* SafeReconciler.use((r) => r.apply(plan.planId, { approve: true }))
      }).pipe(Effect.provide(layer))
      expect(report.result).toBe("applied")
      expect(loads.count).toBe(2)
    }))
})

describe("plan and apply in one go", () => {
  const searches = (entries: ReadonlyArray<{ readonly endpoint: string }>) => {
    const out: Record<string, number> = {}
    for (const e of entries) if (/\/search_/.test(e.endpoint)) out[e.endpoint] = (out[e.endpoint] ?? 0) + 1
    return out
  }
  const once = {
    "/api/firewall/category/search_item": 1,
    "/api/interfaces/vlan_settings/search_item": 1,
    "/api/firewall/alias/search_item": 1,
    "/api/firewall/filter/search_rule": 1,
    "/api/kea/dhcpv4/search_subnet": 1,
    "/api/kea/dhcpv4/search_reservation": 1,
    "/api/firewall/one_to_one/search_rule": 1,
    "/api/unbound/settings/search_host_override": 1,
    "/api/unbound/settings/search_host_alias": 1,
    "/api/unbound/settings/search_forward": 1,
    "/api/firewall/d_nat/search_rule": 1,
    "/api/interfaces/assignment/search_item": 1
  }

  it.live("loads the desired state once, reads each kind once before writing and once to verify", () =>
    Effect.gen(function*() {
      const { layer, loads, sim } = yield* setup(ALIASES)
      sim.requests.clear()
      const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
      expect(report.result).toBe("applied")
      expect(report.verification.clean).toBe(true)
      expect(report.safety?.verification?.ok).toBe(true)
      expect(loads.count).toBe(1)
      const entries = sim.requests.entries
      const firstWrite = entries.findIndex((e) => e.endpoint === "/api/firewall/alias/add_item")
      expect(firstWrite).toBeGreaterThan(0)
      expect(searches(entries.slice(0, firstWrite))).toEqual(once)
      expect(searches(entries.slice(firstWrite))).toEqual(once)
    }))

  it.live("still runs the lockout guard on the plan it was handed", () =>
    Effect.gen(function*() {
      const { layer, loads, sim } = yield* setup(LOCKOUT)
      sim.requests.clear()
      const refused = yield* Effect.flip(
        SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
      )
      expect(refused._tag).toBe("PlanBlocked")
      expect(refused.message).toContain("no-admin")
      expect(loads.count).toBe(1)
      expect(searches(sim.requests.entries)).toEqual(once)
      expect(sim.requests.entries.filter((e) => e.method === "POST" && !/\/search_/.test(e.endpoint))).toEqual([])
    }))
})

describe("site selection and import", () => {
  it.live("an unknown site is refused with the known ones named, before any read", () =>
    Effect.gen(function*() {
      const { layer, sim } = yield* setup(ALIASES)
      sim.requests.clear()
      const refused = yield* Effect.flip(
        SafeReconciler.use((r) => r.planAndApply({ site: "branch", approve: true })).pipe(Effect.provide(layer))
      )
      expect(refused._tag).toBe("SiteNotFound")
      expect(refused.message).toMatch(/no site "branch" in .*sites\.yaml; known sites: default$/)
      expect(sim.requests.count()).toBe(0)
    }))

  it.live("import loads the desired state once", () =>
    Effect.gen(function*() {
      const { layer, loads } = yield* setup(ALIASES)
      const imported = yield* SafeReconciler.use((r) => r.importLive({ site: "default", recordInventory: false })).pipe(
        Effect.provide(layer)
      )
      expect(imported.site).toBe("default")
      expect(loads.count).toBe(1)
    }))
})

/**
 * The safety layer's lockout guard checks a plan against the snapshot the plan was built from. It
 * used to find that snapshot again through the cache (decode and hash every rule) or, with no
 * cache, by reading the firewall a second time; it now reuses the one the plan saw. Simulator over
 * HTTPS, the real safe reconciler (test/safety/harness.ts), snapshot cache TTL 0.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator } from "../../src/Simulator.ts"
import { cleanup, instance, tempRoot, writeTree } from "../safety/harness.ts"

// the simulator's MGMT VLAN, reached through its seeded admin rule; a floating block cuts it
const SITES = `
sites:
  - name: default
    path: .
    management:
      interface: opt1
      address: 10.0.10.1
      port: 443
      source: 192.168.1.10
`
const LOCKOUT = `
rules:
  - name: no-admin
    interface: floating
    action: block
    protocol: tcp
    destination: { address: 10.0.10.1, port: 443 }
`

const setup = Effect.acquireRelease(
  Effect.gen(function*() {
    const sim = yield* simulator()
    const root = tempRoot()
    const desiredDir = writeTree(join(root, "desired"), { "sites.yaml": SITES, "main.yaml": LOCKOUT })
    return { sim, root, layer: instance({ sim, desiredDir, dataDir: join(root, "data") }) }
  }),
  ({ root }) => Effect.sync(() => cleanup(root))
)

const reads = (endpoints: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(endpoints).filter(([endpoint]) => /\/search_/.test(endpoint)))

describe("lockout guard on the plan's own snapshot", () => {
  it.live("reads each kind once per plan, without a cache, and still blocks what cuts the management path", () =>
    Effect.gen(function*() {
      const { layer, sim } = yield* setup
      sim.requests.clear()
      const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
      expect(plan.blocked).toEqual([expect.objectContaining({ kind: "rule", name: "no-admin", action: "create" })])
      expect(reads(sim.requests.countByEndpoint())).toEqual({
        "/api/firewall/category/search_item": 1,
        "/api/interfaces/vlan_settings/search_item": 1,
        "/api/firewall/alias/search_item": 1,
        "/api/firewall/filter/search_rule": 1
      })
    }))
})

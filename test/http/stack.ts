/**
 * The real service stack for end-to-end tests of the ops server: the embedded simulator over
 * HTTPS, the Opnsense client, a real CircuitBreaker, the Redis cache on 127.0.0.1:6379 (under a
 * key prefix of its own), the Store in a temp DATA_DIR and the Reconciler over a temp desired
 * state. Only Firewalls is test-made: every site points at the one simulator.
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer, type Scope } from "effect"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DesiredState } from "../../src/DesiredState.ts"
import type { OpnsenseShape } from "../../src/Opnsense.ts"
import { makeClient, simulatorOptions } from "../../src/Opnsense/Layer.ts"
import { Firewalls } from "../../src/Reconciler.ts"
import { layer as reconcilerLayer } from "../../src/Reconciler/Live.ts"
import { Cache } from "../../src/Resilience/Cache.ts"
import { CircuitBreaker, layer as breakerLayer } from "../../src/Resilience/CircuitBreaker.ts"
import { makeRedis } from "../../src/Resilience/RedisCache.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { layer as storeLayer } from "../../src/Store/Store.ts"

export const desiredYaml = `vlans:
  - name: iot
    parent: igb1
    tag: 30
    description: IoT devices
aliases:
  - name: iot_net
    type: network
    content: [10.30.0.0/24]
rules:
  - name: iot-dns
    interface: lan
    action: pass
    protocol: udp
    source: iot_net
    destination: { address: 10.0.0.53, port: 53 }
`

export const simulator = Effect.acquireRelease(
  Effect.promise(() => startSimulator({ unmanaged: true })),
  (sim) => Effect.promise(() => sim.close())
)

const firewalls = (sim: SimulatorHandle) =>
  Layer.effect(
    Firewalls,
    Effect.gen(function*() {
      // the layer's scope owns the clients, so they live as long as the stack
      const context = yield* Effect.context<CircuitBreaker | Cache | Scope.Scope>()
      const clients = new Map<string, OpnsenseShape>()
      return {
        forSite: (site) =>
          Effect.suspend(() => {
            const known = clients.get(site.name)
            if (known !== undefined) return Effect.succeed(known)
            return makeClient(simulatorOptions(sim, { site: site.name })).pipe(
              Effect.provide(context),
              Effect.tap((client) => Effect.sync(() => clients.set(site.name, client)))
            )
          })
      }
    })
  )

export const dirs = () => {
  const root = mkdtempSync(join(tmpdir(), "ops-e2e-"))
  const desired = join(root, "desired-state")
  const data = join(root, "data")
  mkdirSync(desired, { recursive: true })
  mkdirSync(data, { recursive: true })
  writeFileSync(join(desired, "main.yaml"), desiredYaml)
  return { root, desired, data }
}

export const stack = (sim: SimulatorHandle, paths: { readonly desired: string; readonly data: string }) => {
  const cache = Layer.effect(
    Cache,
    makeRedis({
      url: "redis://127.0.0.1:6379",
      defaultTtlSeconds: 60,
      prefix: `ops-test:${process.pid}:${Date.now()}:`
    })
  )
  const base = Layer.mergeAll(breakerLayer(), cache)
  const fw = firewalls(sim).pipe(Layer.provideMerge(base))
  const reconciler = reconcilerLayer({ desiredDir: paths.desired, actor: "test" }).pipe(
    Layer.provide(Layer.mergeAll(DesiredState.layer.pipe(Layer.provide(NodeServices.layer)), storeLayer(paths.data))),
    Layer.provideMerge(fw)
  )
  return reconciler
}

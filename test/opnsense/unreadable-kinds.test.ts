/**
 * A kind the API key may not list (403) is held empty and named in the snapshot instead of failing
 * it, and the snapshot goes through the Redis cache with that record; a snapshot cached before the
 * record existed still decodes. Against the simulator's ACL (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/ACL/ACL.xml: page-firewall-nat-portforward-edit
 * holds api/firewall/d_nat/*), with the real Redis at 127.0.0.1:6379.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { makeClient, simulatorOptions } from "../../src/Opnsense/Layer.ts"
import { Cache } from "../../src/Resilience/Cache.ts"
import { layer as breakerLayer } from "../../src/Resilience/CircuitBreaker.ts"
import { layerRedis } from "../../src/Resilience/RedisCache.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { PRIVILEGES } from "../../src/Simulator/Acl.ts"

const FORWARD = "page-firewall-nat-portforward-edit (Firewall: NAT: Destination NAT)"
const retry = { maxRetries: 0, baseDelayMs: 5, maxDelayMs: 20 }

describe("a kind the key may not read", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.7" })
    sim.state.apiKeys.push({
      key: "no-forwards",
      secret: "s",
      user: "planner",
      privileges: Object.keys(PRIVILEGES).filter((p) => p !== "page-firewall-nat-portforward-edit")
    })
  })
  afterAll(() => sim.close())

  // one Redis prefix per test: two clients share the cache as two instances of the service would
  const shared = () =>
    Layer.mergeAll(
      breakerLayer(),
      layerRedis({
        url: "redis://127.0.0.1:6379",
        defaultTtlSeconds: 60,
        prefix: `opnsense-mcp:test:${randomBytes(6).toString("hex")}:`
      })
    )
  const client = (key: { readonly apiKey: string; readonly apiSecret: string }) =>
    makeClient(simulatorOptions({ ...sim, ...key }, { retry }))

  it.live("is held empty and named, and the record survives the Redis cache", () =>
    Effect.gen(function*() {
      const first = yield* client({ apiKey: "no-forwards", apiSecret: "s" })
      const read = yield* first.snapshot({ fresh: true })
      expect(read.port_forwards).toEqual([])
      expect(read.rules.length).toBeGreaterThan(0)
      expect(read.unreadable).toEqual([
        {
          kind: "port_forward",
          endpoint: "POST firewall/d_nat/search_rule",
          privilege: FORWARD,
          message: expect.stringContaining(`the API user lacks the privilege ${FORWARD}`)
        }
      ])

      sim.requests.clear()
      const second = yield* client({ apiKey: "no-forwards", apiSecret: "s" })
      const cached = yield* second.snapshot()
      expect(sim.requests.count()).toBe(0) // decoded from Redis, not read again
      expect(cached.unreadable).toEqual(read.unreadable)
      expect(cached.fetchedAt).toBe(read.fetchedAt)
    }).pipe(Effect.scoped, Effect.provide(shared())))

  it.live("a snapshot cached without the record (every kind read, or an older release) still decodes", () =>
    Effect.gen(function*() {
      const full = yield* client(sim)
      const read = yield* full.snapshot({ fresh: true })
      const stored = yield* (yield* Cache).getText("opnsense:default:snapshot")
      expect(stored._tag === "Some" && stored.value.includes("unreadable")).toBe(false)

      sim.requests.clear()
      const cached = yield* (yield* client({ apiKey: "no-forwards", apiSecret: "s" })).snapshot()
      expect(sim.requests.count()).toBe(0)
      expect(cached.unreadable).toBeUndefined()
      expect(cached.fetchedAt).toBe(read.fetchedAt)
    }).pipe(Effect.scoped, Effect.provide(shared())))

  it.live("listing the kind directly still fails with the PermissionError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* client({ apiKey: "no-forwards", apiSecret: "s" })).port_forwards.list)
      expect(error).toMatchObject({ _tag: "PermissionError", privilege: FORWARD })
    }).pipe(Effect.scoped, Effect.provide(shared())))
})

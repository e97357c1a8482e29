/**
 * Each fault mode of the simulator gives the documented behaviour (docs/client.md §Resilience):
 * latency within the timeout is fine; 502 bursts and dropped connections are retried for requests
 * that are safe to repeat; a create is never duplicated by its retry; hangs time out and retry;
 * bad credentials fail at once with no retry; a self-signed certificate without its CA fails
 * with the fix spelled out; the breaker opens against a failing firewall, stops traffic, serves
 * the last snapshot marked stale, refuses writes, and closes again after a probe.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { AliasSpec } from "../../src/Kinds/Alias/Spec.ts"
import { layerSimulator, Opnsense } from "../../src/Opnsense.ts"
import { CircuitBreaker } from "../../src/Resilience/CircuitBreaker.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"

const retry = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 }

const alias = (name: string): AliasSpec => ({
  name,
  type: "network",
  content: ["10.9.0.0/24"],
  enabled: true,
  description: "",
  categories: [],
  updateFrequency: ""
})

describe("fault modes against the simulator", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(() => sim.close())
  beforeEach(() => {
    sim.faults.reset()
    sim.requests.clear()
  })

  const client = (overrides: Parameters<typeof layerSimulator>[1] = {}) => layerSimulator(sim, { retry, ...overrides })

  it.live("latency below the timeout only slows things down", () =>
    Effect.gen(function*() {
      sim.faults.setLatency(150)
      const { latencyMs } = yield* (yield* Opnsense).ping
      expect(latencyMs).toBeGreaterThanOrEqual(140)
    }).pipe(Effect.provide(client({ timeoutMs: 2_000 }))))

  it.live("latency above the timeout is a TimeoutError naming OPNSENSE_TIMEOUT_MS, after bounded retries", () =>
    Effect.gen(function*() {
      sim.faults.setLatency(400)
      const error = yield* Effect.flip((yield* Opnsense).ping)
      expect(error._tag).toBe("TimeoutError")
      expect(error.message).toContain("within 100 ms (OPNSENSE_TIMEOUT_MS)")
      // the simulator logs a request when it answers: let the slow answers land (however loaded the
      // machine), then long enough for a third attempt's answer to land too, had there been one
      const answered = () => sim.requests.count("/api/core/system/status")
      for (let waited = 0; answered() < 2 && waited < 5_000; waited += 50) yield* Effect.sleep("50 millis")
      yield* Effect.sleep("300 millis")
      expect(answered()).toBe(2) // one try and one retry, then give up
    }).pipe(Effect.provide(client({ timeoutMs: 100, retry: { ...retry, maxRetries: 1 } }))))

  it.live("a burst of 502s is retried away for reads", () =>
    Effect.gen(function*() {
      const opnsense = yield* Opnsense
      yield* opnsense.version
      sim.requests.clear()
      sim.faults.failNext(2, 502, "Bad Gateway", "/api/firewall/filter/search_rule")
      const snapshot = yield* opnsense.snapshot()
      expect(snapshot.rules.length).toBeGreaterThan(0)
      expect(sim.requests.entries.filter((e) => e.endpoint === "/api/firewall/filter/search_rule").map((e) => e.status))
        .toEqual([502, 502, 200])
    }).pipe(Effect.provide(client())))

  it.live("a 502 burst longer than the retries is an error that names the status", () =>
    Effect.gen(function*() {
      sim.faults.failNext(10, 502, "Bad Gateway")
      const error = yield* Effect.flip((yield* Opnsense).ping)
      expect(error).toMatchObject({ _tag: "UnexpectedResponseError", status: 502 })
      expect(sim.requests.count()).toBe(4) // 1 + 3 retries, then give up
    }).pipe(Effect.provide(client())))

  it.live("a dropped connection is retried for reads", () =>
    Effect.gen(function*() {
      sim.faults.dropNext(1)
      expect((yield* (yield* Opnsense).version).major).toBe(26)
      expect(sim.requests.entries.map((e) => `${e.endpoint} ${e.status}`)).toEqual([
        "/api/core/firmware/status 0",
        "/api/core/firmware/status 200"
      ])
    }).pipe(Effect.provide(client())))

  it.live("a create whose connection dropped is re-sent only after checking it did not land", () =>
    Effect.gen(function*() {
      const opnsense = yield* Opnsense
      yield* opnsense.version
      sim.requests.clear()
      sim.faults.dropNext(1, "/api/firewall/alias/add_item")
      const uuid = yield* opnsense.aliases.create(alias("dropped_once"), "dropped-once")
      const endpoints = sim.requests.entries.map((e) => `${e.endpoint} ${e.status}`)
      // the retry looked for the alias (categories + alias search) before re-sending
      expect(endpoints).toEqual([
        "/api/firewall/alias/add_item 0",
        "/api/firewall/category/search_item 200",
        "/api/firewall/alias/search_item 200",
        "/api/firewall/alias/add_item 200"
      ])
      const all = yield* opnsense.aliases.list
      expect(all.filter((a) => a.spec.name === "dropped_once").map((a) => a.uuid)).toEqual([uuid])
      yield* opnsense.aliases.remove(uuid)
    }).pipe(Effect.provide(client())))

  it.live("a hung request times out and the retry succeeds", () =>
    Effect.gen(function*() {
      sim.faults.hangNext(1)
      const start = Date.now()
      expect((yield* (yield* Opnsense).version).major).toBe(26)
      expect(Date.now() - start).toBeGreaterThanOrEqual(290)
      expect(sim.requests.count("/api/core/firmware/status")).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.provide(client({ timeoutMs: 300 }))))

  it.live("bad credentials fail at once: AuthenticationError, no retry, breaker untouched", () =>
    Effect.gen(function*() {
      sim.faults.setWrongCredentials(true)
      const error = yield* Effect.flip((yield* Opnsense).version)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("OPNSENSE_API_KEY")
      expect(error.message).not.toContain(sim.apiSecret)
      expect(sim.requests.count()).toBe(1)
      expect(yield* (yield* CircuitBreaker).state("default")).toBe("closed")
    }).pipe(Effect.provide(client())))

  it.live("a user without the filter privilege gets a PermissionError naming it, with no retry", () =>
    Effect.gen(function*() {
      const opnsense = yield* Opnsense
      expect((yield* opnsense.ping).latencyMs).toBeGreaterThanOrEqual(0) // page-system-status is granted
      sim.requests.clear()
      const error = yield* Effect.flip(opnsense.rules.list)
      expect(error).toMatchObject({ _tag: "PermissionError", privilege: "page-filter-api (Firewall: Rules [new])" })
      expect(error.message).toContain("System > Access > Users")
      expect(sim.requests.count("/api/firewall/filter/search_rule")).toBe(1) // 403 is an answer: not retried
    }).pipe(
      Effect.provide(
        Effect.suspend(() => {
          const key = "limited-key"
          const secret = "limited-secret"
          sim.state.apiKeys.push({
            key,
            secret,
            user: "auditor",
            privileges: ["page-system-status", "page-firewall-categories"]
          })
          return Effect.succeed(
            layerSimulator({ ...sim, url: sim.url, apiKey: key, apiSecret: secret, caPem: sim.caPem }, {
              retry,
              version: { major: 26, minor: 7, patch: 5, raw: "26.7.5" }
            })
          )
        }).pipe(Layer.unwrap)
      )
    ))

  it.live("a self-signed certificate without its CA fails with the fix spelled out", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Opnsense).version)
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("self-signed")
      expect(error.message).toContain("OPNSENSE_CA_FILE")
      expect(sim.requests.count()).toBe(0) // the TLS handshake failed: nothing reached the API
    }).pipe(Effect.provide(client({ caPem: undefined, retry: { ...retry, maxRetries: 0 } }))))

  it.live("with OPNSENSE_INSECURE the same certificate is accepted", () =>
    Effect.gen(function*() {
      expect((yield* (yield* Opnsense).version).major).toBe(26)
    }).pipe(Effect.provide(client({ caPem: undefined, insecure: true }))))

  it.live("the breaker opens on a failing firewall, stops traffic, serves the last snapshot stale, refuses writes, and recovers", () =>
    Effect.gen(function*() {
      const opnsense = yield* Opnsense
      const breaker = yield* CircuitBreaker
      const good = yield* opnsense.snapshot()
      expect(good.stale).toBe(false)

      sim.faults.failNext(100, 502, "Bad Gateway")
      const failed = yield* Effect.flip(opnsense.snapshot({ fresh: true }).pipe(Effect.flatMap(() => opnsense.ping)))
      expect(["UnexpectedResponseError", "CircuitOpenError"]).toContain(failed._tag)
      expect(yield* breaker.state("default")).toBe("open")

      sim.requests.clear()
      const stale = yield* opnsense.snapshot({ fresh: true })
      expect(stale).toMatchObject({ stale: true, fetchedAt: good.fetchedAt })
      expect(stale.rules).toEqual(good.rules)
      const refused = yield* Effect.flip(opnsense.aliases.create(alias("while_open"), "while-open"))
      expect(refused._tag).toBe("CircuitOpenError")
      expect(sim.requests.count()).toBe(0) // fail fast: nothing was sent

      sim.faults.reset()
      yield* Effect.sleep("250 millis") // resetTimeoutMs
      const fresh = yield* opnsense.snapshot({ fresh: true })
      expect(fresh.stale).toBe(false)
      expect(yield* breaker.state("default")).toBe("closed")
    }).pipe(Effect.provide(client({ breaker: { failureThreshold: 3, resetTimeoutMs: 200 } }))))
})

import { it as effectIt } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { acquire, layer, Simulator, type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

describe("simulator: fault injection and the request log", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ unmanaged: false })
  })
  afterAll(() => sim.close())
  beforeEach(() => {
    sim.faults.reset()
    sim.requests.clear()
  })

  it("adds latency", async () => {
    sim.faults.setLatency(150)
    const t = performance.now()
    await call(sim, "/api/core/system/status")
    expect(performance.now() - t).toBeGreaterThanOrEqual(140)
  })

  it("fails the next N requests with a status and body, then recovers", async () => {
    sim.faults.failNext(2, 503, { errorMessage: "maintenance" })
    expect((await call(sim, "/api/core/system/status")).status).toBe(503)
    const second = await call(sim, "/api/core/system/status")
    expect(second.body).toEqual({ errorMessage: "maintenance" })
    expect((await call(sim, "/api/core/system/status")).status).toBe(200)
  })

  it("limits a fault to one endpoint", async () => {
    sim.faults.failNext(1, 500, undefined, "/api/firewall/filter/apply")
    expect((await call(sim, "/api/core/system/status")).status).toBe(200)
    expect((await post(sim, "/api/firewall/filter/apply")).status).toBe(500)
    expect((await post(sim, "/api/firewall/filter/apply")).status).toBe(200)
  })

  it("drops connections", async () => {
    sim.faults.dropNext(1)
    await expect(call(sim, "/api/core/system/status")).rejects.toThrow(/socket hang up|ECONNRESET/)
    expect((await call(sim, "/api/core/system/status")).status).toBe(200)
  })

  it("hangs requests until the client gives up", async () => {
    sim.faults.hangNext(1)
    await expect(call(sim, "/api/core/system/status", { timeoutMs: 300 })).rejects.toThrow(/timeout/)
    expect((await call(sim, "/api/core/system/status")).status).toBe(200)
  })

  it("rejects every request while wrongCredentials is on, and rotates keys", async () => {
    sim.faults.setWrongCredentials(true)
    expect((await call(sim, "/api/core/system/status")).status).toBe(401)
    sim.faults.setWrongCredentials(false)
    const old = { key: sim.apiKey, secret: sim.apiSecret }
    const next = sim.faults.rotateCredentials()
    expect(sim.apiKey).toBe(next.apiKey)
    expect((await call(sim, "/api/core/system/status", { auth: old })).status).toBe(401)
    expect((await call(sim, "/api/core/system/status")).status).toBe(200)
  })

  it("records every request with its endpoint, status and duration", async () => {
    await call(sim, "/api/firewall/filter/searchRule")
    await call(sim, "/api/firewall/filter/search_rule")
    await call(sim, "/api/nowhere/at/all")
    expect(sim.requests.count("/api/firewall/filter/search_rule")).toBe(2)
    expect(sim.requests.count((e) => e.status === 404)).toBe(1)
    expect(sim.requests.countByEndpoint()["/api/firewall/filter/search_rule"]).toBe(2)
    expect(sim.requests.entries[0]?.ms).toBeGreaterThanOrEqual(0)
    sim.requests.clear()
    expect(sim.requests.count()).toBe(0)
  })

  it("answers an array for a scalar with 500 on 26.7", async () => {
    const res = await post(sim, "/api/firewall/filter/add_rule", { rule: { action: ["pass"] } })
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ errorMessage: "Unexpected error, check log for details" })
  })
})

describe("simulator as an Effect resource", () => {
  effectIt.effect("is started by acquire and closed with the scope", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(
        Effect.gen(function*() {
          const sim = yield* acquire({ tls: false, unmanaged: false })
          const res = yield* Effect.promise(() => call(sim, "/api/core/system/status"))
          expect(res.status).toBe(200)
          return sim.url
        })
      )
      const after = yield* Effect.promise(() =>
        fetch(`${url}/api/core/system/status`).then(() => "open", () => "closed")
      )
      expect(after).toBe("closed")
    }))

  effectIt.effect("is provided by layer", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      expect(sim.version).toBe("26.1.5")
    }).pipe(Effect.provide(layer({ version: "26.1", tls: false }))))
})

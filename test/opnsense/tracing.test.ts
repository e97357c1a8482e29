/**
 * A span per request under the caller's span, with the attributes that help in Jaeger (method,
 * path, status, bytes, attempt, site, firmware version) and never a credential.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { layerSimulator, Opnsense } from "../../src/Opnsense.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { spanRecorder } from "../support/spans.ts"

describe("tracing", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(() => sim.close())

  it.live("records one client span per attempt under the caller's span, without secrets", () => {
    const { recording, spans } = spanRecorder()
    return Effect.gen(function*() {
      const client = yield* Opnsense
      yield* client.version
      sim.faults.failNext(1, 502, "Bad Gateway", "/api/firewall/filter/search_rule")
      yield* client.snapshot().pipe(Effect.withSpan("caller"))

      const caller = spans.find((s) => s.name === "caller")
      const snapshot = spans.find((s) => s.name === "Opnsense.snapshot")
      expect(Option.getOrUndefined(snapshot?.parent ?? Option.none())?.spanId).toBe(caller?.spanId)

      const requests = spans.filter((s) =>
        s.name === "OPNsense POST" && s.attributes.get("url.path") === "/api/firewall/filter/search_rule"
      )
      expect(
        requests.map((s) => [s.attributes.get("opnsense.retry.attempt"), s.attributes.get("http.response.status_code")])
      ).toEqual([[1, 502], [2, 200]])
      const ok = requests[1]
      expect(ok?.kind).toBe("client")
      expect(ok?.attributes.get("opnsense.site")).toBe("default")
      expect(ok?.attributes.get("opnsense.version")).toBe(sim.version)
      expect(ok?.attributes.get("http.response.body.size")).toBeGreaterThan(100)
      expect(ok?.attributes.get("http.request.method")).toBe("POST")

      const everything = JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))
      expect(everything).not.toContain(sim.apiKey)
      expect(everything).not.toContain(sim.apiSecret)
      expect(everything).not.toContain(Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString("base64"))
    }).pipe(
      Effect.provide(layerSimulator(sim, { retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 } })),
      Effect.withTracer(recording)
    )
  })

  it.live("numbers the attempts of each call from 1, also for a request the client reuses", () => {
    const { recording, spans } = spanRecorder()
    const attempts = (path: string) =>
      spans.filter((s) => s.attributes.get("url.path") === path).map((s) => s.attributes.get("opnsense.retry.attempt"))
    return Effect.gen(function*() {
      const client = yield* Opnsense
      yield* client.snapshot({ fresh: true })
      yield* client.snapshot({ fresh: true })
      yield* client.rules.reconfigure
      yield* client.rules.reconfigure
      expect(attempts("/api/firewall/category/search_item")).toEqual([1, 1])
      expect(attempts("/api/firewall/filter/apply")).toEqual([1, 1])
    }).pipe(
      Effect.provide(layerSimulator(sim, { retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 } })),
      Effect.withTracer(recording)
    )
  })
})

import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { SiteStatus } from "../../src/Reconciler/Loop.ts"
import { accessEntries, call, fakePorts, newState, start, testConfig } from "./fixtures.ts"

const admin = Redacted.make("admin-secret-token")
const mcp = Redacted.make("mcp-secret-token")
const bearer = (t: Redacted.Redacted<string>) => ({ authorization: `Bearer ${Redacted.value(t)}` })

describe("ops HTTP server", () => {
  it.live("serves /health, /version and request ids", () =>
    Effect.gen(function*() {
      const state = newState()
      const server = yield* start(testConfig(), fakePorts(state))
      yield* server.health.refresh
      const health = yield* call(`${server.url}/health`)
      assert.strictEqual(health.status, 200)
      const report = health.json()
      assert.strictEqual(report["status"], "ok")
      assert.deepStrictEqual(Object.keys(report["dependencies"] as object), ["opnsense", "redis", "circuit"])
      assert.match(health.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/)

      const echoed = yield* call(`${server.url}/health/live`, { headers: { "x-request-id": "abc-123" } })
      assert.strictEqual(echoed.headers.get("x-request-id"), "abc-123")
      assert.ok(accessEntries.some((e) => e.requestId === "abc-123" && e.path === "/health/live" && e.status === 200))

      const version = (yield* call(`${server.url}/version`)).json()
      assert.strictEqual(version["commit"], "0123abc")
      assert.match(String(version["tag"]), /^v\d+\.\d+\.\d+$/)
      assert.strictEqual(version["tag"], `v${String(version["version"])}`)
      assert.strictEqual(version["gitTag"], null)
      assert.deepStrictEqual(version["opnsense"], { default: "26.7.5" })

      state.up = false
      yield* server.health.refresh
      const down = yield* call(`${server.url}/health`)
      assert.strictEqual(down.status, 503)
      assert.strictEqual(down.json()["status"], "unavailable")
    }))

  it.live("reports the reconcile loop's conditions per site in /health and as gauges in /metrics", () =>
    Effect.gen(function*() {
      const at = "2026-11-27T10:00:00.000Z"
      const stalled: SiteStatus = {
        site: "default",
        mode: "enforce",
        leader: true,
        suspended: false,
        conditions: [
          { type: "Ready", status: false, reason: "ApplyFailed", message: "rule x rejected", lastTransitionTime: at },
          { type: "Reconciling", status: false, reason: "Idle", message: "", lastTransitionTime: at },
          { type: "Stalled", status: true, reason: "ApplyFailed", message: "rule x rejected", lastTransitionTime: at }
        ],
        lastResults: [{ at, durationMs: 12, result: "failed", message: "rule x rejected" }],
        consecutiveFailures: 3
      }
      const ports = {
        ...fakePorts(newState()),
        reconcile: { enabled: true, mode: "enforce", sites: Effect.succeed([stalled]) }
      }
      const server = yield* start(testConfig(), ports)
      yield* server.health.refresh
      const health = yield* call(`${server.url}/health`)
      // a stalled loop is reported, but the server still serves: readiness is unaffected
      assert.strictEqual(health.status, 200)
      const reconcile = health.json()["reconcile"] as { enabled: boolean; sites: Record<string, SiteStatus> }
      assert.strictEqual(reconcile.enabled, true)
      assert.strictEqual(
        reconcile.sites["default"]?.conditions.find((c) => c.type === "Stalled")?.reason,
        "ApplyFailed"
      )
      const metrics = (yield* call(`${server.url}/metrics`)).body
      assert.match(metrics, /opnsense_mcp_reconcile_condition\{site="default",type="Stalled"\} 1/)
      assert.match(metrics, /opnsense_mcp_reconcile_condition\{site="default",type="Ready"\} 0/)
    }))

  it.live("refuses admin routes when ADMIN_TOKEN is unset and leaves /api open on loopback", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig(), fakePorts(newState()))
      const refused = yield* call(`${server.url}/admin/cache/clear`, { method: "POST" })
      assert.strictEqual(refused.status, 403)
      assert.match(refused.json()["message"] as string, /set ADMIN_TOKEN/)
      const stats = yield* call(`${server.url}/debug/cache/stats`)
      assert.strictEqual(stats.status, 403)
      const rules = yield* call(`${server.url}/api/rules`)
      assert.strictEqual(rules.status, 200)
      assert.strictEqual(rules.json()["count"], 3)
    }))

  it.live("checks bearer tokens per route group", () =>
    Effect.gen(function*() {
      const state = newState()
      const server = yield* start(testConfig({ adminToken: admin, mcpAuthToken: mcp }), fakePorts(state))
      assert.strictEqual((yield* call(`${server.url}/api/rules`)).status, 401)
      assert.strictEqual((yield* call(`${server.url}/api/rules`, { headers: bearer(admin) })).status, 401)
      assert.strictEqual((yield* call(`${server.url}/api/rules`, { headers: bearer(mcp) })).status, 200)
      assert.strictEqual((yield* call(`${server.url}/mcp`, { method: "POST", headers: bearer(mcp) })).status, 503)
      assert.strictEqual((yield* call(`${server.url}/mcp`, { method: "POST" })).status, 401)
      // stateless Streamable HTTP: every other method gets the same 405 and Allow
      for (const method of ["GET", "DELETE", "PUT", "OPTIONS"]) {
        const other = yield* call(`${server.url}/mcp`, { method, headers: bearer(mcp) })
        assert.strictEqual(other.status, 405, method)
        assert.strictEqual(other.headers.get("allow"), "POST", method)
      }
      const wrong = yield* call(`${server.url}/admin/cache/clear`, { method: "POST", headers: bearer(mcp) })
      assert.strictEqual(wrong.status, 401)
      assert.strictEqual(wrong.headers.get("www-authenticate"), "Bearer")
      assert.strictEqual(state.cleared, 0)
      const ok = yield* call(`${server.url}/admin/cache/clear`, { method: "POST", headers: bearer(admin) })
      assert.strictEqual(ok.status, 200)
      assert.strictEqual(state.cleared, 1)
      // public routes need no token even when tokens are set
      assert.strictEqual((yield* call(`${server.url}/metrics`)).status, 200)
      assert.strictEqual((yield* call(`${server.url}/health/live`)).status, 200)
    }))

  it.live("admin: cache stats/warm, circuit breaker enable/disable, gc, backup download", () =>
    Effect.gen(function*() {
      const state = newState()
      const server = yield* start(testConfig({ adminToken: admin }), fakePorts(state))
      const headers = bearer(admin)
      const stats = (yield* call(`${server.url}/debug/cache/stats`, { headers })).json()
      assert.deepStrictEqual(stats, { hits: 3, misses: 1, size: 1, hitRate: 0.75, backend: "memory" })
      const warm = yield* call(`${server.url}/admin/cache/warm`, { method: "POST", headers })
      assert.strictEqual(warm.status, 200)
      assert.strictEqual(state.snapshots, 1)

      const enabled = (yield* call(`${server.url}/admin/circuit-breaker/enable`, { method: "POST", headers })).json()
      assert.deepStrictEqual(enabled["breakers"], [{ site: "default", state: "open", forced: true, failures: 0 }])
      yield* server.health.refresh
      const degraded = yield* call(`${server.url}/health`)
      assert.strictEqual(degraded.status, 200)
      assert.strictEqual(degraded.json()["status"], "degraded")
      const blocked = yield* call(`${server.url}/api/vlans`)
      assert.strictEqual(blocked.status, 503)
      assert.ok(Number(blocked.headers.get("retry-after")) >= 1)
      yield* call(`${server.url}/admin/circuit-breaker/disable`, { method: "POST", headers })
      assert.strictEqual(state.forced, false)
      const status = (yield* call(`${server.url}/admin/circuit-breaker`, { headers })).json()
      assert.strictEqual((status["breakers"] as Array<{ state: string }>)[0]?.state, "closed")

      const gc = (yield* call(`${server.url}/admin/gc`, { method: "POST", headers })).json()
      assert.strictEqual(gc["exposed"], typeof globalThis.gc === "function")
      assert.ok(typeof (gc["before"] as { heapUsed: number }).heapUsed === "number")

      const backup = yield* call(`${server.url}/admin/backup/config`, { headers })
      assert.strictEqual(backup.status, 200)
      assert.match(backup.body, /<revision>1700000000.12<\/revision>/)
    }))

  it.live("api: plan, drift, site selection, 404/405/413", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig({ maxBodyBytes: 10 }), fakePorts(newState(), ["a", "b"]))
      const noSite = yield* call(`${server.url}/api/plan`)
      assert.strictEqual(noSite.status, 400)
      assert.match(noSite.json()["message"] as string, /a, b/)
      const plan = (yield* call(`${server.url}/api/plan?site=b`)).json()
      assert.strictEqual(plan["site"], "b")
      assert.strictEqual((yield* call(`${server.url}/api/drift?site=zzz`)).status, 404)
      assert.strictEqual((yield* call(`${server.url}/nope`)).status, 404)
      const wrongMethod = yield* call(`${server.url}/health`, { method: "POST" })
      assert.strictEqual(wrongMethod.status, 405)
      assert.strictEqual(wrongMethod.headers.get("allow"), "GET")
      const big = yield* call(`${server.url}/mcp`, { method: "POST", body: "x".repeat(100) })
      assert.strictEqual(big.status, 413)
    }))

  it.live("compresses when ENABLE_COMPRESSION is on", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig({ enableCompression: true }), fakePorts(newState()))
      const plain = yield* start(testConfig(), fakePorts(newState()))
      const big = yield* call(`${server.url}/metrics`, { headers: { "accept-encoding": "gzip" } })
      assert.strictEqual(big.status, 200)
      assert.strictEqual(big.headers.get("content-encoding"), "gzip")
      const none = yield* call(`${plain.url}/metrics`, { headers: { "accept-encoding": "gzip" } })
      assert.strictEqual(none.headers.get("content-encoding"), null)
    }))

  it.live("refuses to listen beyond loopback without MCP_AUTH_TOKEN", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(start(testConfig({ host: "0.0.0.0" }), fakePorts(newState())))
      assert.strictEqual(exit._tag, "Failure")
      assert.match(String(exit), /MCP_AUTH_TOKEN/)
    }))

  it.live("runs shutdown hooks when the server stops", () =>
    Effect.gen(function*() {
      const state = newState()
      yield* Effect.scoped(start(testConfig(), fakePorts(state)))
      assert.strictEqual(state.shutdownCalls, 1)
    }))
})

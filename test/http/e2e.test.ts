/**
 * The ops server over the real stack: simulator over HTTPS, Opnsense client, CircuitBreaker, Redis
 * cache, Store and Reconciler, with spans exported to an in-test OTLP/HTTP receiver.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
import * as Http from "../../src/Http.ts"
import { ports } from "../../src/Http/Wiring.ts"
import * as Telemetry from "../../src/Telemetry.ts"
import { receiver } from "../telemetry/receiver.ts"
import { accessLayer, call, testConfig } from "./fixtures.ts"
import { dirs, simulator, stack } from "./stack.ts"

const admin = "e2e-admin-token-value"
const mcp = "e2e-mcp-token-value"
const auth = (t: string) => ({ authorization: `Bearer ${t}` })

/** Prometheus text format, line by line: every sample is `name{labels} value`, every family typed. */
const parsePrometheus = (text: string) => {
  const samples = new Map<string, number>()
  const types = new Map<string, string>()
  for (const line of text.split("\n")) {
    if (line === "") continue
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type !== null) {
      types.set(type[1]!, type[2]!)
      continue
    }
    if (line.startsWith("# HELP ")) continue
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/
        .exec(line)
    if (sample === null) throw new Error(`not Prometheus text: ${line}`)
    samples.set(`${sample[1]}${sample[2] ?? ""}`, Number(sample[3]))
  }
  return { samples, types }
}

describe("ops server end to end", () => {
  it.live(
    "serves live objects, plans and drift from the simulator; health checks Redis; spans reach OTLP",
    () =>
      Effect.gen(function*() {
        const sim = yield* simulator
        const otlp = yield* receiver
        const paths = dirs()
        const services = stack(sim, paths)
        const server = yield* Effect.gen(function*() {
          const p = yield* ports({ commit: "e2e" }).pipe(
            Effect.provideService(
              ConfigProvider.ConfigProvider,
              ConfigProvider.fromEnvRecord({ REDIS_URL: "redis://127.0.0.1:6379" })
            )
          )
          const context = yield* Layer.build(
            Http.layer(testConfig({ adminToken: Redacted.make(admin), mcpAuthToken: Redacted.make(mcp) }), p).pipe(
              Layer.provide(accessLayer),
              Layer.provide(
                Telemetry.layerFrom({ endpoint: otlp.url, serviceName: "opnsense-mcp-test", exportIntervalMs: 50 })
              )
            )
          )
          return Context.get(context, Http.OpsServer)
        }).pipe(Effect.provide(services))
        yield* server.health.refresh

        const health = yield* call(`${server.url}/health`)
        const report = health.json() as {
          status: string
          dependencies: { redis: { status: string }; opnsense: Record<string, { status: string; version: string }> }
        }
        assert.strictEqual(health.status, 200, health.body)
        assert.strictEqual(report.dependencies.redis.status, "up")
        assert.strictEqual(report.dependencies.opnsense["default"]?.version, sim.version)

        // /health serves the background check's last result: requests to it never reach the firewall
        const beforeHealth = sim.requests.count()
        for (let i = 0; i < 5; i++) assert.strictEqual((yield* call(`${server.url}/health`)).status, 200)
        // a probe that adds a query string is still the quiet /health (not traced)
        assert.strictEqual((yield* call(`${server.url}/health?probe=readiness`)).status, 200)
        assert.strictEqual(sim.requests.count(), beforeHealth, "/health called the firewall")

        const rules = yield* call(`${server.url}/api/rules`, { headers: auth(mcp) })
        assert.strictEqual(rules.status, 200, rules.body)
        assert.ok(Array.isArray(rules.json()["items"]))

        const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
        const parentId = "00f067aa0ba902b7"
        const plan = yield* call(`${server.url}/api/plan`, {
          headers: { ...auth(mcp), traceparent: `00-${traceId}-${parentId}-01` }
        })
        assert.strictEqual(plan.status, 200, plan.body)
        const planJson = plan.json() as { planId: string; summary: { create: number } }
        assert.match(planJson.planId, /^[0-9a-f]+$/)
        assert.ok(planJson.summary.create >= 3)

        const drift = yield* call(`${server.url}/api/drift`, { headers: auth(mcp) })
        assert.strictEqual(drift.status, 200, drift.body)

        const stats = (yield* call(`${server.url}/debug/cache/stats`, { headers: auth(admin) })).json()
        assert.strictEqual(stats["backend"], "redis")

        // forced open: no call reaches the firewall; the plan comes from the cached snapshot, marked stale
        yield* call(`${server.url}/admin/circuit-breaker/enable`, { method: "POST", headers: auth(admin) })
        const calls = sim.requests.count()
        const cached = yield* call(`${server.url}/api/plan`, { headers: auth(mcp) })
        assert.strictEqual(sim.requests.count(), calls, "the firewall was called through an open breaker")
        assert.match(cached.body, /from cache/)
        // drift and warm say the snapshot is stale instead of "no drift" / "ok"
        const staleDrift = (yield* call(`${server.url}/api/drift`, { headers: auth(mcp) })).json()
        assert.strictEqual(staleDrift["stale"], true, JSON.stringify(staleDrift))
        const warm = yield* call(`${server.url}/admin/cache/warm`, { method: "POST", headers: auth(admin) })
        assert.strictEqual(warm.status, 502, warm.body)
        assert.match(warm.body, /is stale/)
        yield* server.health.refresh
        const degraded = (yield* call(`${server.url}/health`)).json()
        assert.strictEqual(degraded["status"], "degraded")
        yield* call(`${server.url}/admin/circuit-breaker/disable`, { method: "POST", headers: auth(admin) })
        assert.strictEqual((yield* call(`${server.url}/api/plan`, { headers: auth(mcp) })).status, 200)

        const metrics = yield* call(`${server.url}/metrics`)
        const parsed = parsePrometheus(metrics.body)
        assert.strictEqual(parsed.types.get("opnsense_mcp_http_requests_total"), "counter")
        assert.ok(
          (parsed.samples.get("opnsense_mcp_http_requests_total{method=\"GET\",route=\"/api/plan\",status=\"200\"}") ??
            0) >= 2
        )
        assert.ok((parsed.samples.get("opnsense_mcp_process_resident_memory_bytes") ?? 0) > 0)
        // the client, the cache and the breaker feed the same registry /metrics renders
        const sampleNames = [...parsed.samples.keys()]
        assert.ok(
          sampleNames.some((k) =>
            k.startsWith("opnsense_mcp_opnsense_api_calls_total{") && k.includes("status=\"200\"")
          ),
          "no OPNsense API call was counted"
        )
        assert.ok(
          sampleNames.some((k) => /^opnsense_mcp_cache_(hits|misses)_total\{cache="redis"\}/.test(k)),
          "no cache lookup was counted"
        )
        assert.strictEqual(
          parsed.samples.get("opnsense_mcp_circuit_breaker_state{site=\"default\"}"),
          0,
          "breaker closed again"
        )
        assert.ok(
          (parsed.samples.get("opnsense_mcp_circuit_breaker_transitions_total{site=\"default\",state=\"open\"}") ??
            0) >= 1
        )

        // spans of the plan request: the server span continues the caller's trace, children below it
        yield* Effect.sleep("400 millis")
        const inTrace = otlp.spans.filter((s) => s.traceId === traceId)
        const serverSpan = inTrace.find((s) => s.name === "GET /api/plan")
        assert.ok(serverSpan !== undefined, `no server span; got ${otlp.spans.map((s) => s.name).join(", ")}`)
        assert.strictEqual(serverSpan.parentSpanId, parentId)
        assert.strictEqual(serverSpan.attributes["http.route"], "/api/plan")
        assert.strictEqual(serverSpan.service, "opnsense-mcp-test")
        const children = inTrace.filter((s) => s.parentSpanId === serverSpan.spanId)
        assert.ok(children.length > 0, `no child spans; trace has ${inTrace.map((s) => s.name).join(", ")}`)
        // every span of the trace hangs off the server span, directly or not
        const ids = new Set(inTrace.map((s) => s.spanId))
        for (const s of inTrace) assert.ok(s === serverSpan || ids.has(s.parentSpanId ?? ""), `${s.name} is detached`)
        // no secret anywhere in what left the process
        const exported = otlp.bodies.join("\n")
        for (const secret of [sim.apiKey, sim.apiSecret, admin, mcp]) {
          assert.ok(!exported.includes(secret), "a secret was exported")
        }
        assert.ok(
          !otlp.spans.some((s) => s.name === "GET /health"),
          "/health must not be traced"
        )
      }),
    { timeout: 30_000 }
  )
})

import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric, Tracer } from "effect"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Logging from "../../src/Logging.ts"
import { redactArguments } from "../../src/Mcp/Tool.ts"
import * as Telemetry from "../../src/Telemetry.ts"
import { endpointLabel, opnsenseCalls, recordOpnsenseCall } from "../../src/Telemetry/Metrics.ts"

describe("telemetry", () => {
  it.effect("the scrubber redacts credential-looking attributes before the exporter sees them", () =>
    Effect.gen(function*() {
      const seen = new Map<string, unknown>()
      const recording = Tracer.make({
        span: (options) => {
          const span = Tracer.nativeTracer.span(options)
          return {
            ...span,
            _tag: "Span" as const,
            name: span.name,
            spanId: span.spanId,
            traceId: span.traceId,
            parent: span.parent,
            annotations: span.annotations,
            status: span.status,
            attributes: span.attributes,
            links: span.links,
            sampled: span.sampled,
            kind: span.kind,
            end: (t, e) => span.end(t, e),
            attribute: (k, v) => void seen.set(k, v),
            event: (n, t, a) => span.event(n, t, a),
            addLinks: (l) => span.addLinks(l)
          }
        }
      })
      yield* Effect.void.pipe(
        Effect.withSpan("Test.op", {
          attributes: {
            apiSecret: "s3cr3t",
            "http.request.header.authorization": "x",
            note: "Bearer abc.def",
            site: "default"
          }
        }),
        Effect.provideService(Tracer.Tracer, Telemetry.scrubbing(recording))
      )
      assert.strictEqual(seen.get("apiSecret"), "<redacted>")
      assert.strictEqual(seen.get("http.request.header.authorization"), "<redacted>")
      assert.strictEqual(seen.get("note"), "<redacted>")
      assert.strictEqual(seen.get("site"), "default")
    }))

  it.effect("metric labels carry no ids", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        endpointLabel("/api/firewall/filter/get_rule/6ee828b7-31a2-4012-ea36-40af6475d331"),
        "firewall/filter/get_rule/:id"
      )
      assert.strictEqual(
        endpointLabel("/api/core/backup/download/this/config-1700000000.12.xml?x=1"),
        "core/backup/download/this/:id"
      )
      yield* recordOpnsenseCall({
        site: "s",
        endpoint: "/api/firewall/alias/set_item/6ee828b7-31a2-4012-ea36-40af6475d331",
        status: 200,
        durationMs: 5
      })
      const value = yield* Metric.value(
        Metric.withAttributes(opnsenseCalls, { site: "s", endpoint: "firewall/alias/set_item/:id", status: "200" })
      )
      assert.strictEqual(value.count, 1)
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))
})

describe("logging", () => {
  it("DEBUG namespaces follow the debug package", () => {
    const m = Logging.debugMatcher("opnsense:*,-opnsense:cache")
    assert.isTrue(m("opnsense:client"))
    assert.isFalse(m("opnsense:cache"))
    assert.isFalse(m("mcp"))
    const on = Logging.enabled({ level: "Info", debug: "opnsense:client" })
    assert.isTrue(on("Warn", undefined))
    assert.isFalse(on("Debug", undefined))
    assert.isTrue(on("Debug", "opnsense:client"))
    assert.isFalse(on("Debug", "opnsense:reconciler"))
  })

  it("rotates a file at its size limit and keeps N files", () => {
    const dir = mkdtempSync(join(tmpdir(), "log-rot-"))
    const file = new Logging.LineFile(join(dir, "app.log"), { maxBytes: 100, maxFiles: 2 })
    for (let i = 0; i < 5; i++) {
      file.write("x".repeat(80))
      file.flush()
    }
    file.close()
    assert.isTrue(existsSync(join(dir, "app.log.1")))
    assert.isTrue(existsSync(join(dir, "app.log.2")))
    assert.isFalse(existsSync(join(dir, "app.log.3")))
  })

  it.effect("writes app.log, error.log and access.log; debug only for DEBUG areas; secrets masked", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "log-files-"))
      yield* Effect.scoped(
        Effect.gen(function*() {
          const access = yield* Logging.AccessLog
          yield* Effect.logInfo("hello").pipe(Effect.annotateLogs({ requestId: "r1", apiToken: "t0ps3cret" }))
          yield* Effect.logInfo("more").pipe(Effect.annotateLogs({ passwd: "pw-value", credential: "cred-value" }))
          yield* Effect.logError("boom")
          yield* Effect.logDebug("hidden")
          yield* Effect.logDebug("shown").pipe(Logging.area("opnsense:client"))
          access.write({ method: "GET", path: "/health", status: 200, durationMs: 1.23456, requestId: "r1" })
        }).pipe(
          Effect.provide(
            Logging.layerFrom({
              level: "Info",
              debug: "opnsense:*",
              dir,
              maxBytes: 0,
              maxFiles: 1,
              files: true,
              pretty: false
            })
          )
        )
      )
      const app = readFileSync(join(dir, "app.log"), "utf8")
      const errors = readFileSync(join(dir, "error.log"), "utf8")
      const access = JSON.parse(readFileSync(join(dir, "access.log"), "utf8").trim()) as Record<string, unknown>
      assert.match(app, /"msg":"hello".*"requestId":"r1"/)
      assert.notInclude(app, "t0ps3cret")
      assert.notInclude(app, "pw-value")
      assert.notInclude(app, "cred-value")
      assert.include(app, "shown")
      assert.notInclude(app, "hidden")
      assert.notInclude(errors, "hello")
      assert.include(errors, "boom")
      assert.deepInclude(access, { method: "GET", path: "/health", status: 200, requestId: "r1", durationMs: 1.235 })
    }))

  it("spans, log annotations and logged tool arguments redact the same keys", () => {
    const keys = ["apiSecret", "passwd", "credential", "cookie", "api.key", "Authorization", "token"]
    for (const key of keys) {
      assert.strictEqual(Telemetry.scrubAttribute(key, "v"), "<redacted>", key)
      assert.deepStrictEqual(redactArguments({ [key]: "v" }), { [key]: "<redacted>" }, key)
    }
    assert.strictEqual(Telemetry.scrubAttribute("site", "v"), "v")
    assert.deepStrictEqual(redactArguments({ site: "v" }), { site: "v" })
  })
})

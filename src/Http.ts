/**
 * The ops HTTP server of `serve`: health, version, metrics, cache and circuit-breaker
 * admin, live objects and plans, and the MCP Streamable HTTP transport at /mcp.
 *
 * Every request first passes the Host/Origin allow-list (Http/HostGuard.ts, against DNS rebinding),
 * on every route including /health: a foreign name is refused 403 before routing or auth.
 * Every request gets an X-Request-Id (kept from the caller when sane), a server span continuing
 * the caller's W3C trace context (except /health and /metrics, which stay cheap and quiet), a line
 * in access.log, and the request metrics. Bodies are bounded (HTTP_MAX_BODY_BYTES, 413) and so is
 * time (HTTP_REQUEST_TIMEOUT_MS, 503; /mcp streams excepted); slow clients and connection hogs are
 * cut off by the listener (Http/Listener.ts), which also scrubs credentials from URLs. Shutdown stops accepting, drains
 * in-flight requests for up to HTTP_SHUTDOWN_TIMEOUT_MS, runs the release hooks (locks, leases),
 * and leaves the span flush to the telemetry layer's own scope, which closes after this one.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as ByteSize from "effect/ByteSize"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as HttpMiddleware from "effect/http/HttpMiddleware"
import type { ServeError } from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import { randomUUID } from "node:crypto"
import * as Auth from "./Http/Auth.ts"
import { type HttpConfig, type HttpConfigError, validate } from "./Http/Config.ts"
import * as Health from "./Http/Health.ts"
import { makeHostCheck } from "./Http/HostGuard.ts"
import { makeListener } from "./Http/Listener.ts"
import type { Ports } from "./Http/Ports.ts"
import { error } from "./Http/Respond.ts"
import { type GuardName, type Route, routes } from "./Http/Routes.ts"
import { makeScrubber } from "./Http/Scrub.ts"
import { AccessLog } from "./Logging.ts"
import { httpRequestDuration, httpRequests } from "./Telemetry/Metrics.ts"

export interface OpsServerShape {
  readonly host: string
  readonly port: number
  /** http://host:port */
  readonly url: string
  readonly health: Health.HealthMonitor
}

export class OpsServer extends Context.Service<OpsServer, OpsServerShape>()("opnsense-mcp/Http/OpsServer") {}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
const quietPaths = new Set(["/health", "/health/live", "/health/ready", "/metrics"])

/** The path of a request URL, without its query. */
const pathOf = (url: string): string => {
  const q = url.indexOf("?")
  return q < 0 ? url : url.slice(0, q)
}

const guards = (config: HttpConfig): Record<GuardName, Auth.Guard> => {
  const mcp = config.mcpAuthToken === undefined ? undefined : Auth.token(config.mcpAuthToken)
  const admin = config.adminToken === undefined ? undefined : Auth.token(config.adminToken)
  const metrics = config.metricsToken === undefined ? undefined : Auth.token(config.metricsToken)
  const open: Auth.Guard = { check: () => ({ _tag: "Allowed" }) }
  return {
    public: open,
    metrics: metrics === undefined ? open : Auth.optional("METRICS_TOKEN", [metrics, ...(admin ? [admin] : [])]),
    api: Auth.optional("MCP_AUTH_TOKEN", mcp === undefined ? [] : [mcp]),
    mcp: Auth.optional("MCP_AUTH_TOKEN", mcp === undefined ? [] : [mcp]),
    admin: Auth.required("ADMIN_TOKEN", admin)
  }
}

/** Request metrics, one series object per (method, route, status) so the hot path allocates nothing. */
const requestMetrics = () => {
  const counters = new Map<string, Metric.Metric<number, unknown>>()
  const histograms = new Map<string, Metric.Metric<number, unknown>>()
  return (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${route}`
    let histogram = histograms.get(key)
    if (histogram === undefined) {
      histogram = Metric.withAttributes(httpRequestDuration, { method, route })
      histograms.set(key, histogram)
    }
    const statusKey = `${key} ${status}`
    let counter = counters.get(statusKey)
    if (counter === undefined) {
      counter = Metric.withAttributes(httpRequests, { method, route, status: String(status) })
      counters.set(statusKey, counter)
    }
    return Effect.andThen(Metric.update(counter, 1), Metric.update(histogram, seconds))
  }
}

/** The whole application as one effect: routing, guards, limits, request ids, logs and metrics. */
export const makeApp = (config: HttpConfig, ports: Ports, health: Health.HealthMonitor) =>
  Effect.gen(function*() {
    const access = yield* AccessLog
    const guard = guards(config)
    const hostCheck = makeHostCheck({ hosts: config.allowedHosts, origins: config.allowedOrigins })
    const table = new Map<string, Map<string, Route>>()
    // listings keep their compressed forms per snapshot when compression is on
    const listingOptions = { compressionLevel: config.enableCompression ? config.compressionLevel : undefined }
    for (const route of routes(ports, health, listingOptions)) {
      const byMethod = table.get(route.path) ?? new Map<string, Route>()
      byMethod.set(route.method, route)
      table.set(route.path, byMethod)
    }
    const record = requestMetrics()
    const maxBody = ByteSize.bytes(config.maxBodyBytes)
    const timeout = Duration.millis(config.requestTimeoutMs)

    const dispatch = (
      request: HttpServerRequest.HttpServerRequest,
      path: string
    ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
      const foreign = hostCheck(request.headers["host"], request.headers["origin"])
      if (foreign !== undefined) return Effect.succeed(error(403, foreign.code, foreign.message))
      const byMethod = table.get(path)
      if (byMethod === undefined) return Effect.succeed(error(404, "NotFound", `no route ${path}`))
      const method = request.method === "HEAD" ? "GET" : request.method
      const route = byMethod.get(method)
      if (route === undefined) {
        const allow = [...byMethod.keys()].join(", ")
        return Effect.succeed(error(405, "MethodNotAllowed", `${request.method} ${path}: use ${allow}`, { allow }))
      }
      const verdict = guard[route.guard].check(request.headers)
      if (verdict._tag === "Disabled") return Effect.succeed(error(403, "Disabled", verdict.message))
      if (verdict._tag === "Unauthorized") {
        return Effect.succeed(error(401, "Unauthorized", verdict.message, { "www-authenticate": "Bearer" }))
      }
      const length = Number(request.headers["content-length"] ?? "0")
      if (length > config.maxBodyBytes) {
        return Effect.succeed(
          error(
            413,
            "PayloadTooLarge",
            `request bodies are limited to ${config.maxBodyBytes} bytes (HTTP_MAX_BODY_BYTES)`
          )
        )
      }
      const handled = route.handler(request).pipe(Effect.provideService(HttpIncomingMessage.MaxBodySize, maxBody))
      return route.streaming === true ? handled : handled.pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () =>
            Effect.succeed(
              error(
                503,
                "Timeout",
                `the request took longer than ${config.requestTimeoutMs} ms (HTTP_REQUEST_TIMEOUT_MS)`
              )
            )
        })
      )
    }

    const app = HttpServerRequest.HttpServerRequest.use((request) => {
      const start = performance.now()
      const incoming = request.headers["x-request-id"]
      const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID()
      const path = pathOf(request.url)
      const routeLabel = table.has(path) ? path : "unmatched"
      return dispatch(request, path).pipe(
        Effect.catchCause((cause) =>
          Effect.as(
            Effect.logError("request failed", cause).pipe(Effect.annotateLogs({ requestId, path })),
            error(500, "InternalError", `internal error; quote request id ${requestId} when reporting it`)
          )
        ),
        Effect.annotateLogs("requestId", requestId),
        Effect.tap(() =>
          quietPaths.has(path)
            ? Effect.void
            : Effect.annotateCurrentSpan({ "http.route": routeLabel, "request.id": requestId })
        ),
        Effect.flatMap((response) => {
          const durationMs = performance.now() - start
          access.write({
            method: request.method,
            path,
            status: response.status,
            durationMs,
            requestId,
            remote: request.remoteAddress._tag === "Some" ? request.remoteAddress.value : undefined
          })
          return Effect.as(
            record(request.method, routeLabel, response.status, durationMs / 1000),
            HttpServerResponse.setHeader(response, "x-request-id", requestId)
          )
        })
      )
    })

    if (!config.enableCompression) return app
    const level = config.compressionLevel
    return app.pipe(HttpMiddleware.compression({ levels: { gzip: level, deflate: level, br: Math.min(11, level) } }))
  })

/**
 * Listen on HOST:PORT (PORT=0 picks a free port; read it from OpsServer) and serve until the
 * layer's scope closes.
 */
export const layer = (
  config: HttpConfig,
  ports: Ports
): Layer.Layer<OpsServer, HttpConfigError | ServeError, AccessLog> =>
  Layer.effect(
    OpsServer,
    Effect.gen(function*() {
      yield* validate(config)
      // registered first, so it runs after the server has drained: release locks, leases
      yield* Effect.addFinalizer(() =>
        Effect.all(ports.onShutdown ?? [], { discard: true }).pipe(
          Effect.andThen(Effect.logInfo("ops server stopped")),
          Effect.catchCause((cause) => Effect.logError("shutdown hook failed", cause))
        )
      )
      const health = yield* Health.make(ports, { intervalMs: config.healthIntervalMs })
      const app = yield* makeApp(config, ports, health)
      const scrub = makeScrubber([
        ...[config.mcpAuthToken, config.adminToken, config.metricsToken].filter((t) => t !== undefined),
        ...config.otherSecrets
      ])
      const server = yield* NodeHttpServer.make(
        () => makeListener(config, scrub),
        { host: config.host, port: config.port, gracefulShutdownTimeout: Duration.millis(config.shutdownTimeoutMs) }
      )
      yield* server.serve(app).pipe(
        Effect.provideService(HttpMiddleware.TracerDisabledWhen, (request) => quietPaths.has(pathOf(request.url))),
        Effect.provideService(HttpMiddleware.SpanNameGenerator, (request) => `${request.method} ${pathOf(request.url)}`)
      )
      const address = server.address
      const port = address._tag === "UnixPathAddress" ? config.port : address.port
      const host = config.host
      const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`
      yield* Effect.logInfo(`ops server listening on ${url}`)
      return { host, port, url, health }
    })
  ).pipe(Layer.provide(NodeHttpServer.layerHttpServices))

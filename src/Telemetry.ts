/**
 * Tracing (issue #9): spans leave as OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT, e.g. Jaeger's
 * or a collector's port 4318; nothing is exported when it is unset.
 *
 * Built on `effect/observability` (OtlpTracer + OtlpSerialization.layerJson over the Fetch HTTP
 * client) rather than the OpenTelemetry SDK: Effect's own spans (`Effect.fn`, `withSpan`, the HTTP
 * server and client spans) are exported as they are, W3C `traceparent` is read by the HTTP server
 * and written by the HTTP client, and no second tracing runtime is started. `@effect/opentelemetry`
 * stays available should an SDK instrumentation ever be worth it.
 *
 * Every exported span passes through a scrubber: attributes whose key looks like a credential
 * (secret, password, token, authorization, api key, cookie) or whose value looks like a bearer or
 * basic credential are replaced by "<redacted>" before they reach the exporter.
 *
 * Traces: one per CLI command (`Telemetry.command`), per HTTP request (server span from the
 * request's traceparent), per MCP tool call (`Telemetry.root`) and per reconcile cycle (the
 * reconciler's root span). Spans are flushed when the layer's scope closes (shutdown).
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

export interface TelemetryConfig {
  /** base URL; traces go to `${endpoint}/v1/traces` */
  readonly endpoint: string | undefined
  readonly serviceName: string
  readonly exportIntervalMs: number
}

export const config: Config.Config<TelemetryConfig> = Config.all({
  endpoint: Config.String("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(
    Config.option,
    Config.map(Option.filter((s) => s.trim().length > 0)),
    Config.map(Option.getOrUndefined)
  ),
  serviceName: Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault("opnsense-mcp")),
  exportIntervalMs: Config.Int("OTEL_BSP_SCHEDULE_DELAY").pipe(Config.withDefault(1000))
})

// ---------------------------------------------------------------------------------------------
// Scrubbing

const SECRET_KEY = /secret|password|passwd|token|authorization|api[_.-]?key|cookie|credential/i
const SECRET_VALUE = /^\s*(?:bearer|basic)\s+\S+/i

/** Whether a key names a credential: the one test for span attributes, log annotations and logged tool arguments. */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key)

export const scrubAttribute = (key: string, value: unknown): unknown =>
  isSecretKey(key) || (typeof value === "string" && SECRET_VALUE.test(value)) ? "<redacted>" : value

class ScrubbedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly inner: Tracer.Span
  constructor(inner: Tracer.Span) {
    this.inner = inner
  }
  get name() {
    return this.inner.name
  }
  get spanId() {
    return this.inner.spanId
  }
  get traceId() {
    return this.inner.traceId
  }
  get parent() {
    return this.inner.parent
  }
  get annotations() {
    return this.inner.annotations
  }
  get status() {
    return this.inner.status
  }
  get attributes() {
    return this.inner.attributes
  }
  get links() {
    return this.inner.links
  }
  get sampled() {
    return this.inner.sampled
  }
  get kind() {
    return this.inner.kind
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.inner.end(endTime, exit)
  }
  attribute(key: string, value: unknown): void {
    this.inner.attribute(key, scrubAttribute(key, value))
  }
  event(name: string, startTime: bigint, attributes?: Record<string, unknown>): void {
    if (attributes === undefined) return this.inner.event(name, startTime)
    const clean: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(attributes)) clean[k] = scrubAttribute(k, v)
    this.inner.event(name, startTime, clean)
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.inner.addLinks(links)
  }
}

/** A tracer that scrubs credential-looking attributes before the wrapped tracer sees them. */
export const scrubbing = (inner: Tracer.Tracer): Tracer.Tracer =>
  Tracer.make({
    span: (options) => new ScrubbedSpan(inner.span(options)),
    ...(inner.context === undefined ? {} : { context: inner.context })
  })

// ---------------------------------------------------------------------------------------------
// Layers

/**
 * Exports spans when an endpoint is configured; otherwise a no-op. Flushes when its scope closes.
 * The exporter (OTLP serialisation, the Fetch HTTP client) is loaded only when it is used: most
 * command runs export nothing, and loading it is start-up time.
 */
export const layerFrom = (c: TelemetryConfig): Layer.Layer<never> => {
  const endpoint = c.endpoint
  if (endpoint === undefined) return Layer.empty
  return Layer.unwrap(
    Effect.map(Effect.promise(() => import("./Telemetry/Otlp.ts")), (otlp) =>
      otlp.layer({
        url: `${endpoint.replace(/\/+$/, "")}/v1/traces`,
        serviceName: c.serviceName,
        exportIntervalMs: c.exportIntervalMs,
        wrap: scrubbing
      }))
  )
}

export const layer: Layer.Layer<never, Config.ConfigError> = Layer.unwrap(Effect.map(config, layerFrom))

// ---------------------------------------------------------------------------------------------
// Root spans for the faces

/** One trace per CLI command: wrap the command's effect. */
export const command =
  (name: string, attributes?: Record<string, unknown>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withSpan(self, `cli.${name}`, {
      root: true,
      kind: "internal",
      attributes: { "cli.command": name, ...attributes }
    })

/**
 * A new trace for work that does not belong to the caller's trace (an MCP tool call, one reconcile
 * cycle of the loop). Name it `Service.operation`.
 */
export const root =
  (name: string, attributes?: Record<string, unknown>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withSpan(self, name, { root: true, ...(attributes === undefined ? {} : { attributes }) })

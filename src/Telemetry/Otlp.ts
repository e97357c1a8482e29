/**
 * The OTLP/HTTP (JSON) span exporter over the Fetch HTTP client, in a module of its own so that
 * Telemetry.ts loads it only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as OtlpExporter from "effect/observability/OtlpExporter"
import * as OtlpSerialization from "effect/observability/OtlpSerialization"
import * as OtlpTracer from "effect/observability/OtlpTracer"
import * as Tracer from "effect/Tracer"
import { VERSION } from "../Version.ts"

export const layer = (options: {
  /** the traces endpoint, `${base}/v1/traces` */
  readonly url: string
  readonly serviceName: string
  readonly exportIntervalMs: number
  /** applied to the exporting tracer (Telemetry.ts scrubs credentials with it) */
  readonly wrap: (tracer: Tracer.Tracer) => Tracer.Tracer
}): Layer.Layer<never> =>
  Layer.effect(
    Tracer.Tracer,
    OtlpTracer.make({
      url: options.url,
      resource: { serviceName: options.serviceName, serviceVersion: VERSION },
      exportInterval: Duration.millis(options.exportIntervalMs),
      shutdownTimeout: Duration.seconds(5)
    }).pipe(Effect.map(options.wrap))
  ).pipe(
    Layer.provide(OtlpExporter.layerFlusher),
    Layer.provide(OtlpSerialization.layerJson),
    Layer.provide(FetchHttpClient.layer)
  )

/**
 * One request to OPNsense with everything around it: a span per attempt (method, path, status,
 * bytes, attempt, site, firmware version; never a secret), the site's circuit breaker, status and
 * shape checks, and the retry policy for requests that are safe to repeat.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { FirmwareVersion } from "../Domain/Model.ts"
import type { CircuitBreakerShape } from "../Resilience/CircuitBreaker.ts"
import { isTransient, retryNumbered, type RetryOptions } from "../Resilience/Retry.ts"
import { recordOpnsenseCall } from "../Telemetry/Metrics.ts"
import type { OpnsenseError, TimeoutError, TransportError } from "./Errors.ts"
import type { Method, RawResponse, Transport } from "./Http.ts"
import { checkStatus, type Context, decode } from "./Response.ts"

export interface Requester {
  readonly site: string
  readonly baseUrl: string
  /** the raw response after status checks (non-JSON bodies, e.g. backup XML) */
  readonly raw: (method: Method, path: string, options?: RequestOptions) => Effect.Effect<RawResponse, OpnsenseError>
  /** JSON body decoded with `schema` */
  readonly json: <S extends Schema.Top & { readonly DecodingServices: never }>(
    schema: S,
    method: Method,
    path: string,
    options?: RequestOptions
  ) => Effect.Effect<S["Type"], OpnsenseError>
}

export interface RequestOptions {
  readonly body?: unknown
  /** safe to repeat as is (default: true for GET, false for POST) */
  readonly idempotent?: boolean
}

/** The status label of one call for the API-call metrics: the HTTP status, or how it failed. */
const callStatus = (exit: Exit.Exit<RawResponse, TransportError | TimeoutError>): number | "timeout" | "transport" =>
  Exit.isSuccess(exit)
    ? exit.value.status
    : Option.exists(Exit.findErrorOption(exit), (error) => error._tag === "TimeoutError")
    ? "timeout"
    : "transport"

export const makeRequester = (deps: {
  readonly transport: Transport
  readonly breaker: CircuitBreakerShape
  readonly retry: RetryOptions
  readonly version: Ref.Ref<Option.Option<FirmwareVersion>>
}): Requester => {
  const { transport, breaker } = deps
  const site = transport.site

  const once = (method: Method, path: string, body: unknown, attempt: number) =>
    Effect.gen(function*() {
      const version = yield* Ref.get(deps.version)
      yield* Effect.annotateCurrentSpan({
        "http.request.method": method,
        "url.path": `/api/${path}`,
        "server.address": transport.baseUrl,
        "opnsense.site": site,
        "opnsense.retry.attempt": attempt,
        ...(Option.isSome(version) ? { "opnsense.version": version.value.raw } : {})
      })
      const started = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(transport.request(method, path, body))
      const durationMs = (yield* Clock.currentTimeMillis) - started
      yield* recordOpnsenseCall({
        site,
        endpoint: path,
        status: callStatus(exit),
        durationMs
      })
      const response = yield* exit
      yield* Effect.annotateCurrentSpan({
        "http.response.status_code": response.status,
        "http.response.body.size": response.bytes
      })
      const ctx: Context = { site, baseUrl: transport.baseUrl, endpoint: `${method} ${path}`, path }
      // non-2xx statuses fail here, inside the breaker and the retry, so 502s count and repeat
      if (response.status < 200 || response.status >= 300) yield* checkStatus(ctx, response)
      return { response, ctx }
    }).pipe(Effect.withSpan(`OPNsense ${method}`, { kind: "client" }))

  const run = (method: Method, path: string, options: RequestOptions = {}) => {
    const attempt = (n: number) => breaker.protect(site, once(method, path, options.body, n), isTransient)
    const idempotent = options.idempotent ?? method === "GET"
    return idempotent ? retryNumbered(deps.retry, attempt) : attempt(1)
  }

  return {
    site,
    baseUrl: transport.baseUrl,
    raw: (method, path, options) => Effect.map(run(method, path, options), ({ response }) => response),
    json: (schema, method, path, options) => {
      const decodeBody = decode(schema)
      return Effect.flatMap(
        run(method, path, options),
        ({ response, ctx }) => Effect.flatMap(checkStatus(ctx, response), decodeBody(ctx, response.status))
      )
    }
  }
}

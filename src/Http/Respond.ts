/**
 * Response helpers shared by the route handlers: JSON bodies, errors with a message a caller can
 * act on, and the mapping from service failures to HTTP status codes.
 */
import * as Effect from "effect/Effect"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type { PortError } from "./Ports.ts"

export const json = (
  body: unknown,
  status = 200,
  headers?: Record<string, string>
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(body), {
    status,
    contentType: "application/json",
    ...(headers === undefined ? {} : { headers })
  })

/** JSON already encoded (cached answers): sent as is, with no per-request UTF-8 encoding or length scan. */
export const jsonBytes = (
  body: Uint8Array,
  status = 200,
  headers?: Record<string, string>
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.uint8Array(body, {
    status,
    contentType: "application/json",
    ...(headers === undefined ? {} : { headers })
  })

/** 304: the caller's copy (If-None-Match) is current. */
export const notModified = (etag: string, headers?: Record<string, string>): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.empty({ status: 304, headers: { ...headers, etag } })

export const error = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  json({ error: code, message }, status, headers)

/** Upstream failures: 503 when the breaker is open (with Retry-After), 504 on timeout, 502 otherwise. */
export const fromPortError = (e: PortError): HttpServerResponse.HttpServerResponse => {
  switch (e._tag) {
    case "CircuitOpenError": {
      const retryAfterMs = "retryAfterMs" in e && typeof e.retryAfterMs === "number" ? e.retryAfterMs : 30_000
      return error(503, e._tag, e.message, { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) })
    }
    case "TimeoutError":
      return error(504, e._tag, e.message)
    case "DesiredStateInvalid":
      return error(422, e._tag, e.message)
    case "AuthenticationError":
    case "PermissionError":
    case "TransportError":
    case "UnexpectedResponseError":
    case "NotFoundError":
    case "ValidationError":
    case "OperationRefusedError":
    case "UnsupportedVersionError":
      return error(502, e._tag, e.message)
    default:
      return error(500, e._tag, e.message)
  }
}

/** Run a port call and answer with its JSON, or with the mapped error. */
export const answer = <A>(
  effect: Effect.Effect<A, PortError>,
  render: (a: A) => HttpServerResponse.HttpServerResponse = (a) => json(a)
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.match(effect, { onFailure: fromPortError, onSuccess: render })

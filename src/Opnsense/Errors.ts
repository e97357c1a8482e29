/**
 * Every way a call to OPNsense can fail, as values a caller can act on. Messages never contain a
 * secret (credentials are Redacted everywhere; URLs are logged without userinfo).
 */
import * as Data from "effect/Data"

/** 401: the key/secret pair was refused. */
export class AuthenticationError extends Data.TaggedError("AuthenticationError")<{
  readonly message: string
  readonly site: string
}> {}

/** 403: authenticated, but the API user lacks a privilege (named when known). */
export class PermissionError extends Data.TaggedError("PermissionError")<{
  readonly message: string
  readonly site: string
  readonly endpoint: string
  readonly privilege?: string
}> {}

/** 404 endpoint, or an object that does not exist (`[]`, "not found"). */
export class NotFoundError extends Data.TaggedError("NotFoundError")<{
  readonly message: string
  readonly site: string
  readonly endpoint: string
}> {}

/** {"result":"failed","validations":{...}}: field → message, keyed as OPNsense keys them. */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly message: string
  readonly site: string
  readonly endpoint: string
  readonly validations: Readonly<Record<string, string>>
}> {}

/** 500 UserException: delete blocked (alias in use, VLAN assigned), reconfigure failure, ... */
export class OperationRefusedError extends Data.TaggedError("OperationRefusedError")<{
  readonly message: string
  readonly site: string
  readonly endpoint: string
  readonly title: string
}> {}

/** DNS, refused, reset, TLS (with the certificate problem spelled out). */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly message: string
  readonly site: string
  readonly endpoint: string
  readonly cause?: unknown
}> {}

export class TimeoutError extends Data.TaggedError("TimeoutError")<{
  readonly message: string
  readonly site: string
  readonly endpoint: string
  readonly timeoutMs: number
}> {}

/** The response did not have the shape this version should return (which field at which path). */
export class UnexpectedResponseError extends Data.TaggedError("UnexpectedResponseError")<{
  readonly message: string
  readonly site: string
  readonly endpoint: string
  readonly status: number
}> {}

/** The circuit breaker is open: no call was made. */
export class CircuitOpenError extends Data.TaggedError("CircuitOpenError")<{
  readonly message: string
  readonly site: string
  readonly retryAfterMs: number
}> {}

/**
 * The firewall's version cannot take this write: a version this client only reads (before 25.7),
 * or a rule value its filter model lacks (`missing`, as Version.ts names them). Nothing was sent.
 */
export class UnsupportedVersionError extends Data.TaggedError("UnsupportedVersionError")<{
  readonly message: string
  readonly site: string
  readonly version: string
  readonly missing: ReadonlyArray<string>
}> {}

export type OpnsenseError =
  | AuthenticationError
  | PermissionError
  | NotFoundError
  | ValidationError
  | OperationRefusedError
  | TransportError
  | TimeoutError
  | UnexpectedResponseError
  | CircuitOpenError
  | UnsupportedVersionError

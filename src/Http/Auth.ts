/**
 * Bearer-token checks for the HTTP API's route groups. Tokens are compared in constant time
 * over their SHA-256 digests, so neither content nor length leaks through timing, and the token
 * itself never leaves this module (no logging, no span attributes).
 */
import type { Headers } from "effect/http/Headers"
import * as Redacted from "effect/Redacted"
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

export interface Token {
  readonly matches: (candidate: string) => boolean
}

export const token = (secret: Redacted.Redacted<string>): Token => {
  const expected = digest(Redacted.value(secret))
  return { matches: (candidate) => timingSafeEqual(expected, digest(candidate)) }
}

/** The credential of an Authorization header value ("Bearer <token>"), or undefined. */
export const bearerOf = (authorization: string | undefined): string | undefined =>
  authorization === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1]

const bearer = (headers: Headers): string | undefined => bearerOf(headers["authorization"])

export type Verdict =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Unauthorized"; readonly message: string }
  | { readonly _tag: "Disabled"; readonly message: string }

const allowed: Verdict = { _tag: "Allowed" }

/** A group of routes guarded by one or more acceptable tokens. */
export interface Guard {
  readonly check: (headers: Headers) => Verdict
}

/** Open when no token is configured (loopback-only use, enforced at start-up). */
export const optional = (name: string, tokens: ReadonlyArray<Token>): Guard => ({
  check: (headers) => {
    if (tokens.length === 0) return allowed
    const presented = bearer(headers)
    if (presented !== undefined && tokens.some((t) => t.matches(presented))) return allowed
    return { _tag: "Unauthorized", message: `missing or wrong bearer token: send "Authorization: Bearer $${name}"` }
  }
})

/** Refused outright when no token is configured. */
export const required = (name: string, t: Token | undefined): Guard => ({
  check: (headers) => {
    if (t === undefined) {
      return { _tag: "Disabled", message: `this endpoint is disabled: set ${name} on the server to enable it` }
    }
    const presented = bearer(headers)
    if (presented !== undefined && t.matches(presented)) return allowed
    return { _tag: "Unauthorized", message: `missing or wrong bearer token: send "Authorization: Bearer $${name}"` }
  }
})

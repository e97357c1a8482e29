/**
 * The one retry policy: exponential backoff with jitter, capped per delay and bounded in count.
 * It only ever wraps requests that are safe to repeat (reads, reconfigure/apply, updates, deletes,
 * and creates that look for their own earlier attempt before re-sending: see Opnsense/Client.ts),
 * and only retries failures that mean "the firewall did not answer": never 401/403/validation.
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { OpnsenseError } from "../Opnsense/Errors.ts"

export interface RetryOptions {
  /** retries after the first attempt */
  readonly maxRetries: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const defaultRetry: RetryOptions = { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 5_000 }

/** Status codes of gateways and overloaded servers: the request may well succeed next time. */
const TRANSIENT_STATUS: ReadonlySet<number> = new Set([0, 429, 502, 503, 504])

/** A failure that says nothing about the request itself, only that the firewall did not answer. */
export const isTransient = (error: OpnsenseError): boolean => {
  switch (error._tag) {
    case "TransportError":
    case "TimeoutError":
      return true
    case "UnexpectedResponseError":
      return TRANSIENT_STATUS.has(error.status)
    default:
      return false
  }
}

const schedule = (options: RetryOptions) =>
  Schedule.exponential(Duration.millis(options.baseDelayMs), 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, Duration.millis(options.maxDelayMs))))
  )

/** Retry transient failures of an effect that is safe to repeat. */
const retryTransient = (options: RetryOptions) => <A, R>(effect: Effect.Effect<A, OpnsenseError, R>) =>
  options.maxRetries <= 0
    ? effect
    : Effect.retry(effect, { schedule: schedule(options), times: options.maxRetries, while: isTransient })

/**
 * Retry transient failures of `attempt(n)`, numbering attempts from 1 afresh on every run of the
 * returned effect (a request built once and run many times must not carry its count over).
 */
export const retryNumbered = <A, R>(
  options: RetryOptions,
  attempt: (n: number) => Effect.Effect<A, OpnsenseError, R>
): Effect.Effect<A, OpnsenseError, R> =>
  Effect.suspend(() => {
    let n = 0
    return retryTransient(options)(Effect.suspend(() => attempt(++n)))
  })

/** OPNSENSE_RETRIES (3), OPNSENSE_RETRY_BASE_MS (200), OPNSENSE_RETRY_MAX_MS (5000). */
export const config = Config.all({
  maxRetries: Config.Int("OPNSENSE_RETRIES").pipe(Config.withDefault(defaultRetry.maxRetries)),
  baseDelayMs: Config.Int("OPNSENSE_RETRY_BASE_MS").pipe(Config.withDefault(defaultRetry.baseDelayMs)),
  maxDelayMs: Config.Int("OPNSENSE_RETRY_MAX_MS").pipe(Config.withDefault(defaultRetry.maxDelayMs))
})

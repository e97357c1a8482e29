/**
 * A circuit breaker per site, over Ref and Clock (so TestClock drives it in tests).
 *
 *   closed ──(N consecutive failures, or failure rate ≥ R over the last W calls)──▶ open
 *   open ──(resetTimeout elapsed; next call is the one probe)──▶ half-open
 *   half-open ──probe succeeds──▶ closed      half-open ──probe fails──▶ open
 *
 * While open (and while a probe is in flight) calls fail fast with CircuitOpenError without
 * touching the network. Operators can force a breaker open (stop calling OPNsense) or closed
 * (never trip), and reset it to automatic; `/admin/circuit-breaker` and MCP `opnsense_status`
 * read `stats`. Only failures that say "the firewall is not answering" count (the caller passes
 * `isFailure`): a 401 or a validation error is an answer, not an outage.
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { CircuitOpenError } from "../Opnsense/Errors.ts"
import { recordBreakerState } from "../Telemetry/Metrics.ts"

export type BreakerState = "closed" | "open" | "half-open"
export type Forced = "open" | "closed"

export interface CircuitBreakerOptions {
  /** consecutive failures that open the breaker */
  readonly failureThreshold: number
  /** failure rate over the window that opens the breaker (0..1); 1 disables the rate rule */
  readonly failureRateThreshold: number
  /** calls the window must hold before the rate rule applies */
  readonly minimumCalls: number
  /** size of the sliding window of recent outcomes */
  readonly windowSize: number
  /** how long the breaker stays open before one probe is let through */
  readonly resetTimeoutMs: number
}

export const defaultOptions: CircuitBreakerOptions = {
  failureThreshold: 5,
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  windowSize: 20,
  resetTimeoutMs: 30_000
}

/** What a breaker counts, kept as it is and shown as it is. */
interface Counters {
  readonly state: BreakerState
  readonly forced: Forced | undefined
  readonly consecutiveFailures: number
  readonly calls: number
  readonly failures: number
  readonly successes: number
  /** calls refused without touching the network */
  readonly rejected: number
  readonly timesOpened: number
  readonly openedAt: number | undefined
  readonly lastFailure: string | undefined
}

export interface BreakerStats extends Counters {
  readonly site: string
  /** failure rate over the window, 0..1 */
  readonly failureRate: number
  /** epoch ms at which the next probe is allowed, while open */
  readonly nextProbeAt: number | undefined
}

export interface CircuitBreakerShape {
  /** run `effect` through the site's breaker; `isFailure` says which errors count as an outage */
  readonly protect: <A, E, R>(
    site: string,
    effect: Effect.Effect<A, E, R>,
    isFailure: (error: E) => boolean
  ) => Effect.Effect<A, E | CircuitOpenError, R>
  readonly state: (site: string) => Effect.Effect<BreakerState>
  /** every site's breaker (sites appear once they are first used or forced) */
  readonly stats: Effect.Effect<ReadonlyArray<BreakerStats>>
  /** stop calling OPNsense (one site, or all sites and any site used later) */
  readonly forceOpen: (site?: string) => Effect.Effect<void>
  /** keep calling OPNsense whatever fails (one site, or all) */
  readonly forceClose: (site?: string) => Effect.Effect<void>
  /** back to automatic: closed, counters cleared, no force */
  readonly reset: (site?: string) => Effect.Effect<void>
  readonly options: CircuitBreakerOptions
}

export class CircuitBreaker
  extends Context.Service<CircuitBreaker, CircuitBreakerShape>()("opnsense-mcp/CircuitBreaker")
{}

interface Breaker extends Counters {
  /** true = failure, most recent last */
  readonly window: ReadonlyArray<boolean>
  readonly probeInFlight: boolean
}

const fresh = (forced: Forced | undefined): Breaker => ({
  state: forced === "open" ? "open" : "closed",
  forced,
  consecutiveFailures: 0,
  window: [],
  calls: 0,
  failures: 0,
  successes: 0,
  rejected: 0,
  timesOpened: 0,
  openedAt: undefined,
  probeInFlight: false,
  lastFailure: undefined
})

type Admission = { readonly _tag: "Run"; readonly probe: boolean } | {
  readonly _tag: "Reject"
  readonly retryAfterMs: number
  /** held open by an operator, not tripped by failures */
  readonly forced: boolean
}

interface Registry {
  readonly breakers: ReadonlyMap<string, Breaker>
  /** force applied to every site, including sites first seen later */
  readonly globalForce: Forced | undefined
}

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

export const make = (options: CircuitBreakerOptions = defaultOptions): Effect.Effect<CircuitBreakerShape> =>
  Effect.gen(function*() {
    const registry = yield* Ref.make<Registry>({ breakers: new Map(), globalForce: undefined })

    const get = (r: Registry, site: string): Breaker => r.breakers.get(site) ?? fresh(r.globalForce)
    /** The registry with `b` as the site's breaker; the same registry when it already is (most admissions). */
    const put = (r: Registry, site: string, b: Breaker): Registry =>
      r.breakers.get(site) === b ? r : { ...r, breakers: new Map(r.breakers).set(site, b) }

    const rateOf = (window: ReadonlyArray<boolean>) =>
      window.length === 0 ? 0 : window.filter(Boolean).length / window.length

    const admit = (site: string, now: number) =>
      Ref.modify(registry, (r): readonly [Admission, Registry] => {
        const b = get(r, site)
        if (b.forced === "closed") return [{ _tag: "Run", probe: false }, put(r, site, b)]
        if (b.forced === "open") {
          return [
            { _tag: "Reject", retryAfterMs: options.resetTimeoutMs, forced: true },
            put(r, site, { ...b, rejected: b.rejected + 1 })
          ]
        }
        if (b.state === "closed") return [{ _tag: "Run", probe: false }, put(r, site, b)]
        const openedAt = b.openedAt ?? now
        const due = openedAt + options.resetTimeoutMs
        if (b.probeInFlight || now < due) {
          return [
            { _tag: "Reject", retryAfterMs: Math.max(0, due - now), forced: false },
            put(r, site, { ...b, rejected: b.rejected + 1 })
          ]
        }
        return [{ _tag: "Run", probe: true }, put(r, site, { ...b, state: "half-open", probeInFlight: true })]
      })

    const record = (
      site: string,
      probe: boolean,
      outcome: "success" | "failure" | "neutral",
      failure: string | undefined,
      now: number
    ) =>
      Ref.update(registry, (r) => {
        const b = get(r, site)
        if (outcome === "neutral") {
          // interrupted: give the probe slot back, count nothing
          return put(r, site, {
            ...b,
            probeInFlight: probe ? false : b.probeInFlight,
            state: probe && b.state === "half-open" ? "open" : b.state
          })
        }
        const failed = outcome === "failure"
        const window = [...b.window, failed].slice(-options.windowSize)
        const counted: Breaker = {
          ...b,
          window,
          calls: b.calls + 1,
          failures: b.failures + (failed ? 1 : 0),
          successes: b.successes + (failed ? 0 : 1),
          consecutiveFailures: failed ? b.consecutiveFailures + 1 : 0,
          probeInFlight: probe ? false : b.probeInFlight,
          lastFailure: failed ? failure : b.lastFailure
        }
        if (b.forced !== undefined) return put(r, site, counted)
        if (probe) {
          return put(
            r,
            site,
            failed
              ? { ...counted, state: "open", openedAt: now, timesOpened: b.timesOpened + 1 }
              : { ...counted, state: "closed", openedAt: undefined, window: [], consecutiveFailures: 0 }
          )
        }
        const trips = counted.state === "closed" && failed && (
          counted.consecutiveFailures >= options.failureThreshold ||
          (window.length >= options.minimumCalls && rateOf(window) >= options.failureRateThreshold)
        )
        return put(
          r,
          site,
          trips ? { ...counted, state: "open", openedAt: now, timesOpened: b.timesOpened + 1 } : counted
        )
      })

    const protect = <A, E, R>(site: string, effect: Effect.Effect<A, E, R>, isFailure: (error: E) => boolean) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const admission = yield* observed(admit(site, now))
        if (admission._tag === "Reject") {
          return yield* Effect.fail(
            new CircuitOpenError({
              message: admission.forced
                ? `the circuit breaker for site "${site}" was forced open by an operator ` +
                  "(POST /admin/circuit-breaker/enable); no request was sent until it is released " +
                  "(POST /admin/circuit-breaker/disable)"
                : `the circuit breaker for site "${site}" is open after repeated failures to reach the firewall; ` +
                  `no request was sent (next attempt in ${
                    Math.ceil(admission.retryAfterMs / 1000)
                  } s, or reset it via POST /admin/circuit-breaker/disable)`,
              site,
              retryAfterMs: admission.retryAfterMs
            })
          )
        }
        return yield* effect.pipe(
          Effect.onExit((exit) =>
            Effect.flatMap(Clock.currentTimeMillis, (end) => {
              if (exit._tag === "Success") return observed(record(site, admission.probe, "success", undefined, end))
              const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
              if (failure !== undefined && failure._tag === "Fail") {
                const error = failure.error
                return observed(
                  isFailure(error)
                    ? record(site, admission.probe, "failure", describe(error), end)
                    : record(site, admission.probe, "success", undefined, end)
                )
              }
              const died = exit.cause.reasons.some((reason) => reason._tag === "Die")
              return observed(
                record(site, admission.probe, died ? "failure" : "neutral", died ? "defect" : undefined, end)
              )
            })
          )
        )
      })

    const toStats = (site: string, b: Breaker): BreakerStats => ({
      site,
      state: b.state,
      forced: b.forced,
      consecutiveFailures: b.consecutiveFailures,
      failureRate: rateOf(b.window),
      calls: b.calls,
      failures: b.failures,
      successes: b.successes,
      rejected: b.rejected,
      timesOpened: b.timesOpened,
      openedAt: b.openedAt,
      nextProbeAt: b.state === "open" && b.forced === undefined && b.openedAt !== undefined
        ? b.openedAt + options.resetTimeoutMs
        : undefined,
      lastFailure: b.lastFailure
    })

    const applyForce = (site: string | undefined, forced: Forced | undefined, now: number) =>
      Ref.update(registry, (r) => {
        const change = (b: Breaker): Breaker =>
          forced === undefined
            ? {
              ...fresh(undefined),
              calls: b.calls,
              failures: b.failures,
              successes: b.successes,
              rejected: b.rejected,
              timesOpened: b.timesOpened
            }
            : forced === "open"
            ? {
              ...b,
              forced,
              state: "open",
              openedAt: now,
              probeInFlight: false,
              timesOpened: b.state === "open" ? b.timesOpened : b.timesOpened + 1
            }
            : {
              ...b,
              forced,
              state: "closed",
              openedAt: undefined,
              probeInFlight: false,
              consecutiveFailures: 0,
              window: []
            }
        if (site !== undefined) return put(r, site, change(get(r, site)))
        const breakers = new Map<string, Breaker>()
        for (const [name, b] of r.breakers) breakers.set(name, change(b))
        return { breakers, globalForce: forced }
      })

    const withNow = (f: (now: number) => Effect.Effect<void>) => Effect.flatMap(Clock.currentTimeMillis, f)

    const effective = (b: Breaker): BreakerState => (b.forced === "open" ? "open" : b.state)

    /**
     * Run a registry update and record every state transition it caused in the metrics. It runs
     * per request, so it compares the registry it read with the one after, breaker by breaker,
     * without building maps of states (breakers are replaced on change, so unchanged ones are skipped).
     */
    const observed = <A, E>(update: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.gen(function*() {
        const before = (yield* Ref.get(registry)).breakers
        const result = yield* update
        const after = (yield* Ref.get(registry)).breakers
        if (after === before) return result
        for (const [name, b] of after) {
          const was = before.get(name)
          if (was === b) continue
          const state = effective(b)
          if (was === undefined || effective(was) !== state) {
            yield* recordBreakerState(name, state === "half-open" ? "half_open" : state)
          }
        }
        return result
      })

    return {
      protect,
      state: (site) => Effect.map(Ref.get(registry), (r) => effective(get(r, site))),
      stats: Effect.map(Ref.get(registry), (r) => [...r.breakers].map(([site, b]) => toStats(site, b))),
      forceOpen: (site) => observed(withNow((now) => applyForce(site, "open", now))),
      forceClose: (site) => observed(withNow((now) => applyForce(site, "closed", now))),
      reset: (site) => observed(withNow((now) => applyForce(site, undefined, now))),
      options
    } satisfies CircuitBreakerShape
  })

export const layer = (options: Partial<CircuitBreakerOptions> = {}): Layer.Layer<CircuitBreaker> =>
  Layer.effect(CircuitBreaker, make({ ...defaultOptions, ...options }))

/**
 * From the environment: CIRCUIT_BREAKER_FAILURES (5), CIRCUIT_BREAKER_FAILURE_RATE (0.5),
 * CIRCUIT_BREAKER_MIN_CALLS (10), CIRCUIT_BREAKER_WINDOW (20), CIRCUIT_BREAKER_RESET_MS (30000).
 */
export const layerConfig: Layer.Layer<CircuitBreaker, Config.ConfigError> = Layer.effect(
  CircuitBreaker,
  Effect.gen(function*() {
    const failureThreshold = yield* Config.Int("CIRCUIT_BREAKER_FAILURES").pipe(
      Config.withDefault(defaultOptions.failureThreshold)
    )
    const failureRateThreshold = yield* Config.Number("CIRCUIT_BREAKER_FAILURE_RATE").pipe(
      Config.withDefault(defaultOptions.failureRateThreshold)
    )
    const minimumCalls = yield* Config.Int("CIRCUIT_BREAKER_MIN_CALLS").pipe(
      Config.withDefault(defaultOptions.minimumCalls)
    )
    const windowSize = yield* Config.Int("CIRCUIT_BREAKER_WINDOW").pipe(Config.withDefault(defaultOptions.windowSize))
    const resetTimeoutMs = yield* Config.Int("CIRCUIT_BREAKER_RESET_MS").pipe(
      Config.withDefault(defaultOptions.resetTimeoutMs)
    )
    return yield* make({ failureThreshold, failureRateThreshold, minimumCalls, windowSize, resetTimeoutMs })
  })
)

/**
 * Readiness behind /health: every dependency (OPNsense per site, Redis, circuit per site) is checked
 * by one background fiber on an interval, and /health serves the last result. A request to
 * /health therefore never calls OPNsense, so it stays cheap under load and cannot pile up
 * probes against a slow firewall.
 *
 * Status: "ok" (200) when every dependency is up; "degraded" (200) when the only problem is a
 * circuit an operator forced open; "unavailable" (503) when any dependency is down or the first
 * check has not finished ("starting").
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { FirmwareVersion } from "../Domain/Model.ts"
import type { SiteStatus } from "../Reconciler/Loop.ts"
import { recordConditions } from "../Telemetry/Metrics.ts"
import type { BreakerStatus, Ports } from "./Ports.ts"

export interface DependencyCheck {
  readonly status: "up" | "down"
  readonly latencyMs: number
  readonly error?: string | undefined
}

export interface HealthReport {
  readonly status: "starting" | "ok" | "degraded" | "unavailable"
  readonly ready: boolean
  readonly checkedAt: string | undefined
  readonly dependencies: {
    readonly opnsense: Readonly<Record<string, DependencyCheck & { readonly version?: string | undefined }>>
    readonly redis: DependencyCheck | { readonly status: "disabled" }
    readonly circuit: Readonly<Record<string, Pick<BreakerStatus, "state" | "forced">>>
  }
  /**
   * the reconcile loop per site: conditions (Ready, Reconciling, Stalled with reason), leader, last
   * results. Reported, not part of readiness: a stalled loop does not stop the server serving.
   */
  readonly reconcile?: {
    readonly enabled: boolean
    readonly mode: string
    readonly sites: Readonly<Record<string, SiteStatus>>
  } | undefined
}

export interface HealthMonitor {
  readonly current: Effect.Effect<HealthReport>
  /** run the checks now (used at start and by tests) */
  readonly refresh: Effect.Effect<HealthReport>
  /** firmware versions seen per site, for /version */
  readonly versions: Effect.Effect<Readonly<Record<string, string>>>
}

const starting: HealthReport = {
  status: "starting",
  ready: false,
  checkedAt: undefined,
  dependencies: { opnsense: {}, redis: { status: "disabled" }, circuit: {} }
}

const timed = <E>(probe: Effect.Effect<unknown, E & { readonly message: string }>, timeoutMs: number) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const outcome = yield* probe.pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(timeoutMs),
        orElse: () => Effect.fail({ message: `no answer within ${timeoutMs} ms` })
      }),
      Effect.result
    )
    const latencyMs = (yield* Clock.currentTimeMillis) - start
    return outcome._tag === "Success"
      ? { status: "up" as const, latencyMs }
      : { status: "down" as const, latencyMs, error: outcome.failure.message }
  })

const versionString = (v: FirmwareVersion): string => v.raw

export const make = (
  ports: Ports,
  options: { readonly intervalMs: number; readonly timeoutMs?: number | undefined }
): Effect.Effect<HealthMonitor, never, Scope.Scope> =>
  Effect.gen(function*() {
    const timeoutMs = options.timeoutMs ?? Math.min(5_000, options.intervalMs)
    const report = yield* Ref.make(starting)
    const seen = yield* Ref.make<Readonly<Record<string, string>>>({})

    const checkSite = (site: Ports["sites"][number]) =>
      Effect.gen(function*() {
        const check = yield* timed(site.opnsense.ping, timeoutMs)
        if (check.status === "down") return [site.name, check] as const
        const version = yield* site.opnsense.version.pipe(Effect.map(versionString), Effect.option)
        if (version._tag === "Some") {
          yield* Ref.update(seen, (s) => ({ ...s, [site.name]: version.value }))
        }
        return [site.name, { ...check, version: version._tag === "Some" ? version.value : undefined }] as const
      })

    const refresh = Effect.gen(function*() {
      const [sites, redis, breakers, loop] = yield* Effect.all([
        Effect.forEach(ports.sites, checkSite, { concurrency: "unbounded" }),
        ports.redis === undefined
          ? Effect.succeed({ status: "disabled" as const })
          : timed(ports.redis.ping, timeoutMs),
        ports.breaker === undefined ? Effect.succeed([]) : ports.breaker.status,
        ports.reconcile === undefined ? Effect.succeed([]) : ports.reconcile.sites
      ], { concurrency: "unbounded" })
      const opnsense = Object.fromEntries(sites)
      const circuit = Object.fromEntries(breakers.map((b) => [b.site, { state: b.state, forced: b.forced }]))
      // a site whose circuit an operator forced open is not probed on purpose: degraded, not down
      const forcedSites = new Set(breakers.filter((b) => b.forced && b.state !== "closed").map((b) => b.site))
      const down = sites.some(([name, c]) => c.status === "down" && !forcedSites.has(name)) ||
        redis.status === "down" || breakers.some((b) => b.state === "open" && !b.forced)
      const forced = forcedSites.size > 0
      const status: HealthReport["status"] = down ? "unavailable" : forced ? "degraded" : "ok"
      const next: HealthReport = {
        status,
        ready: status !== "unavailable",
        checkedAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
        dependencies: { opnsense, redis, circuit },
        ...(ports.reconcile === undefined ? {} : {
          reconcile: {
            enabled: ports.reconcile.enabled,
            mode: ports.reconcile.mode,
            sites: Object.fromEntries(loop.map((status) => [status.site, status]))
          }
        })
      }
      yield* Effect.forEach(loop, recordConditions, { discard: true })
      yield* Ref.set(report, next)
      return next
    }).pipe(Effect.withSpan("Health.refresh"))

    yield* refresh.pipe(
      Effect.repeat(Schedule.spaced(Duration.millis(options.intervalMs))),
      Effect.forkScoped
    )

    return { current: Ref.get(report), refresh, versions: Ref.get(seen) }
  })

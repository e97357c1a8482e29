/**
 * Readiness behind /health: every dependency (OPNsense per site, Redis, circuit per site) is checked
 * by one background fiber on an interval, and /health serves the last result. A request to
 * /health therefore never calls OPNsense, so it stays cheap under load and cannot pile up
 * probes against a slow firewall.
 *
 * Status: "ok" (200) when every dependency is up; "degraded" (200) when the only problem is a
 * circuit an operator forced open; "unavailable" (503) when any dependency is down or the first
 * check has not finished ("starting").
 *
 * The firewall's TLS certificate is checked too (its own handshake, at most once per
 * `certificateIntervalMs`): its expiry is `certificate` per site and the
 * opnsense_mcp_firewall_certificate_expiry_seconds gauge; under 30 days left it is a warning in
 * `warnings`, which does not change readiness (an expiring certificate still serves).
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { FirmwareVersion } from "../Domain/Model.ts"
import type { SiteStatus } from "../Reconciler/Loop.ts"
import { recordCertificateExpiry, recordConditions } from "../Telemetry/Metrics.ts"
import { type CertificateCheck, describeExpiry, peerCertificateExpiry } from "./Certificate.ts"
import type { BreakerStatus, Ports } from "./Ports.ts"

export interface DependencyCheck {
  readonly status: "up" | "down"
  readonly latencyMs: number
  readonly error?: string | undefined
}

/** the firewall's TLS certificate: its expiry, or why it could not be read */
export type CertificateReport = CertificateCheck | { readonly status: "unknown"; readonly error: string }

export interface SiteCheck extends DependencyCheck {
  readonly version?: string | undefined
  /** absent for a plain http:// site and while the firewall is down */
  readonly certificate?: CertificateReport | undefined
}

export interface HealthReport {
  readonly status: "starting" | "ok" | "degraded" | "unavailable"
  readonly ready: boolean
  readonly checkedAt: string | undefined
  readonly dependencies: {
    readonly opnsense: Readonly<Record<string, SiteCheck>>
    readonly redis: DependencyCheck | { readonly status: "disabled" }
    readonly circuit: Readonly<Record<string, Pick<BreakerStatus, "state" | "forced">>>
  }
  /** things to act on that do not stop the service: a firewall certificate expiring within 30 days */
  readonly warnings?: ReadonlyArray<string> | undefined
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

interface CertificateReading {
  readonly at: number
  readonly notAfter: Date | undefined
  readonly error?: string | undefined
}

const versionString = (v: FirmwareVersion): string => v.raw

export const make = (
  ports: Ports,
  options: {
    readonly intervalMs: number
    readonly timeoutMs?: number | undefined
    /** how long a certificate reading is reused (default one hour: certificates change rarely) */
    readonly certificateIntervalMs?: number | undefined
  }
): Effect.Effect<HealthMonitor, never, Scope.Scope> =>
  Effect.gen(function*() {
    const timeoutMs = options.timeoutMs ?? Math.min(5_000, options.intervalMs)
    const report = yield* Ref.make(starting)
    const seen = yield* Ref.make<Readonly<Record<string, string>>>({})
    const certificateIntervalMs = options.certificateIntervalMs ?? 3_600_000
    const certificates = yield* Ref.make<ReadonlyMap<string, CertificateReading>>(new Map())

    const checkCertificate = (site: Ports["sites"][number]) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const known = (yield* Ref.get(certificates)).get(site.name)
        const reading = known !== undefined && now - known.at < certificateIntervalMs
          ? known
          : yield* peerCertificateExpiry(site.opnsense.url, timeoutMs).pipe(
            Effect.map((notAfter): CertificateReading => ({ at: now, notAfter })),
            Effect.catch((e) => Effect.succeed<CertificateReading>({ at: now, notAfter: undefined, error: e.message })),
            Effect.tap((r) => Ref.update(certificates, (m) => new Map(m).set(site.name, r)))
          )
        if (reading.error !== undefined) return { status: "unknown" as const, error: reading.error }
        if (reading.notAfter === undefined) return undefined
        yield* recordCertificateExpiry(site.name, reading.notAfter)
        return describeExpiry(reading.notAfter, now)
      })

    const checkSite = (site: Ports["sites"][number]) =>
      Effect.gen(function*(): Effect.fn.Return<readonly [string, SiteCheck]> {
        const check = yield* timed(site.opnsense.ping, timeoutMs)
        if (check.status === "down") return [site.name, check] as const
        const version = yield* site.opnsense.version.pipe(Effect.map(versionString), Effect.option)
        if (version._tag === "Some") {
          yield* Ref.update(seen, (s) => ({ ...s, [site.name]: version.value }))
        }
        const certificate = yield* checkCertificate(site)
        const result: SiteCheck = {
          ...check,
          version: version._tag === "Some" ? version.value : undefined,
          ...(certificate === undefined ? {} : { certificate })
        }
        return [site.name, result] as const
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
      const warnings = sites.flatMap(([name, c]) => {
        const cert = c.status === "up" ? c.certificate : undefined
        return cert === undefined || cert.status === "ok" || cert.status === "unknown"
          ? []
          : [
            `the TLS certificate of site ${name} ${
              cert.status === "expired" ? "has expired" : `expires in ${cert.daysLeft} day(s)`
            } (${cert.notAfter}): renew it on the firewall (System > Trust > Certificates)`
          ]
      })
      const next: HealthReport = {
        status,
        ...(warnings.length === 0 ? {} : { warnings }),
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

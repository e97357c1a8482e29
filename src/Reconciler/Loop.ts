/**
 * The reconcile loop that runs inside `serve` (RECONCILE_INTERVAL set), and the ReconcileStatus
 * service that /health, MCP `opnsense_status` and /metrics read.
 *
 * Per site, one fiber: campaign for leadership (Leader: Redis across instances, or in-process);
 * while leader, every interval run one cycle:
 *
 *   observe  drift report only: Ready when there is no drift
 *   enforce  plan + apply through the SafeReconciler (apply lock, journal, guard, verify/revert)
 *
 * A failing cycle is retried with exponential backoff (interval × 2^failures, capped); a plan the
 * lockout guard blocks stalls the site until the desired state changes (it is retried at the
 * capped backoff, never overridden). Conditions follow Flux: Ready, Reconciling, Stalled with a
 * reason, plus the last applied and attempted plan and the last five results. Sites can be
 * suspended and resumed at run time.
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type { ApplyReport } from "../Domain/Reports.ts"
import { layerConfig as leaderLayerConfig, Leader } from "../Safety/Leader.ts"
import { SafeReconciler, type SafeReconcilerShape } from "../Safety/SafeReconciler.ts"
import { type ReconcileResult, recordReconcile } from "../Telemetry/Metrics.ts"

export const ReconcileMode = Schema.Literals(["observe", "enforce"])
export type ReconcileMode = typeof ReconcileMode.Type

export const Condition = Schema.Struct({
  type: Schema.Literals(["Ready", "Reconciling", "Stalled"]),
  status: Schema.Boolean,
  /** CamelCase cause: Reconciled, Drift, Applied, ApplyFailed, LockoutRisk, Locked, Standby, Suspended, ... */
  reason: Schema.String,
  message: Schema.String,
  lastTransitionTime: Schema.String
})
export type Condition = typeof Condition.Type

export const CycleResult = Schema.Struct({
  at: Schema.String,
  durationMs: Schema.Number,
  result: Schema.Literals(["ok", "changes", "drift", "applied", "failed", "refused", "stale"]),
  planId: Schema.optional(Schema.String),
  message: Schema.String
})
export type CycleResult = typeof CycleResult.Type

export const SiteStatus = Schema.Struct({
  site: Schema.String,
  mode: ReconcileMode,
  /** this instance reconciles the site (false: another instance leads, or none yet) */
  leader: Schema.Boolean,
  leaderInstance: Schema.optional(Schema.String),
  suspended: Schema.Boolean,
  conditions: Schema.Array(Condition),
  /** planId of the last plan applied by the loop */
  lastAppliedRevision: Schema.optional(Schema.String),
  /** planId of the last plan the loop tried to apply */
  lastAttemptedRevision: Schema.optional(Schema.String),
  /** newest last, at most five */
  lastResults: Schema.Array(CycleResult),
  consecutiveFailures: Schema.Number,
  nextRunAt: Schema.optional(Schema.String)
})
export type SiteStatus = typeof SiteStatus.Type

export interface ReconcileStatusShape {
  /** false when RECONCILE_INTERVAL is unset: no loop runs */
  readonly enabled: boolean
  readonly mode: ReconcileMode
  readonly intervalMs: number | undefined
  readonly instance: string | undefined
  readonly sites: Effect.Effect<ReadonlyArray<SiteStatus>>
  readonly site: (name: string) => Effect.Effect<SiteStatus | undefined>
  /** stop reconciling a site (true when the site is known) */
  readonly suspend: (name: string) => Effect.Effect<boolean>
  readonly resume: (name: string) => Effect.Effect<boolean>
}

export class ReconcileStatus
  extends Context.Service<ReconcileStatus, ReconcileStatusShape>()("opnsense-mcp/ReconcileStatus")
{}

export interface LoopOptions {
  readonly intervalMs: number
  readonly mode: ReconcileMode
  /** sites to reconcile (default: every site of the desired state) */
  readonly sites?: ReadonlyArray<string> | undefined
  /** cap of the failure backoff (default 8 × interval) */
  readonly maxBackoffMs?: number | undefined
  /** actor recorded in the audit log (default "reconcile-loop@<instance>") */
  readonly actor?: string | undefined
}

/** "30s", "5m", "1h", "500ms", "90" (seconds) → milliseconds; undefined when unparsable. */
export const parseInterval = (text: string): number | undefined => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text)
  if (m === null || m[1] === undefined) return undefined
  const unit = (m[2] ?? "s").toLowerCase()
  const ms = Number(m[1]) * (unit === "ms" ? 1 : unit === "s" ? 1_000 : unit === "m" ? 60_000 : 3_600_000)
  return ms > 0 ? ms : undefined
}

/** Delay before the next cycle after `failures` consecutive failures. */
export const nextDelay = (intervalMs: number, failures: number, maxBackoffMs: number): number =>
  failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** failures)

const iso = (ms: number) => new Date(ms).toISOString()

interface Outcome {
  readonly result: CycleResult["result"]
  readonly message: string
  readonly planId?: string | undefined
  readonly applied?: boolean
  /** counts towards the backoff */
  readonly failed: boolean
  readonly ready: { readonly status: boolean; readonly reason: string }
  readonly stalled?: { readonly reason: string } | undefined
}

const fromApply = (report: ApplyReport): Outcome =>
  report.result === "nothing-to-do"
    ? {
      result: "ok",
      message: report.message,
      planId: report.planId,
      failed: false,
      ready: { status: true, reason: "Reconciled" }
    }
    : report.result === "applied"
    ? {
      result: "applied",
      message: report.message,
      planId: report.planId,
      applied: true,
      failed: false,
      ready: { status: true, reason: "Applied" }
    }
    : {
      result: "failed",
      message: report.message,
      planId: report.planId,
      failed: true,
      ready: { status: false, reason: report.safety?.revert !== undefined ? "Reverted" : "ApplyFailed" },
      stalled: { reason: report.safety?.revert !== undefined ? "Reverted" : "ApplyFailed" }
    }

const cycle = (
  reconciler: SafeReconcilerShape,
  site: string,
  mode: ReconcileMode,
  actor: string
): Effect.Effect<Outcome> => {
  const run: Effect.Effect<Outcome, { readonly _tag: string; readonly message: string }> = mode === "observe"
    ? Effect.map(reconciler.drift({ site }), (d): Outcome => {
      if (d.stale === true) {
        // the breaker is open and the report is of the last snapshot read: neither drift nor its absence is known
        return {
          result: "stale",
          message: `the firewall could not be read; drift is unknown (last read ${d.checkedAt})`,
          failed: true,
          ready: { status: false, reason: "Stale" },
          stalled: { reason: "Stale" }
        }
      }
      const count = d.drifted.length + d.missing.length + d.unmanaged.filter((u) => u.appeared).length
      return d.hasDrift
        ? {
          result: "drift",
          message: `${count} object(s) drifted from the desired state`,
          failed: false,
          ready: { status: false, reason: "Drift" }
        }
        : { result: "ok", message: "no drift", failed: false, ready: { status: true, reason: "Reconciled" } }
    })
    : Effect.map(reconciler.planAndApply({ site, approve: true, actor }), fromApply)
  return run.pipe(
    Effect.catch((e): Effect.Effect<Outcome> =>
      Effect.succeed(
        e._tag === "PlanBlocked"
          ? {
            result: "refused",
            message: e.message,
            failed: true,
            ready: { status: false, reason: "LockoutRisk" },
            stalled: { reason: "LockoutRisk" }
          }
          : e._tag === "LockHeld"
          // another writer (a CLI apply) holds the firewall: try again next interval, not a failure
          ? { result: "refused", message: e.message, failed: false, ready: { status: false, reason: "Locked" } }
          : {
            result: "failed",
            message: e.message,
            failed: true,
            ready: { status: false, reason: e._tag },
            stalled: { reason: e._tag }
          }
      )
    ),
    Effect.withSpan("ReconcileLoop.cycle", { attributes: { site, mode } })
  )
}

const setCondition = (
  conditions: ReadonlyArray<Condition>,
  next: Omit<Condition, "lastTransitionTime">,
  now: string
): ReadonlyArray<Condition> => {
  const previous = conditions.find((c) => c.type === next.type)
  const changed = previous === undefined || previous.status !== next.status || previous.reason !== next.reason
  const updated: Condition = { ...next, lastTransitionTime: changed ? now : previous.lastTransitionTime }
  return [...conditions.filter((c) => c.type !== next.type), updated].sort((a, b) => a.type.localeCompare(b.type))
}

export const make = (options: LoopOptions) =>
  Effect.gen(function*() {
    const reconciler = yield* SafeReconciler
    const leader = yield* Leader
    const statuses = yield* Ref.make(new Map<string, SiteStatus>())
    const maxBackoffMs = options.maxBackoffMs ?? options.intervalMs * 8
    const pollMs = Math.max(10, Math.min(1_000, Math.floor(options.intervalMs / 10)))
    const actor = options.actor ?? `reconcile-loop@${leader.instance}`

    const update = (site: string, f: (s: SiteStatus) => SiteStatus) =>
      Ref.update(statuses, (m) => {
        const current = m.get(site)
        return current === undefined ? m : new Map(m).set(site, f(current))
      })

    const runSite = (site: string) =>
      Effect.gen(function*() {
        const start = iso(yield* Clock.currentTimeMillis)
        yield* Ref.update(statuses, (m) =>
          new Map(m).set(site, {
            site,
            mode: options.mode,
            leader: false,
            suspended: false,
            lastResults: [],
            consecutiveFailures: 0,
            conditions: [{
              type: "Ready",
              status: false,
              reason: "Starting",
              message: "no cycle has run yet",
              lastTransitionTime: start
            }]
          }))
        const candidacy = yield* leader.campaign(site)
        let failures = 0
        while (true) {
          const status = (yield* Ref.get(statuses)).get(site)
          const isLeader = yield* candidacy.isLeader
          const leaderInstance = yield* candidacy.leader
          yield* update(
            site,
            (s) => ({ ...s, leader: isLeader, ...(leaderInstance !== undefined ? { leaderInstance } : {}) })
          )
          if (status?.suspended === true || !isLeader) {
            yield* Effect.sleep(Duration.millis(pollMs))
            continue
          }
          const started = yield* Clock.currentTimeMillis
          yield* update(
            site,
            (s) => ({
              ...s,
              conditions: setCondition(s.conditions, {
                type: "Reconciling",
                status: true,
                reason: "Progressing",
                message: `${options.mode} cycle running`
              }, iso(started))
            })
          )
          const outcome = yield* cycle(reconciler, site, options.mode, actor)
          const finished = yield* Clock.currentTimeMillis
          failures = outcome.failed ? failures + 1 : 0
          const delay = nextDelay(options.intervalMs, failures, maxBackoffMs)
          const entry: CycleResult = {
            at: iso(started),
            durationMs: finished - started,
            result: outcome.result,
            message: outcome.message,
            ...(outcome.planId !== undefined ? { planId: outcome.planId } : {})
          }
          const now = iso(finished)
          yield* update(site, (s) => {
            let conditions = setCondition(s.conditions, {
              type: "Reconciling",
              status: false,
              reason: "Idle",
              message: `next cycle at ${iso(finished + delay)}`
            }, now)
            conditions = setCondition(conditions, {
              type: "Ready",
              status: outcome.ready.status,
              reason: outcome.ready.reason,
              message: outcome.message
            }, now)
            conditions = setCondition(
              conditions,
              outcome.stalled === undefined
                ? { type: "Stalled", status: false, reason: "None", message: "" }
                : {
                  type: "Stalled",
                  status: true,
                  reason: outcome.stalled.reason,
                  message: `${outcome.message} (failure ${failures}, retry in ${Math.round(delay / 1000)} s)`
                },
              now
            )
            return {
              ...s,
              conditions,
              consecutiveFailures: failures,
              lastResults: [...s.lastResults, entry].slice(-5),
              nextRunAt: iso(finished + delay),
              ...(options.mode === "enforce" && outcome.planId !== undefined
                ? { lastAttemptedRevision: outcome.planId }
                : {}),
              ...(outcome.applied === true && outcome.planId !== undefined
                ? { lastAppliedRevision: outcome.planId }
                : {})
            }
          })
          const recorded: ReconcileResult = outcome.result
          yield* recordReconcile({ site, operation: "loop", result: recorded, durationMs: finished - started })
          // wait for the next cycle in steps, so `leader` in the status follows the lease (another
          // instance may take the site meanwhile) instead of lagging by up to an interval
          const due = finished + delay
          for (let now = finished; now < due; now = yield* Clock.currentTimeMillis) {
            yield* Effect.sleep(Duration.millis(Math.min(pollMs, due - now)))
            const still = yield* candidacy.isLeader
            const holder = yield* candidacy.leader
            yield* update(
              site,
              (s) => ({ ...s, leader: still, ...(holder !== undefined ? { leaderInstance: holder } : {}) })
            )
          }
        }
      }).pipe(Effect.scoped)

    const sites: Effect.Effect<ReadonlyArray<string>> = options.sites !== undefined
      ? Effect.succeed(options.sites)
      : reconciler.sites.pipe(
        Effect.map((configs) => configs.map((c) => c.name)),
        Effect.tapError((e) =>
          Effect.logWarning(
            `reconcile loop: cannot read the sites (${e.message}); retrying in ${options.intervalMs} ms`
          )
        ),
        Effect.retry({ schedule: Schedule.spaced(Duration.millis(options.intervalMs)) }),
        Effect.orElseSucceed((): ReadonlyArray<string> => [])
      )
    yield* sites.pipe(
      Effect.flatMap((names) => Effect.forEach(names, runSite, { concurrency: "unbounded", discard: true })),
      Effect.forkScoped
    )

    const toggle = (suspended: boolean) => (name: string) =>
      Ref.modify(statuses, (m) => {
        const current = m.get(name)
        return current === undefined
          ? [false, m] as const
          : [true, new Map(m).set(name, { ...current, suspended })] as const
      })

    return ReconcileStatus.of({
      enabled: true,
      mode: options.mode,
      intervalMs: options.intervalMs,
      instance: leader.instance,
      sites: Effect.map(Ref.get(statuses), (m) => [...m.values()].sort((a, b) => a.site.localeCompare(b.site))),
      site: (name) => Effect.map(Ref.get(statuses), (m) => m.get(name)),
      suspend: toggle(true),
      resume: toggle(false)
    })
  })

/** The loop as a layer: its fibers run in the layer's scope and stop with it. */
export const layer = (options: LoopOptions): Layer.Layer<ReconcileStatus, never, SafeReconciler | Leader> =>
  Layer.effect(ReconcileStatus, make(options))

/** No loop (RECONCILE_INTERVAL unset): the status says so. */
export const layerDisabled: Layer.Layer<ReconcileStatus> = Layer.succeed(
  ReconcileStatus,
  ReconcileStatus.of({
    enabled: false,
    mode: "observe",
    intervalMs: undefined,
    instance: undefined,
    sites: Effect.succeed([]),
    site: () => Effect.succeed(undefined),
    suspend: () => Effect.succeed(false),
    resume: () => Effect.succeed(false)
  })
)

/** RECONCILE_INTERVAL or RECONCILE_MODE has a value that means nothing. */
export class LoopConfigError extends Data.TaggedError("LoopConfigError")<{ readonly message: string }> {}

/**
 * From the environment: RECONCILE_INTERVAL (unset → disabled), RECONCILE_MODE (observe|enforce,
 * default observe), REDIS_URL (leader election across instances; in-process without it). The
 * leader lease is half the interval, so a dead leader is replaced within one interval.
 */
export const layerConfig: Layer.Layer<ReconcileStatus, Config.ConfigError | LoopConfigError, SafeReconciler> = Layer
  .unwrap(
    Effect.gen(function*() {
      const raw = yield* Config.option(Config.String("RECONCILE_INTERVAL"))
      if (Option.isNone(raw) || raw.value.trim() === "") return layerDisabled
      const intervalMs = parseInterval(raw.value)
      if (intervalMs === undefined) {
        return yield* new LoopConfigError({
          message: `RECONCILE_INTERVAL="${raw.value}" is not a duration; use e.g. 30s, 5m or 1h`
        })
      }
      const mode = yield* Config.String("RECONCILE_MODE").pipe(Config.withDefault("observe"))
      if (mode !== "observe" && mode !== "enforce") {
        return yield* new LoopConfigError({
          message: `RECONCILE_MODE="${mode}" must be observe (report drift) or enforce (apply)`
        })
      }
      return layer({ intervalMs, mode }).pipe(
        Layer.provide(leaderLayerConfig({ ttlMs: Math.max(200, Math.floor(intervalMs / 2)) }))
      )
    })
  )

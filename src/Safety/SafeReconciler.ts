/**
 * The Reconciler with the safety layer around it. Plans get the lockout guard; every apply runs,
 * in this order:
 *
 *   lock (one writer per firewall, held to the end)
 *   → recover an interrupted earlier apply from its journal
 *   → lockout guard on the plan (blocked without an override → PlanBlocked)
 *   → record the config revision (core/backup)
 *   → journal begin → the inner apply, every write journaled and fenced → verify
 *   → on failed verification: revert to the recorded revision + reconfigure what was touched
 *   → journal end (archived) → unlock
 *
 * The inner Reconciler is built with a Firewalls whose clients are journaled (JournaledClient.ts),
 * so the inner apply is unchanged. A kill at any point leaves an unfinished journal, which the next
 * apply recovers first.
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { randomBytes } from "node:crypto"
import type { SiteConfig } from "../Domain/Desired.ts"
import type { LiveSnapshot, ResourceKind } from "../Domain/Model.ts"
import type { Plan } from "../Domain/Plan.ts"
import type { ApplyReport, SafetyReport } from "../Domain/Reports.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import {
  type ApplyError,
  type ApplyOptions,
  PlanBlocked,
  Reconciler,
  type ReconcilerShape,
  selectSite,
  type SiteOptions
} from "../Reconciler.ts"
import { Firewalls, type FirewallsShape } from "../Reconciler/Firewalls.ts"
import { matchesPlan } from "../Reconciler/PlanBuilder.ts"
import { Store } from "../Store/Store.ts"
import { recordApplyRevert } from "../Telemetry/Metrics.ts"
import { judgeIntents, recheckIntents } from "./IntentGuard.ts"
import { Journal, type PendingApply } from "./Journal.ts"
import { journaled } from "./JournaledClient.ts"
import { ApplyLock, type Lease } from "./Lock.ts"
import { guardPlan, withGuard } from "./Lockout.ts"
import { recover, type RecoveryReport } from "./Recovery.ts"
import {
  DEFAULT_BACKUP_COUNT,
  RETENTION_CHECK_FROM,
  retentionOf,
  retentionWarning,
  savesOf,
  touchedBy,
  undo,
  undoFiles
} from "./Undo.ts"
import { verify } from "./Verify.ts"

/** The Reconciler (ReconcilerError includes SafetyError: LockHeld, LockError, LockLost, JournalError), plus recovery on demand. */
export interface SafeReconcilerShape extends ReconcilerShape {
  /** recover an interrupted apply of a site now (under the lock); undefined when there was none */
  readonly recover: (options?: SiteOptions) => Effect.Effect<RecoveryReport | undefined, ApplyError>
}

/** The safe reconciler; `layerAsReconciler` also provides it as `Reconciler`, so every caller gets it. */
export class SafeReconciler
  extends Context.Service<SafeReconciler, SafeReconcilerShape>()("opnsense-mcp/SafeReconciler")
{}

const kindsTouched = (report: ApplyReport): ReadonlySet<ResourceKind> =>
  new Set(report.changes.filter((c) => c.status !== "skipped").map((c) => c.kind))

/** `actor`: who applies when the caller does not say (the runtime's OPNSENSE_MCP_ACTOR / $USER). */
export interface SafeSettings {
  readonly actor: string
}

export const make = Effect.fnUntraced(
  function*<E, R>(inner: Layer.Layer<Reconciler, E, R>, settings: SafeSettings) {
    const firewalls = yield* Firewalls
    const lock = yield* ApplyLock
    const journal = yield* Journal
    const store = yield* Store
    const leases = yield* Ref.make(new Map<string, Lease>())
    // per site, the configuration and the last snapshot the inner reconciler used: a plan was built
    // from them, so the guard reuses them (and the snapshot's memoised digest) instead of loading the
    // whole desired state again for the configuration and decoding the cache's copy of the snapshot
    const seen = yield* Ref.make(new Map<string, { readonly config: SiteConfig; readonly live?: LiveSnapshot }>())
    const remembering = (config: SiteConfig, client: OpnsenseShape): OpnsenseShape => ({
      ...client,
      snapshot: (options) =>
        Effect.tap(
          client.snapshot(options),
          (live) => Ref.update(seen, (m) => new Map(m).set(config.name, { config, live }))
        )
    })
    const guarded: FirewallsShape = {
      forSite: (site) =>
        Effect.map(
          firewalls.forSite(site),
          (client) =>
            remembering(
              site,
              journaled(client, { journal, lease: (s) => Effect.map(Ref.get(leases), (m) => m.get(s)) })
            )
        )
    }
    const context = yield* Layer.build(inner.pipe(Layer.provide(Layer.succeed(Firewalls, guarded))))
    const base = Context.get(context, Reconciler)

    const kept = undoFiles(store.dataDir)

    /**
     * The running config.xml, kept in DATA_DIR for this apply (mode 0600, contents never logged);
     * undefined when it cannot be had: the apply still runs, with the revision and the snapshot.
     */
    const keepConfig = (client: OpnsenseShape, site: string, applyId: string, revision: string) =>
      client.backups.download(revision).pipe(
        Effect.flatMap((xml) => kept.keep(site, applyId, xml)),
        Effect.map((file): string | undefined => file),
        Effect.catch((e) =>
          Effect.as(
            Effect.logWarning(`site "${site}": the pre-apply config.xml was not kept in DATA_DIR: ${e.message}`),
            undefined
          )
        )
      )

    /** The plan, with a warning when its saves come near the number of revisions the firewall keeps. */
    const warnRetention = Effect.fn("SafeReconciler.warnRetention")(function*(plan: Plan, config: SiteConfig) {
      const saves = savesOf(plan.changes)
      // the config.xml is read for it (4.7 MB at 2,000 rules in the simulator): small plans skip it
      if (saves < RETENTION_CHECK_FROM) return plan
      const client = yield* firewalls.forSite(config)
      const xml = yield* client.backups.download().pipe(Effect.option)
      const retention = xml._tag === "Some"
        ? retentionOf(xml.value)
        : { count: DEFAULT_BACKUP_COUNT, configured: false }
      const warning = retentionWarning(saves, retention, xml._tag === "Some" ? "config" : "default")
      yield* Effect.annotateCurrentSpan({ site: plan.site, saves, retention: retention.count })
      return warning === undefined ? plan : { ...plan, warnings: [...plan.warnings, warning] }
    })

    const siteConfig = (name: string | undefined) => Effect.flatMap(base.sites, (sites) => selectSite(sites, name))

    /**
     * The plan with the lockout guard's blocked changes and warnings, and the snapshot it was built
     * from (`from` when given): the state before an apply of it writes anything.
     */
    const guard = Effect.fn("SafeReconciler.guard")(function*(plan: Plan, config: SiteConfig, from?: LiveSnapshot) {
      const client = yield* firewalls.forSite(config)
      const planned = from ?? (yield* Ref.get(seen)).get(config.name)?.live
      const live = planned !== undefined && matchesPlan(planned, plan)
        ? planned
        : yield* Effect.flatMap(
          client.snapshot(),
          (cached) => matchesPlan(cached, plan) ? Effect.succeed(cached) : client.snapshot({ fresh: true })
        )
      const result = guardPlan(plan, live, config, client.url)
      yield* Effect.annotateCurrentSpan({ site: plan.site, blocked: result.blocked.length })
      return { plan: recheckIntents(withGuard(plan, result), live, config), live }
    })

    const recoverPending = Effect.fnUntraced(function*(config: SiteConfig, pending: PendingApply) {
      const client = yield* firewalls.forSite(config)
      return yield* recover(client, journal, pending, {
        updateInventory: (site, created, deleted) =>
          store.updateSite(site, (s) => {
            const inventory: Record<string, Record<string, string>> = Object.fromEntries(
              Object.entries(s.inventory).map(([kind, names]) => [kind, { ...names }])
            )
            for (const c of created) (inventory[c.kind] ??= {})[c.name] = c.uuid
            for (const d of deleted) {
              const names = inventory[d.kind] ?? {}
              for (const [name, uuid] of Object.entries(names)) {
                if (uuid === d.uuid) delete names[name]
              }
            }
            return { ...s, inventory }
          })
      })
    })

    const recoverIfPending = Effect.fnUntraced(function*(config: SiteConfig) {
      const pending = yield* journal.pending(config.name)
      return pending === undefined ? undefined : yield* recoverPending(config, pending)
    })

    const plan: ReconcilerShape["plan"] = Effect.fn("SafeReconciler.plan")(function*(opts?: SiteOptions) {
      const planned = yield* base.plan(opts)
      const config = (yield* Ref.get(seen)).get(planned.site)?.config ?? (yield* siteConfig(planned.site))
      const guarded = (yield* guard(planned, config)).plan
      const checked = yield* warnRetention(guarded, config)
      const pending = yield* journal.pending(config.name).pipe(Effect.orElseSucceed(() => undefined))
      const result = pending === undefined ? checked : {
        ...checked,
        warnings: [
          ...checked.warnings,
          `an interrupted apply (${pending.begin.applyId}, started ${pending.begin.at}) was found in the journal; the next apply recovers it first`
        ]
      }
      if (result.blocked.length > 0 || result.warnings.length > planned.warnings.length) yield* store.savePlan(result)
      return result
    })

    /**
     * Everything between taking the lock and releasing it; `config` is the plan's site, read once per
     * apply. `run` is the inner apply of the checked plan; `from`, the snapshot the plan was built
     * from when it was built just now.
     */
    const execute = Effect.fnUntraced(
      function*(
        given: Plan,
        config: SiteConfig,
        opts: ApplyOptions,
        lease: Lease,
        recovered: RecoveryReport | undefined,
        inner: { readonly run: (plan: Plan) => Effect.Effect<ApplyReport, ApplyError>; readonly from?: LiveSnapshot }
      ) {
        const { plan: checked, live: before } = yield* guard(given, config, inner.from)
        if (checked.blocked.length > 0 && opts.override === undefined) {
          return yield* new PlanBlocked({
            message: `plan ${checked.planId.slice(0, 12)} would cut the management path: ${
              checked.blocked.map((b) => `${b.action} ${b.kind} ${b.name}: ${b.reason}`).join("; ")
            }. Keep a rule that passes the management path, or apply with an explicit override that gives a reason (it is audited)`,
            planId: checked.planId,
            site: checked.site
          })
        }
        if (checked.blocked.length > 0 && opts.override !== undefined) {
          yield* Effect.logWarning(
            `lockout guard overridden for site "${checked.site}", plan ${
              checked.planId.slice(0, 12)
            }: ${opts.override.reason}`
          )
        }
        // an empty plan changes nothing: an intent the firewall already breaks is drift's to report
        const intents = checked.changes.length === 0
          ? { _tag: "Clear" as const }
          : judgeIntents(checked, opts.overrideIntents)
        if (intents._tag === "Refused") {
          return yield* new PlanBlocked({ message: intents.message, planId: checked.planId, site: checked.site })
        }
        if (intents._tag === "Overridden") {
          yield* Effect.logWarning(
            `intent guard overridden for site "${checked.site}", plan ${checked.planId.slice(0, 12)}, intents ${
              intents.names.join(", ")
            }: ${intents.reason}`
          )
        }
        const safety: { -readonly [K in keyof SafetyReport]: SafetyReport[K] } = {
          lockToken: lease.token,
          ...(recovered !== undefined ? { recovered: recovered.message } : {})
        }
        if (checked.changes.length === 0) return { ...(yield* inner.run(checked)), safety }

        // the apply ends with an audit entry: a log that cannot take one refuses before the first write
        yield* store.checkAudit
        const client = yield* firewalls.forSite(config)
        const backup = yield* client.backups.current.pipe(
          Effect.catchTag("NotFoundError", () => Effect.succeed(undefined))
        )
        if (backup !== undefined) safety.revision = backup.revision
        const applyId = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`
        const kept = backup === undefined
          ? undefined
          : yield* keepConfig(client, checked.site, applyId, backup.revision)
        if (kept !== undefined) safety.undo = kept
        const open = yield* journal.begin({
          applyId,
          site: checked.site,
          planId: checked.planId,
          actor: opts.actor ?? settings.actor,
          token: lease.token,
          ...(backup !== undefined ? { revision: backup.revision } : {}),
          ...(kept !== undefined ? { undo: kept } : {}),
          intended: checked.changes.map((c) => ({
            action: c.action,
            kind: c.kind,
            name: c.name,
            ...(c.uuid !== undefined ? { uuid: c.uuid } : {})
          }))
        })
        const exit = yield* Effect.exit(inner.run(checked))
        if (Exit.isFailure(exit)) {
          // a refusal before any write closes the journal; anything after a write, an interruption
          // or a crash leaves it for recovery (which reconfigures and records what was created)
          if (Cause.hasFails(exit.cause) && !Cause.hasInterrupts(exit.cause) && (yield* open.calls) === 0) {
            yield* open.end("error")
          }
          return yield* exit
        }
        const report = exit.value
        const verification = yield* verify(client, {
          replanClean: report.verification.clean && report.result !== "failed",
          remaining: report.result === "failed"
            ? [report.message, ...report.verification.remaining]
            : report.verification.remaining,
          probes: config.probes
        })
        safety.verification = { ok: verification.ok, failures: verification.failures }
        const touched = kindsTouched(report)
        if (verification.ok || touched.size === 0) {
          yield* open.end(report.result)
          return { ...report, safety }
        }
        const steps = yield* journal.pending(checked.site).pipe(
          Effect.map((p) => p?.steps ?? []),
          Effect.orElseSucceed(() => [])
        )
        const objects = touchedBy(steps)
        const reverted = yield* open.record(
          { op: "revert", kind: "rule", names: [] },
          undo(client, {
            revision: backup?.revision,
            before,
            touched: { ...objects, kinds: new Set([...objects.kinds, ...touched]) }
          }),
          () => []
        )
        safety.revert = reverted
        yield* recordApplyRevert(checked.site, reverted.result === "reverted" ? "reverted" : "revert_failed")
        yield* open.end(reverted.result === "reverted" ? "reverted" : "revert-failed")
        const at = new Date().toISOString()
        yield* store.updateSite(
          checked.site,
          (
            s
          ) => (s.lastApplied === undefined ? s : { ...s, lastApplied: { ...s.lastApplied, result: reverted.result } })
        )
        const how = reverted.mode === "inverse"
          ? `undoing its ${reverted.writes ?? 0} write(s) one by one (${
            backup === undefined
              ? "no revision was recorded before it"
              : `revision ${backup.revision} is no longer kept by the firewall`
          })`
          : `revision ${reverted.revision}`
        yield* store.appendAudit({
          at,
          actor: report.actor,
          site: checked.site,
          action: "apply",
          planId: checked.planId,
          result: reverted.result === "reverted" ? `reverted to ${how}` : `revert to ${how} failed`,
          changes: []
        })
        return {
          ...report,
          // what was done is undone once the revision from before is back
          changes: reverted.result === "reverted"
            ? report.changes.map((c) => (c.status === "done" ? { ...c, status: "reverted" as const } : c))
            : report.changes,
          result: "failed" as const,
          safety,
          message: reverted.result === "reverted"
            ? `Verification failed after the apply (${
              verification.failures.join("; ")
            }); reverted the firewall to ${how} and reconfigured ${reverted.reconfigured.join(", ")}.`
            : `Verification failed after the apply (${
              verification.failures.join("; ")
            }) and the revert to ${how} failed: ${reverted.error ?? "unknown"}. Check the firewall now${
              kept === undefined ? "" : `; the config.xml that ran before the apply is kept in ${kept}`
            }.`
        }
      }
    )

    const underLock = <A, E2, R2>(site: string, use: (lease: Lease) => Effect.Effect<A, E2, R2>) =>
      Effect.scoped(
        Effect.gen(function*() {
          const lease = yield* lock.acquire(site)
          yield* Effect.acquireRelease(Ref.update(leases, (m) => new Map(m).set(site, lease)), () =>
            Ref.update(leases, (m) => {
              const next = new Map(m)
              next.delete(site)
              return next
            }))
          return yield* use(lease)
        })
      )

    const apply: SafeReconcilerShape["apply"] = Effect.fn("SafeReconciler.apply")(
      function*(ref: Plan | string, opts: ApplyOptions) {
        const given = typeof ref === "string" ? yield* base.loadPlan(ref) : ref
        yield* Effect.annotateCurrentSpan({ site: given.site, planId: given.planId })
        return yield* underLock(given.site, (lease) =>
          Effect.gen(function*() {
            const config = yield* siteConfig(given.site)
            const recovered = yield* recoverIfPending(config)
            // a recovery changes the firewall: the plan is then stale, and the inner apply says so
            return yield* execute(given, config, opts, lease, recovered, { run: (p) => base.apply(p, opts) })
          }))
      }
    )

    // the inner reconciler chooses the site and plans once; under the lock, after recovery, the plan
    // it made goes through the guard and the journal to its execution, without a second plan or read
    const planAndApply: SafeReconcilerShape["planAndApply"] = Effect.fn("SafeReconciler.planAndApply")(
      function*(opts: SiteOptions & ApplyOptions) {
        return yield* base.planAndApply(
          opts,
          (config, planning) =>
            underLock(config.name, (lease) =>
              Effect.gen(function*() {
                const recovered = yield* recoverIfPending(config)
                const planned = yield* planning
                return yield* execute(planned.plan, config, opts, lease, recovered, {
                  run: planned.execute,
                  from: planned.live
                })
              }))
        )
      }
    )

    const recoverNow: SafeReconcilerShape["recover"] = Effect.fn("SafeReconciler.recover")(
      function*(opts?: SiteOptions) {
        const config = yield* siteConfig(opts?.site)
        return yield* underLock(config.name, () => recoverIfPending(config))
      }
    )

    return { ...base, plan, apply, planAndApply, recover: recoverNow } satisfies SafeReconcilerShape
  }
)

/**
 * SafeReconciler around an inner Reconciler layer (src/Reconciler/Live.ts `layer`). The inner
 * layer gets journaled clients; everything else it needs comes from outside.
 */
export const layer = <E, R>(
  inner: Layer.Layer<Reconciler, E, R>,
  settings: SafeSettings
): Layer.Layer<SafeReconciler, E, Exclude<R, Firewalls> | Firewalls | ApplyLock | Journal | Store> =>
  Layer.effect(SafeReconciler, make(inner, settings))

/**
 * The same, provided both as SafeReconciler and as Reconciler: what the composition (Runtime.ts)
 * uses, so the CLI, MCP, HTTP and the loop all plan with the guard and apply safely.
 */
export const layerAsReconciler = <E, R>(
  inner: Layer.Layer<Reconciler, E, R>,
  settings: SafeSettings
): Layer.Layer<SafeReconciler | Reconciler, E, Exclude<R, Firewalls> | Firewalls | ApplyLock | Journal | Store> =>
  Layer.effectContext(
    Effect.map(make(inner, settings), (safe) => Context.make(SafeReconciler, safe).pipe(Context.add(Reconciler, safe)))
  )

/**
 * The Reconciler service implementation: wires the pure parts (Diff, Order, PlanBuilder, Drift,
 * Import, Apply) to the desired state, the firewall of each site and DATA_DIR.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { DesiredState, DesiredStateInvalid } from "../DesiredState.ts"
import { applyEdits } from "../DesiredState/Edit.ts"
import type { SourceFile } from "../DesiredState/Load.ts"
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot, ResourceKind } from "../Domain/Model.ts"
import type { Plan } from "../Domain/Plan.ts"
import type { ApplyReport } from "../Domain/Reports.ts"
import { apiOf, desiredOf, kindNames, kinds, perKind } from "../Kinds/Registry.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import type { PermissionError } from "../Opnsense/Errors.ts"
import { permissionError } from "../Opnsense/Unreadable.ts"
import { auditedOverride, withSiteIntents } from "../Policy/PlanIntents.ts"
import {
  type ApplyOptions,
  type ImportOptions,
  type PlanAndApplyHook,
  type PlannedApply,
  Reconciler,
  type ReconcilerShape,
  type SiteOptions
} from "../Reconciler.ts"
import type { Inventory } from "../Store/StateFile.ts"
import { Store } from "../Store/Store.ts"
import { type ReconcileResult, recordApplyChange, recordDrift, recordReconcile } from "../Telemetry/Metrics.ts"
import { executeSteps, planProblems } from "./Apply.ts"
import { diffSite, identityOf, type SiteIdentity } from "./Diff.ts"
import { driftReport } from "./Drift.ts"
import { ApprovalRequired, isRefusal, PlanBlocked, StalePlan, StoreError } from "./Errors.ts"
import { Firewalls } from "./Firewalls.ts"
import { adoptionEdits, type Imported, importSnapshot } from "./Import.ts"
import { type ResolvedSite, resolveSiteInterfaces } from "./Interfaces.ts"
import { compileSteps, orderChanges } from "./Order.ts"
import { buildPlan, matchesPlan } from "./PlanBuilder.ts"
import { importSite, selectSite } from "./Sites.ts"
import { refuseUnavailable, refuseUnreadable, unreadKinds } from "./Unavailable.ts"

export interface ReconcilerOptions {
  /** DESIRED_STATE_DIR */
  readonly desiredDir: string
  /** who applies when the caller does not say ($USER, or a configured actor) */
  readonly actor: string
  /** parallel rule writes (default 4) */
  readonly concurrency?: number | undefined
  /** rule creates from which upload_rules is used on 26.1+ (default 20) */
  readonly bulkThreshold?: number | undefined
}

const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

/** Record one plan/drift/apply cycle in the shared metrics (refusals and errors included). */
const measured = <A, E, R>(
  site: string | undefined,
  operation: "plan" | "drift" | "apply",
  resultOf: (a: A) => ReconcileResult
) =>
(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const exit = yield* Effect.exit(effect)
    const durationMs = (yield* Clock.currentTimeMillis) - start
    const result: ReconcileResult = exit._tag === "Success"
      ? resultOf(exit.value)
      : isRefusal(Cause.squash(exit.cause))
      ? "refused"
      : "failed"
    yield* recordReconcile({ site: site ?? "default", operation, result, durationMs })
    return yield* exit
  })

/** The inventory as the identity found it: every desired item matched to a live object. */
const inventoryOf = (identity: SiteIdentity): Inventory =>
  perKind((kind) => Object.fromEntries(identityOf(identity, kind).matches.map((m) => [m.desired.name, m.live.uuid])))

const baselineOf = (identity: SiteIdentity) =>
  perKind((kind) => identityOf(identity, kind).unmanaged.map((l) => l.uuid))

export const make = (options: ReconcilerOptions) =>
  Effect.gen(function*() {
    const desiredState = yield* DesiredState
    const firewalls = yield* Firewalls
    const store = yield* Store

    const loadSites = Effect.map(desiredState.load({ dir: options.desiredDir }), (r) => r.tree.sites)

    const declaredIn = `${options.desiredDir}/sites.yaml`
    const siteOf = (name: string | undefined) =>
      Effect.flatMap(loadSites, (sites) => selectSite(sites, name, declaredIn)).pipe(
        Effect.withSpan("Reconciler.site")
      )

    const fresh = (client: OpnsenseShape) => client.snapshot({ fresh: true })

    const planSite = Effect.fn("Reconciler.planSite")(function*(given: DesiredSite) {
      const client = yield* firewalls.forSite(given.config)
      const live = yield* fresh(client)
      // a kind the version has no API for reads as empty: plan must not create into it
      yield* refuseUnavailable(given, live)
      const state = yield* store.site(given.config.name)
      // nor into a kind the key may not read, or prune it, or drop what state.json says it manages
      yield* refuseUnreadable(given, live, state.inventory)
      const { site, warnings } = yield* withLiveInterfaces(given, live)
      const planned = buildPlan(site, live, state.inventory, yield* now)
      const built = withSiteIntents(
        warnings.length === 0
          ? planned
          : { ...planned, plan: { ...planned.plan, warnings: [...planned.plan.warnings, ...warnings] } },
        site,
        live
      )
      yield* Effect.annotateCurrentSpan({
        site: site.config.name,
        changes: built.plan.changes.length,
        planId: built.plan.planId
      })
      return { ...built, client, live, site }
    })

    const plan: ReconcilerShape["plan"] = (opts?: SiteOptions) =>
      Effect.gen(function*() {
        const site = yield* siteOf(opts?.site)
        const { plan } = yield* planSite(site)
        yield* store.savePlan(plan)
        return plan
      }).pipe(
        measured(opts?.site, "plan", (p) => (p.changes.length > 0 ? "changes" : "ok")),
        Effect.withSpan("Reconciler.plan")
      )

    const applyPlan = Effect.fn("Reconciler.apply")(function*(ref: Plan | string, opts: ApplyOptions) {
      const plan = typeof ref === "string" ? yield* store.loadPlan(ref) : ref
      yield* Effect.annotateCurrentSpan({ site: plan.site, planId: plan.planId, changes: plan.changes.length })
      if (!opts.approve) {
        return yield* new ApprovalRequired({
          message: "apply needs approval: confirm on a terminal, or pass --auto-approve"
        })
      }
      yield* refuseBlocked(plan, opts)
      const problems = planProblems(plan.changes)
      if (problems.length > 0) {
        return yield* new StoreError({
          message: `plan ${plan.planId.slice(0, 12)} cannot be applied: ${problems.join("; ")}`,
          path: typeof ref === "string" ? ref : plan.planId
        })
      }
      const site = yield* siteOf(plan.site)
      if (plan.desiredDigest !== undefined && plan.desiredDigest !== site.digest) {
        return yield* new StalePlan({
          message: `the desired state changed since plan ${plan.planId.slice(0, 12)} was made; run plan again`,
          planId: plan.planId,
          site: plan.site
        })
      }
      const client = yield* firewalls.forSite(site.config)
      const live = yield* fresh(client)
      yield* refuseUnreadBy(plan, live)
      yield* refuseUnreadable(site, live, (yield* store.site(site.config.name)).inventory)
      const resolved = yield* withLiveInterfaces(site, live)
      if (!matchesPlan(live, plan)) {
        return yield* new StalePlan({
          message: `the firewall of site "${plan.site}" changed since plan ${
            plan.planId.slice(0, 12)
          } was made; run plan again`,
          planId: plan.planId,
          site: plan.site
        })
      }
      return yield* executePlan(resolved.site, plan, client, opts)
    })
    const apply: ReconcilerShape["apply"] = (ref, opts) =>
      applyPlan(ref, opts).pipe(measured(typeof ref === "string" ? undefined : ref.site, "apply", applyResult))

    const executePlan = Effect.fnUntraced(
      function*(site: DesiredSite, plan: Plan, client: OpnsenseShape, opts: ApplyOptions) {
        if (plan.destroysAll === true && opts.allowDestroy !== true) {
          return yield* new PlanBlocked({
            message: `plan ${
              plan.planId.slice(0, 12)
            } deletes every object site "${plan.site}" manages and keeps none; check that the desired-state directory is the right one, or apply with --allow-destroy if that is what you want`,
            planId: plan.planId,
            site: plan.site
          })
        }
        const actor = opts.actor ?? options.actor
        const startedAt = (yield* now).toISOString()
        const override = auditedOverride(plan, opts)
        if (plan.changes.length === 0) {
          const report: ApplyReport = {
            site: plan.site,
            planId: plan.planId,
            actor,
            startedAt,
            finishedAt: startedAt,
            result: "nothing-to-do",
            changes: [],
            reconfigured: [],
            verification: { clean: true, remaining: [] },
            message: "Nothing to do: the firewall matches the desired state."
          }
          return report
        }
        const offers = yield* Effect.forEach(kinds, (kind) => {
          const bulk = apiOf(client, kind).bulk
          return bulk === undefined
            ? Effect.succeed(undefined)
            : Effect.map(bulk.offer, (offer) => [kind.name, offer] as const)
        })
        const executed = yield* executeSteps(client, compileSteps(plan.changes), {
          concurrency: options.concurrency ?? 4,
          bulkThreshold: options.bulkThreshold ?? 20,
          offers: Object.fromEntries(offers.filter((o) => o !== undefined))
        })

        // verify: re-read and re-plan; the identity found also becomes the inventory
        const state = yield* store.site(site.config.name)
        const after = yield* Effect.result(fresh(client))
        let remaining: ReadonlyArray<string> = ["the firewall could not be re-read to verify the apply"]
        let identity: SiteIdentity | undefined
        if (after._tag === "Success") {
          // the changes of a re-plan, without the plan document (its digest is of no use here),
          // with the site resolved against the firewall as it is now (a VLAN an assignment names
          // has its device now) and what this apply wrote recorded (a kind without an ownership
          // marker, such as an interface assignment, is known as ours only by that record)
          const replan = diffSite(
            resolveSiteInterfaces(site, after.success).site,
            after.success,
            mergeOutcomes(state.inventory, executed.outcomes)
          )
          identity = replan.identity
          remaining = orderChanges(replan.changes).map((c) =>
            `${c.action === "create" ? "+" : c.action === "update" ? "~" : "-"} ${c.kind} ${c.name}${
              c.diff === undefined ? "" : `: ${c.diff.map((d) => d.path).join(", ")}`
            }`
          )
        }
        const failed = executed.failed || after._tag === "Failure"
        const result = failed ? "failed" : "applied"
        const finishedAt = (yield* now).toISOString()
        // kinds the key could not read keep what state.json held: the identity saw none of them
        const unread = after._tag === "Success" ? unreadKinds(after.success) : []
        yield* store.updateSite(site.config.name, (s) => ({
          ...s,
          inventory: identity === undefined
            ? mergeOutcomes(s.inventory, executed.outcomes)
            : keeping(inventoryOf(identity), s.inventory, unread),
          ...(identity === undefined
            ? {}
            : { unmanagedBaseline: keeping(baselineOf(identity), s.unmanagedBaseline ?? {}, unread) }),
          lastApplied: { planId: plan.planId, desiredDigest: site.digest, at: finishedAt, actor, result }
        }))
        yield* store.appendAudit({
          at: finishedAt,
          actor,
          site: plan.site,
          action: "apply",
          planId: plan.planId,
          result,
          changes: executed.outcomes.map((o) => ({
            action: o.action,
            kind: o.kind,
            name: o.name,
            status: o.status,
            ...(o.uuid === undefined ? {} : { uuid: o.uuid })
          })),
          ...override
        })
        for (const o of executed.outcomes) {
          if (o.status !== "skipped") {
            yield* recordApplyChange({
              site: plan.site,
              kind: o.kind,
              action: o.action,
              result: o.status === "done" ? "ok" : "failed"
            })
          }
        }
        const done = executed.outcomes.filter((o) => o.status === "done").length
        const report: ApplyReport = {
          site: plan.site,
          planId: plan.planId,
          actor,
          startedAt,
          finishedAt,
          result,
          changes: executed.outcomes,
          reconfigured: executed.reconfigured,
          verification: { clean: remaining.length === 0, remaining },
          ...override,
          message: failed
            ? `Apply failed: ${done} of ${plan.changes.length} changes applied${
              executed.errors.length > 0 ? `; ${executed.errors.join("; ")}` : ""
            }. The firewall runs what it saved; run plan to see what is left.`
            : `Applied ${done} changes${
              remaining.length === 0
                ? "; the re-plan is empty"
                : `; the re-plan still shows ${remaining.length} change(s)`
            }.`
        }
        return report
      }
    )

    const planAndApply: ReconcilerShape["planAndApply"] = (opts, hook) =>
      planAndApplyRaw(opts, hook ?? executeAtOnce).pipe(measured(opts.site, "apply", applyResult))
    const planAndApplyRaw = Effect.fn("Reconciler.planAndApply")(
      function*(opts: SiteOptions & ApplyOptions, hook: PlanAndApplyHook) {
        const site = yield* siteOf(opts.site)
        const planned = Effect.gen(function*() {
          const { client, live, plan, site: resolved } = yield* planSite(site)
          yield* store.savePlan(plan)
          if (!opts.approve) {
            return yield* new ApprovalRequired({
              message: "apply needs approval: confirm on a terminal, or pass --auto-approve"
            })
          }
          const execute = (checked: Plan) =>
            Effect.andThen(refuseBlocked(checked, opts), executePlan(resolved, checked, client, opts))
          return { plan, live, execute } satisfies PlannedApply
        })
        return yield* hook(site.config, planned)
      }
    )

    const drift: ReconcilerShape["drift"] = (opts?: SiteOptions) =>
      Effect.gen(function*() {
        const given = yield* siteOf(opts?.site)
        const client = yield* firewalls.forSite(given.config)
        const live = yield* fresh(client)
        const { site } = yield* withLiveInterfaces(given, live)
        const compared = driftReport(site, live, yield* store.site(site.config.name), yield* now)
        const report = live.stale ? { ...compared, checkedAt: live.fetchedAt, stale: true } : compared
        for (const kind of kindNames) {
          const count = report.drifted.filter((d) => d.kind === kind).length +
            report.missing.filter((m) => m.kind === kind).length
          yield* recordDrift(report.site, kind, count)
        }
        return report
      }).pipe(measured(opts?.site, "drift", (r) => (r.hasDrift ? "drift" : "ok")), Effect.withSpan("Reconciler.drift"))

    /**
     * The site as it is in `dir`, with its files relative to the site folder, when it holds items;
     * undefined when it holds none (or the folder does not exist yet): a fresh import then.
     */
    const existingSite = Effect.fn("Reconciler.existingSite")(function*(dir: string, name: string) {
      const { issues, tree } = yield* desiredState.validate({ dir, site: name })
      const site = tree?.sites[0]
      if (site === undefined) {
        const errors = issues.filter((i) => i.severity === "error")
        if (errors.every((i) => i.code === "dir-not-found" || i.code === "unknown-site")) return undefined
        return yield* new DesiredStateInvalid({
          message: `the desired state in ${dir} has ${errors.length} error(s), so it is unclear what it already ` +
            `holds; fix them before importing into it (first: ${errors[0]?.file ?? ""}:${errors[0]?.line ?? 0}: ${
              errors[0]?.message ?? ""
            })`,
          issues
        })
      }
      if (kinds.every((kind) => desiredOf(site, kind).length === 0)) return undefined
      const read = (yield* desiredState.sources({ dir, site: name })).sites[0]
      const prefix = site.config.path === "." ? "" : `${site.config.path}/`
      const files = (read?.files ?? []).map((f) => ({ path: f.path.slice(prefix.length), text: f.text }))
      return { site, files }
    })

    const importLive: ReconcilerShape["importLive"] = Effect.fn("Reconciler.importLive")(
      function*(opts?: ImportOptions) {
        const config = yield* importSite(
          Effect.map(loadSites, (sites) => sites.map((s) => s.config)),
          opts?.site,
          declaredIn
        )
        const client = yield* firewalls.forSite(config)
        const live = yield* fresh(client)
        const wanted = opts?.kinds ?? kindNames
        const existing = opts?.into === undefined ? undefined : yield* existingSite(opts.into, config.name)
        const imported = existing === undefined
          ? importSnapshot(config.name, live, wanted)
          : yield* adoptInto(existing, live, (yield* store.site(config.name)).inventory, wanted)
        if (opts?.recordInventory ?? true) {
          yield* store.updateSite(config.name, (s) => ({
            ...s,
            inventory: perKind((kind) => ({ ...s.inventory[kind.name], ...imported.inventory[kind.name] }))
          }))
        }
        return imported.result
      }
    )

    const auditLog: ReconcilerShape["auditLog"] = (opts) =>
      Effect.map(store.readAudit, (entries) => (opts?.limit === undefined ? entries : entries.slice(-opts.limit)))

    return Reconciler.of({
      sites: Effect.map(loadSites, (sites) => sites.map((s) => s.config)),
      plan,
      loadPlan: store.loadPlan,
      apply,
      planAndApply,
      drift,
      importLive,
      auditLog
    })
  })

/**
 * The site with its rules' interfaces named by identifier, as the firewall knows them; a name that
 * is no interface of the firewall, or an assignment the firewall's version cannot make, fails the
 * plan here, with the YAML line, instead of the apply.
 */
const withLiveInterfaces = (
  site: DesiredSite,
  live: LiveSnapshot
): Effect.Effect<ResolvedSite, DesiredStateInvalid> => {
  const resolved = resolveSiteInterfaces(site, live)
  if (resolved.errors.length === 0) return Effect.succeed(resolved)
  return Effect.fail(
    new DesiredStateInvalid({
      message: `site "${site.config.name}": ${resolved.errors.length} interface problem(s) on the firewall: ${
        resolved.errors.map((e) =>
          `${e.file}:${e.line}:${e.column}: ${e.kind ?? "rule"} "${e.name ?? ""}": ${e.message}`
        )
          .join("; ")
      }`,
      issues: resolved.errors
    })
  )
}

/**
 * Import into a site that already holds items: only what it lacks, added to its files by the
 * desired state's editor; `files` are the changed files, whole.
 */
const adoptInto = (
  existing: { readonly site: DesiredSite; readonly files: ReadonlyArray<SourceFile> },
  live: LiveSnapshot,
  inventory: Inventory,
  wanted: ReadonlyArray<ResourceKind>
): Effect.Effect<Imported, DesiredStateInvalid> =>
  Effect.gen(function*() {
    // rule interfaces as the plan compares them (descriptions resolved to identifiers)
    const site = resolveSiteInterfaces(existing.site, live).site
    const adoption = adoptionEdits(site, live, inventory, wanted)
    const edited = yield* applyEdits(existing.files, adoption.edits).pipe(
      Effect.mapError((e) =>
        new DesiredStateInvalid({ message: `the imported objects could not be added: ${e.message}`, issues: [] })
      )
    )
    const changed = new Set(edited.changed)
    const count = (kind: ResourceKind) => Object.keys(adoption.inventory[kind] ?? {}).length
    return {
      inventory: adoption.inventory,
      result: {
        site: site.config.name,
        files: edited.files.filter((f) => changed.has(f.path)).map((f) => ({ path: f.path, content: f.text })),
        counts: perKind((kind) => count(kind.name)),
        skipped: adoption.skipped
      }
    }
  })

/** A plan with blocked changes is applied only with an override (its reason goes to the audit log). */
const refuseBlocked = (plan: Plan, opts: ApplyOptions): Effect.Effect<void, PlanBlocked> =>
  plan.blocked.length === 0 || opts.override !== undefined
    ? Effect.void
    : Effect.fail(
      new PlanBlocked({
        message: `plan ${plan.planId.slice(0, 12)} has ${plan.blocked.length} blocked change(s) (${
          plan.blocked.map((b) => `${b.kind} ${b.name}: ${b.reason}`).join("; ")
        }); apply refuses without an explicit override`,
        planId: plan.planId,
        site: plan.site
      })
    )

/**
 * A saved plan is applied only with a key that reads at least what the plan's key read: a kind
 * the plan compared but this key may not read cannot be checked for changes since the plan.
 */
const refuseUnreadBy = (plan: Plan, live: LiveSnapshot): Effect.Effect<void, PermissionError> => {
  const read = new Set(plan.unread ?? [])
  const entry = (live.unreadable ?? []).find((u) => !read.has(u.kind))
  return entry === undefined ? Effect.void : Effect.fail(
    permissionError(
      plan.site,
      entry,
      `plan ${plan.planId.slice(0, 12)} was made with a key that read them, so apply must read them to check ` +
        "the firewall did not change since"
    )
  )
}

/** `next` per kind, except the kinds in `unread`, which keep what `previous` held. */
const keeping = <A>(
  next: Readonly<Record<string, A>>,
  previous: Readonly<Record<string, A>>,
  unread: ReadonlyArray<string>
): Record<string, A> => ({
  ...next,
  ...Object.fromEntries(unread.flatMap((kind) => previous[kind] === undefined ? [] : [[kind, previous[kind]]]))
})

/** Without a layer around the reconciler: plan, then execute that plan. */
const executeAtOnce: PlanAndApplyHook = (_site, planned) =>
  Effect.flatMap(planned, ({ execute, plan }) => execute(plan))

const applyResult = (
  r: ApplyReport
): ReconcileResult => (r.result === "failed" ? "failed" : r.result === "applied" ? "applied" : "ok")

/** Created uuids recorded even when the firewall could not be re-read after the apply. */
const mergeOutcomes = (inventory: Inventory, outcomes: ApplyReport["changes"]): Inventory => {
  const next: Record<string, Record<string, string>> = perKind((kind) => ({ ...inventory[kind.name] }))
  for (const o of outcomes) {
    if (o.status !== "done") continue
    const own = (next[o.kind] ??= {})
    if (o.action === "delete") delete own[o.name]
    else if (o.uuid !== undefined) own[o.name] = o.uuid
  }
  return next
}

export const layer = (options: ReconcilerOptions): Layer.Layer<Reconciler, never, DesiredState | Firewalls | Store> =>
  Layer.effect(Reconciler, make(options))

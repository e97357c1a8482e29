/**
 * The reconciler as a service: diff the desired state against the live firewall, plan, apply,
 * report drift and import. The CLI, the MCP server, the HTTP ops server and the reconcile loop
 * all call this; it knows nothing of how it is invoked.
 *
 * Parts live in Reconciler/: Identity (desired ↔ live matching), Diff, Order and Sequence (step
 * order, rule sequences), PlanBuilder (planId, digests), Render (the one renderer for people),
 * Apply (explicit steps executed one by one), Drift, Import.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { DesiredStateInvalid } from "./DesiredState.ts"
import type { SiteConfig } from "./Domain/Desired.ts"
import type { LiveSnapshot, ResourceKind } from "./Domain/Model.ts"
import type { Plan } from "./Domain/Plan.ts"
import type { ApplyReport, AuditEntry, DriftReport, ImportResult } from "./Domain/Reports.ts"
import type { OpnsenseError } from "./Opnsense/Errors.ts"
import type {
  ApprovalRequired,
  PlanBlocked,
  PlanNotFound,
  SiteNotFound,
  StalePlan,
  StoreError
} from "./Reconciler/Errors.ts"
import type { SafetyError } from "./Safety/Errors.ts"

export * from "./Reconciler/Errors.ts"
export { Firewalls, type FirewallsShape } from "./Reconciler/Firewalls.ts"
export { selectSite } from "./Reconciler/Sites.ts"

export interface SiteOptions {
  /** site name; undefined → the only site ("default" without sites.yaml) */
  readonly site?: string | undefined
}

export interface ApplyOptions {
  /** must be true: the caller has confirmed (TTY prompt, --auto-approve, MCP confirmation) */
  readonly approve: boolean
  /** apply a plan with blocked changes anyway; the reason is logged in the audit log */
  readonly override?: { readonly reason: string } | undefined
  /** apply a plan that violates these intents (by name) anyway; the reason is logged in the audit log */
  readonly overrideIntents?: { readonly names: ReadonlyArray<string>; readonly reason: string } | undefined
  /** who applies; default $USER, or the configured actor */
  readonly actor?: string | undefined
  /** apply a plan that deletes every managed object (Plan.destroysAll); refused without it */
  readonly allowDestroy?: boolean | undefined
}

export interface ImportOptions extends SiteOptions {
  /** only these kinds (all when undefined) */
  readonly kinds?: ReadonlyArray<ResourceKind> | undefined
  /**
   * record the imported objects in state.json's inventory so the next plan is empty without
   * writing to the firewall (default true; MCP `import_live` may pass false to write git only)
   */
  readonly recordInventory?: boolean | undefined
  /**
   * the desired-state directory the YAML goes into. When its site already holds items, only the
   * live objects none of them claims are imported, as edits of its files (existing items,
   * comments and formatting stay; rules next to their live neighbours) and `files` holds the
   * changed files whole. Without it, or when the site is empty: fresh files for every object.
   */
  readonly into?: string | undefined
}

export type ReconcilerError =
  | OpnsenseError
  | DesiredStateInvalid
  | SiteNotFound
  | StoreError
  | SafetyError

/** Why an apply did not happen: everything `apply` and `planAndApply` can fail with. */
export type ApplyError = ReconcilerError | PlanNotFound | StalePlan | PlanBlocked | ApprovalRequired

/** A plan just made for plan-and-apply, and the way to execute it. */
export interface PlannedApply {
  readonly plan: Plan
  /** the snapshot the plan was built from */
  readonly live: LiveSnapshot
  /**
   * execute this plan (or the same plan with more blocked changes or warnings) on the client that
   * was read: no second read first, since the plan is only moments old. Refuses blocked changes
   * without an override.
   */
  readonly execute: (plan: Plan) => Effect.Effect<ApplyReport, ReconcilerError | PlanBlocked>
}

/**
 * A layer around the reconciler (the safety layer) taking part in plan-and-apply without planning
 * again: called once the site is chosen, with the planning still to run (a fresh read, the plan
 * stored, approval checked), so it can take a lock before planning and check the plan before
 * executing it.
 */
export type PlanAndApplyHook = (
  site: SiteConfig,
  planned: Effect.Effect<PlannedApply, ReconcilerError | ApprovalRequired>
) => Effect.Effect<ApplyReport, ApplyError>

export interface ReconcilerShape {
  /** the sites of the desired state (one, "default", without sites.yaml) */
  readonly sites: Effect.Effect<ReadonlyArray<SiteConfig>, DesiredStateInvalid>
  /** diff desired against a fresh live snapshot; the plan is stored in DATA_DIR/plans/<planId>.json */
  readonly plan: (options?: SiteOptions) => Effect.Effect<Plan, ReconcilerError>
  /** a stored plan by planId, or a plan JSON file path */
  readonly loadPlan: (ref: string) => Effect.Effect<Plan, PlanNotFound | StoreError>
  /**
   * apply a plan (a Plan, a planId, or a plan file path). Refuses (StalePlan) when the live
   * firewall or the desired state moved since the plan was made, PlanBlocked without an override,
   * ApprovalRequired without approval. A failed write is not an error: the report says
   * result "failed" and what happened to each change.
   */
  readonly apply: (plan: Plan | string, options: ApplyOptions) => Effect.Effect<ApplyReport, ApplyError>
  /**
   * plan now and apply it in one go (apply without --plan): the desired state is loaded once and
   * the firewall read once before the writes (and once after, to verify). `hook` is for a layer
   * around this reconciler; a reconciler that is itself such a layer takes none.
   */
  readonly planAndApply: (
    options: SiteOptions & ApplyOptions,
    hook?: PlanAndApplyHook
  ) => Effect.Effect<ApplyReport, ApplyError>
  /** managed objects changed outside git, and unmanaged objects that appeared */
  readonly drift: (options?: SiteOptions) => Effect.Effect<DriftReport, ReconcilerError>
  /** YAML for the live objects (files relative to the site folder); writing them is the caller's */
  readonly importLive: (options?: ImportOptions) => Effect.Effect<ImportResult, ReconcilerError>
  /** the newest audit entries, newest last */
  readonly auditLog: (
    options?: { readonly limit?: number | undefined }
  ) => Effect.Effect<ReadonlyArray<AuditEntry>, StoreError>
}

export class Reconciler extends Context.Service<Reconciler, ReconcilerShape>()("opnsense-mcp/Reconciler") {}

/**
 * The reconciler as a service: diff the desired state against the live firewall, plan, apply,
 * report drift and import. The CLI, the MCP server, the HTTP ops server and the reconcile loop
 * all call this; it knows nothing of how it is invoked.
 *
 * Parts live in Reconciler/: Identity (desired ↔ live matching), Diff, Order and Sequence (step
 * order, rule sequences), PlanBuilder (planId, digests), Render (the one renderer for people),
 * Apply (explicit steps executed one by one), Drift, Import.
 */
import { Context, type Effect } from "effect"
import type { DesiredStateInvalid } from "./DesiredState.ts"
import type { SiteConfig } from "./Domain/Desired.ts"
import type { ResourceKind } from "./Domain/Model.ts"
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

export interface SiteOptions {
  /** site name; undefined → the only site ("default" without sites.yaml) */
  readonly site?: string | undefined
}

export interface ApplyOptions {
  /** must be true: the caller has confirmed (TTY prompt, --auto-approve, MCP confirmation) */
  readonly approve: boolean
  /** apply a plan with blocked changes anyway; the reason is logged in the audit log */
  readonly override?: { readonly reason: string } | undefined
  /** who applies; default $USER, or the configured actor */
  readonly actor?: string | undefined
}

export interface ImportOptions extends SiteOptions {
  /** only these kinds (all when undefined) */
  readonly kinds?: ReadonlyArray<ResourceKind> | undefined
  /**
   * record the imported objects in state.json's inventory so the next plan is empty without
   * writing to the firewall (default true; MCP `import_live` may pass false to write git only)
   */
  readonly recordInventory?: boolean | undefined
}

export type ReconcilerError =
  | OpnsenseError
  | DesiredStateInvalid
  | SiteNotFound
  | StoreError
  | SafetyError

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
  readonly apply: (
    plan: Plan | string,
    options: ApplyOptions
  ) => Effect.Effect<ApplyReport, ReconcilerError | PlanNotFound | StalePlan | PlanBlocked | ApprovalRequired>
  /** plan now and apply it in one go (apply without --plan) */
  readonly planAndApply: (
    options: SiteOptions & ApplyOptions
  ) => Effect.Effect<ApplyReport, ReconcilerError | PlanNotFound | StalePlan | PlanBlocked | ApprovalRequired>
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

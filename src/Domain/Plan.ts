/**
 * The plan document. It is what `plan --json` prints, what DATA_DIR/plans stores,
 * what MCP `plan` returns as structured content and what `apply --plan` reads back.
 */
import * as Schema from "effect/Schema"
import { IntentResult } from "./Intent.ts"
import { ResourceKind } from "./Model.ts"

export const FieldDiff = Schema.Struct({
  /** dotted path into the canonical spec, e.g. "destination.port" */
  path: Schema.String,
  from: Schema.Unknown,
  to: Schema.Unknown
})
export type FieldDiff = typeof FieldDiff.Type

/** Where an object is declared in the desired state, so errors can point at the YAML line. */
export const SourceRef = Schema.Struct({
  file: Schema.String,
  line: Schema.Number,
  column: Schema.Number
})
export type SourceRef = typeof SourceRef.Type

export const ChangeAction = Schema.Literals(["create", "update", "delete"])
export type ChangeAction = typeof ChangeAction.Type

export const Change = Schema.Struct({
  action: ChangeAction,
  kind: ResourceKind,
  name: Schema.String,
  uuid: Schema.optional(Schema.String),
  /** canonical spec before the change (update, delete) */
  before: Schema.optional(Schema.Unknown),
  /** canonical spec after the change (create, update) */
  after: Schema.optional(Schema.Unknown),
  diff: Schema.optional(Schema.Array(FieldDiff)),
  /** rules only: the sequence the rule will have */
  sequence: Schema.optional(Schema.Number),
  /** why this change is in the plan when it is not obvious (prune, adopt, reorder) */
  reason: Schema.optional(Schema.String),
  source: Schema.optional(SourceRef)
})
export type Change = typeof Change.Type

export const BlockedChange = Schema.Struct({
  kind: ResourceKind,
  name: Schema.String,
  action: ChangeAction,
  reason: Schema.String
})
export type BlockedChange = typeof BlockedChange.Type

export const PlanSummary = Schema.Struct({
  create: Schema.Number,
  update: Schema.Number,
  delete: Schema.Number
})
export type PlanSummary = typeof PlanSummary.Type

export const Plan = Schema.Struct({
  /** hex digest of desired state + live snapshot + version */
  planId: Schema.String,
  site: Schema.String,
  createdAt: Schema.String,
  /** firewall version the plan was made against, e.g. "26.7.5" */
  firewallVersion: Schema.String,
  /** digest of the live snapshot the plan was made against; apply refuses when it moved */
  liveDigest: Schema.String,
  /** digest of the desired site the plan was made from (DesiredSite.digest) */
  desiredDigest: Schema.optional(Schema.String),
  changes: Schema.Array(Change),
  summary: PlanSummary,
  warnings: Schema.Array(Schema.String),
  /**
   * kinds the API key could not read (no privilege) and the plan went on without: it plans nothing
   * of them, and neither it nor apply's stale check compares them
   */
  unread: Schema.optional(Schema.Array(ResourceKind)),
  blocked: Schema.Array(BlockedChange),
  /**
   * true when the plan deletes every object the site manages and keeps none (an empty or wrong
   * desired-state directory): apply refuses it unless destroying is asked for explicitly
   */
  destroysAll: Schema.optional(Schema.Boolean),
  /**
   * the site's intents checked against the rules this plan leaves; apply refuses a plan that
   * violates one unless that intent is overridden with a reason
   */
  intents: Schema.optional(Schema.Array(IntentResult))
})
export type Plan = typeof Plan.Type

/**
 * Why the reconciler refused or could not do something. Each carries a message a user can act on;
 * the CLI maps the refusals (stale, blocked, not approved) to exit 3 and everything else to exit 1.
 */
import * as Data from "effect/Data"
import type { LockHeld } from "../Safety/Errors.ts"

/** The live firewall (or the desired state) changed since the plan was made: re-plan. */
export class StalePlan extends Data.TaggedError("StalePlan")<{
  readonly message: string
  readonly planId: string
  readonly site: string
}> {}

/** The plan has blocked changes (lockout risk) and no override was given. */
export class PlanBlocked extends Data.TaggedError("PlanBlocked")<{
  readonly message: string
  readonly planId: string
  readonly site: string
}> {}

/** Apply was asked for without approval. */
export class ApprovalRequired extends Data.TaggedError("ApprovalRequired")<{
  readonly message: string
}> {}

/** No stored plan with this id or file. */
export class PlanNotFound extends Data.TaggedError("PlanNotFound")<{
  readonly message: string
  readonly ref: string
}> {}

/** The site is not declared in desired-state/sites.yaml. */
export class SiteNotFound extends Data.TaggedError("SiteNotFound")<{
  readonly message: string
  readonly site: string
  readonly known: ReadonlyArray<string>
}> {}

/** DATA_DIR could not be read or written, or a file in it does not decode. */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly message: string
  readonly path: string
  readonly cause?: unknown
}> {}

/** Refusals: the CLI exits 3 for these (LockHeld: another apply holds the firewall, nothing was done). */
export type Refusal = StalePlan | PlanBlocked | ApprovalRequired | LockHeld

export const isRefusal = (error: unknown): error is Refusal =>
  typeof error === "object" && error !== null && "_tag" in error &&
  (error._tag === "StalePlan" || error._tag === "PlanBlocked" || error._tag === "ApprovalRequired" ||
    error._tag === "LockHeld")

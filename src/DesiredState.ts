/**
 * The desired state as a service: load and validate the YAML tree under DESIRED_STATE_DIR.
 * Implementation in DesiredState/ (schema, YAML with positions, normalisation, validation).
 */
import { Context, Data, type Effect } from "effect"
import type { DesiredTree, Issue } from "./Domain/Desired.ts"

/** The tree has errors; every one found in the whole tree is listed, not just the first. */
export class DesiredStateInvalid extends Data.TaggedError("DesiredStateInvalid")<{
  readonly message: string
  readonly issues: ReadonlyArray<Issue>
}> {}

export interface LoadOptions {
  /** DESIRED_STATE_DIR */
  readonly dir: string
  /** only this site (all sites when undefined) */
  readonly site?: string | undefined
}

export interface DesiredStateShape {
  /** fails with DesiredStateInvalid when any error-severity issue exists; warnings ride along */
  readonly load: (options: LoadOptions) => Effect.Effect<{ readonly tree: DesiredTree; readonly warnings: ReadonlyArray<Issue> }, DesiredStateInvalid>
  /** every issue (errors and warnings) without failing: for `validate` and the MCP tool */
  readonly validate: (options: LoadOptions) => Effect.Effect<{ readonly tree: DesiredTree | undefined; readonly issues: ReadonlyArray<Issue> }>
}

export class DesiredState extends Context.Service<DesiredState, DesiredStateShape>()("opnsense-mcp/DesiredState") {}

/**
 * Where the CLI takes a rule set from: the desired state of each site (default), the live firewall
 * (`--live`), or the state a saved plan would leave (`--plan FILE`: the live snapshot with the
 * plan's changes applied). Only the CLI uses this; the analysis itself is pure (Policy.ts).
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { DesiredState } from "../DesiredState.ts"
import type { SiteConfig } from "../Domain/Desired.ts"
import { Firewalls } from "../Reconciler.ts"
import { Store } from "../Store/Store.ts"
import type { PolicyInput } from "./Domain.ts"
import { fromDesired, fromLive, fromPlan, withDesiredIntents } from "./Input.ts"

export class PolicySourceError extends Data.TaggedError("PolicySourceError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export interface SourcedInput {
  readonly input: PolicyInput
  /** things the source could not represent (plan changes without a full spec) */
  readonly notes: ReadonlyArray<string>
}

const snapshotOf = (config: SiteConfig) =>
  Effect.gen(function*() {
    const client = yield* (yield* Firewalls).forSite(config)
    return yield* client.snapshot()
  })

const noSite = (dir: string, site: string | undefined) =>
  new PolicySourceError({ message: `no site${site === undefined ? "" : ` named ${site}`} in ${dir}` })

/** The desired state of each selected site: needs only the loader. */
export const desiredInputs = Effect.fn("Policy.desiredInputs")(function*(
  options: { readonly dir: string; readonly site: string | undefined }
) {
  const { tree } = yield* (yield* DesiredState).load({ dir: options.dir, site: options.site })
  yield* Effect.annotateCurrentSpan({ "policy.sites": tree.sites.length })
  if (tree.sites.length === 0) return yield* noSite(options.dir, options.site)
  return tree.sites.map((s): SourcedInput => ({ input: fromDesired(s), notes: [] }))
})

/** The live rules of each selected site, or the rules a saved plan would leave on its site. */
export const firewallInputs = Effect.fn("Policy.firewallInputs")(function*(
  options: { readonly dir: string; readonly site: string | undefined; readonly planFile: string | undefined }
) {
  const plan = options.planFile === undefined ? undefined : yield* (yield* Store).loadPlan(options.planFile)
  const site = plan?.site ?? options.site
  const { tree } = yield* (yield* DesiredState).load({ dir: options.dir, site })
  yield* Effect.annotateCurrentSpan({ "policy.sites": tree.sites.length, "policy.plan": plan !== undefined })
  if (tree.sites.length === 0) return yield* noSite(options.dir, site)
  const out: Array<SourcedInput> = []
  for (const s of tree.sites) {
    const snapshot = yield* snapshotOf(s.config)
    if (plan === undefined) {
      out.push({
        input: withDesiredIntents(fromLive(snapshot, s.config), s),
        notes: [
          ...(snapshot.stale ? ["the firewall is unreachable: these are the last cached rules"] : [])
        ]
      })
    } else {
      const { input, skipped } = fromPlan(snapshot, plan, s.config)
      out.push({ input: withDesiredIntents(input, s), notes: skipped })
    }
  }
  return out
})

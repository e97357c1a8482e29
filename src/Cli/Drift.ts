/**
 * `opnsense-mcp drift [--json]`: what changed on the firewall outside git. Exit 0 none, 2 drift,
 * 1 error.
 */
import * as Effect from "effect/Effect"
import { Reconciler } from "../Reconciler.ts"
import { renderDrift } from "../Reconciler/Render.ts"
import * as Runtime from "../Runtime.ts"
import type { DriftFlags } from "./Commands.ts"
import { colourOn, ExitCode, exitWith, optionToUndefined, out } from "./Common.ts"
import { siteNames } from "./Plan.ts"

export const run = (flags: DriftFlags) =>
  Effect.gen(function*() {
    const reconciler = yield* Reconciler
    const reports = yield* Effect.forEach(yield* siteNames(flags.site), (site) => reconciler.drift({ site }))
    if (flags.json) yield* out(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`)
    else for (const report of reports) yield* out(renderDrift(report, { colour: colourOn(process.stdout) }))
    yield* exitWith(reports.some((r) => r.hasDrift) ? ExitCode.changes : ExitCode.ok)
  }).pipe(Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) })))

/**
 * `opnsense-mcp drift [--json]`: what changed on the firewall outside git, and the intents of the
 * desired state checked against the live rules (legacy and automatic ones included). Exit 0 none,
 * 2 drift or an intent the live rules violate, 1 error.
 */
import * as Effect from "effect/Effect"
import type { IntentResult } from "../Domain/Intent.ts"
import { compile } from "../Policy.ts"
import { intentResults } from "../Policy/Intents.ts"
import { renderIntentResults } from "../Policy/Render.ts"
import { firewallInputs } from "../Policy/Source.ts"
import { Reconciler } from "../Reconciler.ts"
import { renderDrift } from "../Reconciler/Render.ts"
import * as Runtime from "../Runtime.ts"
import type { DriftFlags } from "./Commands.ts"
import { colourOn, ExitCode, exitWith, optionToUndefined, out } from "./Common.ts"
import { siteNames } from "./Plan.ts"

/** each site's intents against its live rules (the cached snapshot drift just read) */
const liveIntents = (dir: string, sites: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const results = new Map<string, ReadonlyArray<IntentResult>>()
    for (const site of sites) {
      for (const { input } of yield* firewallInputs({ dir, site, planFile: undefined })) {
        if (input.intents !== undefined) results.set(input.site, intentResults(compile(input), input.intents))
      }
    }
    return results
  })

export const run = (flags: DriftFlags) =>
  Effect.gen(function*() {
    const reconciler = yield* Reconciler
    const names = yield* siteNames(flags.site)
    const reports = yield* Effect.forEach(names, (site) => reconciler.drift({ site }))
    const { desiredDir } = yield* Runtime.settings({ dir: optionToUndefined(flags.dir) })
    const intents = yield* liveIntents(desiredDir, names)
    const withIntents = reports.map((r) => {
      const results = intents.get(r.site) ?? []
      return results.length === 0 ? r : { ...r, intents: results }
    })
    if (flags.json) yield* out(`${JSON.stringify(withIntents.length === 1 ? withIntents[0] : withIntents, null, 2)}\n`)
    else {
      for (const report of reports) {
        yield* out(
          renderDrift(report, { colour: colourOn(process.stdout) }) +
            renderIntentResults("Intents on the live rules", intents.get(report.site))
        )
      }
    }
    const broken = [...intents.values()].some((rs) => rs.some((r) => r.verdict === "violated"))
    yield* exitWith(reports.some((r) => r.hasDrift) || broken ? ExitCode.changes : ExitCode.ok)
  }).pipe(Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) })))

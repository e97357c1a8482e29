/**
 * `opnsense-mcp lint [--live | --plan FILE] [--json | --format text|json|github]`: shadowed,
 * redundant and contradicted rules, lockout risks, alias problems (docs/policy.md). Exit 0 when
 * clean (information-only findings allowed), 2 when any warning or error is found, 1 on failure.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { DesiredState } from "../DesiredState.ts"
import { lint } from "../Policy.ts"
import { countFindings, renderFindings } from "../Policy/Render.ts"
import { desiredInputs, firewallInputs } from "../Policy/Source.ts"
import * as Runtime from "../Runtime.ts"
import type { LintFlags } from "./Commands.ts"
import { colourOn, ExitCode, exitWith, optionToUndefined, out } from "./Common.ts"
import { levelOf, renderAnnotations, repoPath, resolveFormat } from "./Format.ts"
import { desiredStateDir } from "./Validate.ts"

/**
 * The rule sets the flags ask for: desired state by default (only the loader is needed), the live
 * firewall with --live, or the result of a saved plan with --plan (both need a firewall client).
 */
export const inputsFor = (
  flags: {
    readonly live: boolean
    readonly plan: Option.Option<string>
    readonly site: Option.Option<string>
    readonly dir: Option.Option<string>
  },
  dir: string
) => {
  const site = optionToUndefined(flags.site)
  if (Option.isSome(flags.plan) && flags.live) {
    return Effect.fail(new Error("--live and --plan both choose the rules to analyse; pass only one"))
  }
  if (!flags.live && Option.isNone(flags.plan)) {
    return desiredInputs({ dir, site }).pipe(Effect.provide(DesiredState.layer))
  }
  return firewallInputs({ dir, site, planFile: optionToUndefined(flags.plan) }).pipe(
    Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) }))
  )
}

export const run = (flags: LintFlags) =>
  Effect.gen(function*() {
    const format = yield* resolveFormat(flags)
    const dir = yield* desiredStateDir(flags.dir)
    const source = flags.live ? "live" : Option.isSome(flags.plan) ? "plan" : "desired"
    yield* Effect.gen(function*() {
      const inputs = yield* inputsFor(flags, dir)
      const sites = inputs.map(({ input, notes }) => {
        const findings = lint(input)
        return { site: input.site, origin: input.origin, counts: countFindings(findings), findings, notes }
      })
      const counts = sites.reduce(
        (a, s) => ({
          error: a.error + s.counts.error,
          warning: a.warning + s.counts.warning,
          info: a.info + s.counts.info
        }),
        { error: 0, warning: 0, info: 0 }
      )
      if (format === "json") yield* out(`${JSON.stringify({ counts, sites }, null, 2)}\n`)
      else if (format === "github") {
        yield* out(renderAnnotations(sites.flatMap((s) =>
          s.findings.flatMap((f) => {
            const level = levelOf(f.severity)
            return level === undefined ? [] : [{
              level,
              message: `${f.message}\n${f.hint}`,
              title: `lint: ${f.code}`,
              file: f.source === undefined ? undefined : repoPath(dir, f.source.file),
              line: f.source?.line,
              col: f.source?.column
            }]
          })
        )))
      } else {
        for (const s of sites) {
          yield* out(
            renderFindings(s.site, s.origin, s.findings, { dir, colour: colourOn(process.stdout), notes: s.notes })
          )
        }
      }
      yield* Effect.annotateCurrentSpan({ "lint.errors": counts.error, "lint.warnings": counts.warning })
      yield* exitWith(counts.error + counts.warning > 0 ? ExitCode.changes : ExitCode.ok)
    }).pipe(Effect.withSpan("Cli.lint", { attributes: { source } }))
  })

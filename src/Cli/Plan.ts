/**
 * `opnsense-mcp plan [--out FILE] [--detailed-exitcode] [--json]`: diff desired against live for
 * each site (or the one named by --site) and print the plan; exit 0, or 2 with --detailed-exitcode
 * when there are changes; 1 on error (CONTRACT §4). The plan is also stored in DATA_DIR/plans.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { writeFile } from "node:fs/promises"
import type { Plan } from "../Domain/Plan.ts"
import { Reconciler } from "../Reconciler.ts"
import { renderPlan } from "../Reconciler/Render.ts"
import * as Runtime from "../Runtime.ts"
import { ExitCode, exitWith, globalFlags, optionToUndefined } from "./Common.ts"

/** Colour only for a person at a terminal (and never with NO_COLOR). */
export const colourOn = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env["NO_COLOR"] === undefined

export const out = (text: string) => Effect.sync(() => process.stdout.write(text))
export const err = (text: string) => Effect.sync(() => process.stderr.write(text))

/** The sites a command covers: the one named by --site, or every site. */
export const siteNames = (site: Option.Option<string>) =>
  Option.isSome(site)
    ? Effect.succeed([site.value])
    : Effect.map(Reconciler.use((r) => r.sites), (sites) => sites.map((s) => s.name))

export const writeJsonFile = (file: string, value: unknown) =>
  Effect.tryPromise(() => writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 }))

export const command = Command.make(
  "plan",
  {
    ...globalFlags,
    out: Flag.String("out").pipe(Flag.withDescription("also write the plan JSON to FILE"), Flag.optional),
    detailedExitcode: Flag.Boolean("detailed-exitcode").pipe(Flag.withDefault(false))
  },
  (flags) =>
    Effect.gen(function*() {
      const reconciler = yield* Reconciler
      const plans: Array<Plan> = []
      for (const site of yield* siteNames(flags.site)) {
        const plan = yield* reconciler.plan({ site })
        plans.push(plan)
        if (!flags.json) yield* out(renderPlan(plan, { colour: colourOn(process.stdout) }))
      }
      const document = plans.length === 1 ? plans[0] : plans
      if (flags.json) yield* out(`${JSON.stringify(document, null, 2)}\n`)
      if (Option.isSome(flags.out)) {
        yield* writeJsonFile(flags.out.value, document)
        if (!flags.json) {
          yield* err(
            `plan written to ${flags.out.value}; apply it with: opnsense-mcp apply --plan ${flags.out.value}\n`
          )
        }
      }
      const changes = plans.some((p) => p.changes.length > 0)
      yield* exitWith(flags.detailedExitcode && changes ? ExitCode.changes : ExitCode.ok)
    }).pipe(Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) })))
).pipe(
  Command.withDescription(
    "diff desired against live and print the plan (exit 0, or 2 with --detailed-exitcode when there are changes)"
  )
)

/**
 * `opnsense-mcp plan [--out FILE] [--detailed-exitcode] [--json | --format F]`: diff desired
 * against live for each site (or the one named by --site) and print the plan; exit 0, or 2 with
 * --detailed-exitcode when there are changes; 1 on error. The plan is also stored in
 * DATA_DIR/plans.
 *
 * Formats: text (Render.ts), json (the plan document), markdown (a pull-request comment,
 * Markdown.ts), github (the text plan plus workflow-command annotations on the YAML lines).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { writeFile } from "node:fs/promises"
import type { Plan } from "../Domain/Plan.ts"
import { renderIntentResults } from "../Policy/Render.ts"
import { Reconciler } from "../Reconciler.ts"
import { renderPlansMarkdown } from "../Reconciler/Markdown.ts"
import { changeLines, renderPlan } from "../Reconciler/Render.ts"
import * as Runtime from "../Runtime.ts"
import type { PlanFlags } from "./Commands.ts"
import { colourOn, destroyNote, err, ExitCode, exitWith, optionToUndefined, out } from "./Common.ts"
import { type Annotation, renderAnnotations, repoPath, resolveFormat } from "./Format.ts"

/** The sites a command covers: the one named by --site, or every site. */
export const siteNames = (site: Option.Option<string>) =>
  Option.isSome(site)
    ? Effect.succeed([site.value])
    : Effect.map(Reconciler.use((r) => r.sites), (sites) => sites.map((s) => s.name))

export const writeJsonFile = (file: string, value: unknown) =>
  Effect.tryPromise(() => writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 }))

/**
 * A plan's changes as annotations on the YAML lines that cause them (notice), blocked changes as
 * errors, warnings as warnings: reviewers see what each changed line will do to the firewall.
 */
export const planAnnotations = (plan: Plan, desiredDir: string): ReadonlyArray<Annotation> => {
  const sourceOf = (kind: string, name: string) =>
    plan.changes.find((c) => c.kind === kind && c.name === name && c.source !== undefined)?.source
  const at = (source: Plan["changes"][number]["source"]) =>
    source === undefined ? {} : { file: repoPath(desiredDir, source.file), line: source.line, col: source.column }
  return [
    ...plan.blocked.map((b): Annotation => ({
      level: "error",
      title: `blocked: ${b.action} ${b.kind} ${b.name}`,
      message: `${b.reason} (site ${plan.site}; not applied without an explicit override)`,
      ...at(sourceOf(b.kind, b.name))
    })),
    ...plan.warnings.map((w): Annotation => ({ level: "warning", title: `plan: site ${plan.site}`, message: w })),
    ...(plan.intents ?? []).filter((r) => r.verdict !== "held").map((r): Annotation => ({
      level: r.verdict === "violated" ? "error" : "warning",
      title: `intent ${r.verdict}: ${r.intent.name}`,
      message: `${r.message}${r.change === undefined ? "" : `; broken by ${r.change}`} (site ${plan.site})`,
      ...(r.intent.source === undefined ? {} : {
        file: repoPath(desiredDir, r.intent.source.file),
        line: r.intent.source.line,
        col: r.intent.source.column
      })
    })),
    ...plan.changes.filter((c) => c.source !== undefined).map((c): Annotation => ({
      level: "notice",
      title: `plan: ${c.action} ${c.kind} ${c.name}`,
      // the title names the change; the body is its fields or field diffs
      message: changeLines(c, { colour: false }).slice(1).map((l) => l.trim()).join("\n") ||
        `${c.action} ${c.kind} ${c.name}`,
      ...at(c.source)
    }))
  ]
}

export const run = (flags: PlanFlags) =>
  Effect.gen(function*() {
    const format = yield* resolveFormat(flags)
    const reconciler = yield* Reconciler
    const { desiredDir } = yield* Runtime.settings({ dir: optionToUndefined(flags.dir) })
    const plans: Array<Plan> = []
    for (const site of yield* siteNames(flags.site)) {
      const plan = yield* reconciler.plan({ site })
      plans.push(plan)
      yield* destroyNote(plan, desiredDir)
      if (format === "text") {
        yield* out(
          renderPlan(plan, { colour: colourOn(process.stdout) }) + renderIntentResults("Intents", plan.intents)
        )
      }
      if (format === "github") {
        yield* out(renderPlan(plan, { colour: false }) + renderIntentResults("Intents", plan.intents))
        yield* out(renderAnnotations(planAnnotations(plan, desiredDir)))
      }
    }
    const document = plans.length === 1 ? plans[0] : plans
    if (format === "json") yield* out(`${JSON.stringify(document, null, 2)}\n`)
    if (format === "markdown") yield* out(renderPlansMarkdown(plans))
    if (Option.isSome(flags.out)) {
      yield* writeJsonFile(flags.out.value, document)
      if (format !== "json") {
        yield* err(
          `plan written to ${flags.out.value}; apply it with: opnsense-mcp apply --plan ${flags.out.value}\n`
        )
      }
    }
    const changes = plans.some((p) => p.changes.length > 0)
    yield* exitWith(flags.detailedExitcode && changes ? ExitCode.changes : ExitCode.ok)
  }).pipe(Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) })))

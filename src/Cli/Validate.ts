/**
 * `opnsense-mcp validate`: every problem in the desired state, one line each, in the
 * `file:line:col: error[code]: message` form editors and CI annotate, with a hint line beneath
 * and a summary. Exit 0 when valid (warnings allowed), 1 when any error exists.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodePath from "node:path"
import { DesiredState } from "../DesiredState.ts"
import type { DesiredTree, Issue } from "../Domain/Desired.ts"
import { desiredOf, kinds } from "../Kinds/Registry.ts"
import { validateWithLint } from "../Policy.ts"
import type { ValidateFlags } from "./Commands.ts"
import { colourOn, ExitCode, exitWith } from "./Common.ts"
import { issueAnnotations, renderAnnotations, resolveFormat } from "./Format.ts"

export const desiredStateDir = (flag: Option.Option<string>) =>
  Option.match(flag, {
    onSome: (dir) => Effect.succeed(dir),
    onNone: (): Effect.Effect<string, Config.ConfigError> =>
      Config.String("DESIRED_STATE_DIR").pipe(Config.withDefault("./desired-state"))
  })

const colours = {
  error: "\u001b[31m",
  warning: "\u001b[33m",
  info: "\u001b[36m",
  off: "",
  dim: "\u001b[2m",
  reset: "\u001b[0m"
} as const

/** Relative to the working directory when below it, so editors and CI can open the file. */
const displayPath = (path: string): string => {
  const relative = NodePath.relative(process.cwd(), path)
  return relative !== "" && !relative.startsWith("..") && !NodePath.isAbsolute(relative) ? relative : path
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** Human report: one line per issue, a hint line, a summary line. */
export const renderHuman = (
  dir: string,
  result: { readonly tree: DesiredTree | undefined; readonly issues: ReadonlyArray<Issue> },
  colour: boolean
): string => {
  const paint = (
    c: keyof typeof colours,
    text: string
  ) => (colour && colours[c] !== "" ? `${colours[c]}${text}${colours.reset}` : text)
  const lines: Array<string> = []
  for (const issue of result.issues) {
    const file = displayPath(NodePath.join(dir, issue.file))
    const item = issue.name === undefined ? "" : ` (${issue.kind ?? "item"} "${issue.name}")`
    lines.push(
      `${file}:${issue.line}:${issue.column}: ${
        paint(issue.severity, `${issue.severity}[${issue.code}]`)
      }: ${issue.message}${item}`
    )
    if (issue.hint !== undefined) lines.push(paint("dim", `  hint: ${issue.hint}`))
  }
  const errors = result.issues.filter((i) => i.severity === "error").length
  const warnings = result.issues.filter((i) => i.severity === "warning").length
  const files = new Set(result.issues.filter((i) => i.severity === "error").map((i) => i.file)).size
  if (result.tree === undefined) {
    lines.push(
      paint(
        "error",
        `✗ invalid: ${plural(errors, "error")}${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""} in ${
          plural(files, "file")
        }`
      )
    )
  } else {
    // the kinds the site holds, by noun ("4 vlans, 12 aliases, 9 rules, 1 port forward")
    const counts = result.tree.sites.map((s) => {
      const held = kinds.flatMap((k) => {
        const n = desiredOf(s, k).length
        return k.setting !== undefined || n === 0 ? [] : [`${n} ${k.noun[n === 1 ? 0 : 1].toLowerCase()}`]
      })
      return `${s.config.name}: ${held.join(", ") || "nothing"}`
    })
    lines.push(
      `✓ valid${warnings > 0 ? ` with ${plural(warnings, "warning")}` : ""} — ${counts.join("; ") || "no sites"}`
    )
  }
  return lines.join("\n")
}

/** Machine report for `--json`: stdout only. */
export const renderJson = (
  dir: string,
  result: { readonly tree: DesiredTree | undefined; readonly issues: ReadonlyArray<Issue> }
) => ({
  valid: result.tree !== undefined,
  root: dir,
  sites: (result.tree?.sites ?? []).map((s) => ({
    name: s.config.name,
    digest: s.digest,
    vlans: s.vlans.length,
    aliases: s.aliases.length,
    rules: s.rules.length,
    /** every kind by its name, the three above included */
    items: Object.fromEntries(kinds.filter((k) => k.setting === undefined).map((k) => [k.name, desiredOf(s, k).length]))
  })),
  issues: result.issues
})

export const run = ({ dir, format, json, site }: ValidateFlags) =>
  Effect.gen(function*() {
    const output = yield* resolveFormat({ json, format })
    const root = yield* desiredStateDir(dir)
    const desired = yield* DesiredState
    const result = yield* validateWithLint(desired, { dir: root, site: Option.getOrUndefined(site) })
    const text = output === "json"
      ? JSON.stringify(renderJson(root, result), null, 2)
      : output === "github"
      ? renderAnnotations(issueAnnotations(root, result.issues)) + renderHuman(root, result, false)
      : renderHuman(root, result, colourOn(process.stdout))
    yield* Effect.sync(() => process.stdout.write(`${text}\n`))
    yield* exitWith(result.tree === undefined ? ExitCode.error : ExitCode.ok)
  }).pipe(Effect.provide(DesiredState.layer))

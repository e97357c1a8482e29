/**
 * `--format text|json|markdown|github` for the commands CI runs (validate, lint, plan), and the
 * GitHub Actions workflow-command renderer that puts errors on the YAML lines of a pull request:
 *
 *   ::error file=desired-state/rules.yaml,line=12,col=5,title=validate: unknown-alias::rule "x": ...
 *
 * `--json` stays as the documented spelling of `--format json`.
 */
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodePath from "node:path"
import type { Issue } from "../Domain/Desired.ts"

export const OUTPUT_FORMATS = ["text", "json", "markdown", "github"] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** The flag, offering only the formats the command can render (others are refused by the parser). */
export const formatFlag = <const F extends ReadonlyArray<OutputFormat>>(formats: F) =>
  Flag.Literals("format", formats).pipe(
    Flag.withDescription(
      [
        "default text",
        ...(formats.includes("markdown") ? ["markdown = a pull-request comment"] : []),
        ...(formats.includes("github") ? ["github = workflow-command annotations for GitHub Actions"] : [])
      ].join("; ")
    ),
    Flag.optional
  )

/** --format wins; --json alone means json; both must agree. */
export const resolveFormat = <F extends OutputFormat>(
  flags: { readonly json: boolean; readonly format: Option.Option<F> }
): Effect.Effect<F | "json" | "text", Error> => {
  if (Option.isNone(flags.format)) return Effect.succeed(flags.json ? "json" : "text")
  if (flags.json && flags.format.value !== "json") {
    return Effect.fail(
      new Error(`--json and --format ${flags.format.value} ask for different outputs; pass only one of them`)
    )
  }
  return Effect.succeed(flags.format.value)
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

export type AnnotationLevel = "error" | "warning" | "notice"

export interface Annotation {
  readonly level: AnnotationLevel
  readonly message: string
  /** path relative to the repository root (the runner's working directory) */
  readonly file?: string | undefined
  readonly line?: number | undefined
  readonly col?: number | undefined
  readonly endLine?: number | undefined
  readonly endColumn?: number | undefined
  readonly title?: string | undefined
}

/** A command's data (after `::`): %, CR and LF are encoded so one message stays one command. */
export const escapeData = (text: string): string =>
  text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

/** A property value: as data, plus `:` and `,` that would end the value early. */
export const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C")

const positive = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n > 0

export const renderAnnotation = (a: Annotation): string => {
  const properties = [
    a.file === undefined || a.file === "" ? undefined : ["file", a.file],
    positive(a.line) ? ["line", String(a.line)] : undefined,
    positive(a.endLine) ? ["endLine", String(a.endLine)] : undefined,
    positive(a.col) ? ["col", String(a.col)] : undefined,
    positive(a.endColumn) ? ["endColumn", String(a.endColumn)] : undefined,
    a.title === undefined || a.title === "" ? undefined : ["title", a.title]
  ].filter((p): p is [string, string] => p !== undefined)
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(",")
  return `::${a.level}${props === "" ? "" : ` ${props}`}::${escapeData(a.message)}`
}

export const renderAnnotations = (annotations: ReadonlyArray<Annotation>): string =>
  annotations.map((a) => `${renderAnnotation(a)}\n`).join("")

/** Our severities as annotation levels; `off` is not reported. */
export const levelOf = (severity: "error" | "warning" | "info" | "off"): AnnotationLevel | undefined =>
  severity === "off" ? undefined : severity === "info" ? "notice" : severity

/**
 * A desired-state file as the runner names it: `dir/file` relative to the working directory (the
 * checkout root in CI), with forward slashes; absolute when it lies outside.
 */
export const repoPath = (desiredDir: string, file: string): string => {
  const absolute = NodePath.resolve(desiredDir, file)
  const relative = NodePath.relative(process.cwd(), absolute)
  const inside = relative !== "" && !relative.startsWith("..") && !NodePath.isAbsolute(relative)
  return (inside ? relative : absolute).split(NodePath.sep).join("/")
}

/** `validate` issues on their YAML lines; the hint goes on a second line of the message. */
export const issueAnnotations = (desiredDir: string, issues: ReadonlyArray<Issue>): ReadonlyArray<Annotation> =>
  issues.flatMap((issue) => {
    const level = levelOf(issue.severity)
    if (level === undefined) return []
    const item = issue.name === undefined ? "" : ` (${issue.kind ?? "item"} "${issue.name}")`
    return [{
      level,
      file: repoPath(desiredDir, issue.file),
      line: issue.line,
      col: issue.column,
      title: `validate: ${issue.code}`,
      message: `${issue.message}${item}${issue.hint === undefined ? "" : `\nhint: ${issue.hint}`}`
    }]
  })

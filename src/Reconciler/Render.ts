/**
 * The one renderer for people: plans, apply reports and drift reports as text, in the manner of
 * Terraform's plan (`+ ~ -` markers, one line per change, field-level diffs, a summary line).
 * Colour only when asked (the CLI asks on a TTY); machines read the JSON instead.
 */
import type { Change, FieldDiff, Plan } from "../Domain/Plan.ts"
import type { ApplyReport, DriftReport } from "../Domain/Reports.ts"

export interface RenderOptions {
  readonly colour: boolean
}

const ANSI = { green: "32", yellow: "33", red: "31", dim: "2", bold: "1", cyan: "36" } as const
type Colour = keyof typeof ANSI

const painter = (options: RenderOptions) => (colour: Colour, text: string): string =>
  options.colour ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text

const MARK: Record<Change["action"], { readonly sign: string; readonly colour: Colour }> = {
  create: { sign: "+", colour: "green" },
  update: { sign: "~", colour: "yellow" },
  delete: { sign: "-", colour: "red" }
}

/** A canonical value as a person reads it: strings quoted, sets in brackets, nothing as (none). */
export const formatValue = (value: unknown): string => {
  if (value === null || value === undefined) return "(none)"
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "object") return JSON.stringify(value)
  return String(value)
}

/** Leaf fields of a spec that say something (empty strings, empty sets and false flags left out). */
const interestingFields = (value: unknown, path = ""): ReadonlyArray<readonly [string, unknown]> => {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, v]) => interestingFields(v, path === "" ? key : `${path}.${key}`))
  }
  if (value === "" || value === false || (Array.isArray(value) && value.length === 0)) return []
  return [[path, value]]
}

const where = (change: Change): string =>
  change.source === undefined ? "" : `  (${change.source.file}:${change.source.line})`

const renderChange = (change: Change, paint: ReturnType<typeof painter>): ReadonlyArray<string> => {
  const mark = MARK[change.action]
  const head = `  ${paint(mark.colour, mark.sign)} ${change.kind} ${paint("bold", change.name)}${
    change.uuid === undefined ? "" : paint("dim", ` ${change.uuid}`)
  }${paint("dim", where(change))}`
  const lines = [head]
  if (change.reason !== undefined) lines.push(`      ${paint("dim", `# ${change.reason}`)}`)
  if (change.action === "create") {
    for (const [path, value] of interestingFields(change.after)) {
      if (path !== "name" || value !== change.name) lines.push(`      ${path}: ${formatValue(value)}`)
    }
    if (change.sequence !== undefined) lines.push(`      sequence: ${change.sequence}`)
  }
  if (change.action === "update") {
    for (const d of change.diff ?? []) lines.push(`      ${renderFieldDiff(d, paint)}`)
  }
  return lines
}

/** One change as `renderPlan` prints it (head line, reason, fields or field diffs); the markdown renderer reuses it. */
export const changeLines = (change: Change, options: RenderOptions): ReadonlyArray<string> =>
  renderChange(change, painter(options))

const renderFieldDiff = (d: FieldDiff, paint: ReturnType<typeof painter>): string =>
  `${d.path}: ${paint("red", formatValue(d.from))} → ${paint("green", formatValue(d.to))}`

export const summaryLine = (summary: Plan["summary"]): string =>
  `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.delete} to delete.`

export const renderPlan = (plan: Plan, options: RenderOptions): string => {
  const paint = painter(options)
  const lines = [
    `Site ${paint("bold", plan.site)} · OPNsense ${plan.firewallVersion} · plan ${plan.planId.slice(0, 12)}`,
    ""
  ]
  if (plan.changes.length === 0) {
    lines.push("No changes. The firewall matches the desired state.")
  } else {
    for (const change of plan.changes) lines.push(...renderChange(change, paint))
    lines.push("", paint("bold", summaryLine(plan.summary)))
  }
  for (const blocked of plan.blocked) {
    lines.push(paint("red", `blocked: ${blocked.action} ${blocked.kind} ${blocked.name}: ${blocked.reason}`))
  }
  for (const warning of plan.warnings) lines.push(paint("yellow", `warning: ${warning}`))
  return `${lines.join("\n")}\n`
}

export const renderApplyReport = (report: ApplyReport, options: RenderOptions): string => {
  const paint = painter(options)
  const lines: Array<string> = []
  for (const change of report.changes) {
    const status = change.status === "done"
      ? paint("green", "done")
      : change.status === "failed"
      ? paint("red", "FAILED")
      : change.status === "reverted"
      ? paint("yellow", "reverted")
      : paint("dim", "skipped")
    // a failure's message already names the YAML file:line:col of the object
    lines.push(
      `  ${MARK[change.action].sign} ${change.kind} ${change.name}: ${status}${
        change.error === undefined ? "" : ` — ${change.error}`
      }`
    )
  }
  if (report.reconfigured.length > 0) lines.push(`  reconfigured: ${report.reconfigured.join(", ")}`)
  if (!report.verification.clean) {
    lines.push(paint("yellow", "  verification: the re-plan is not empty:"))
    for (const line of report.verification.remaining) lines.push(`    ${line}`)
  }
  lines.push(paint(report.result === "failed" ? "red" : "bold", report.message))
  return `${lines.join("\n")}\n`
}

export const renderDrift = (report: DriftReport, options: RenderOptions): string => {
  const paint = painter(options)
  const lines = [
    `Site ${paint("bold", report.site)} · OPNsense ${report.firewallVersion} · checked ${report.checkedAt}`,
    ""
  ]
  for (const d of report.drifted) {
    lines.push(
      `  ${paint("yellow", "~")} ${d.kind} ${paint("bold", d.name)} ${paint("dim", d.uuid)} changed on the firewall`
    )
    for (const f of d.diff) lines.push(`      ${f.path}: desired ${formatValue(f.to)}, live ${formatValue(f.from)}`)
  }
  for (const m of report.missing) {
    lines.push(
      `  ${paint("red", "-")} ${m.kind} ${paint("bold", m.name)} ${paint("dim", m.uuid)} was deleted on the firewall`
    )
  }
  for (const u of report.unclaimed.filter((u) => u.forged)) {
    lines.push(
      `  ${paint("red", "!")} ${u.kind} ${paint("bold", u.label)} ${
        paint("dim", u.uuid)
      } carries a forged ownership marker [gitops:${u.name}]: ${u.why}; plan deletes it`
    )
  }
  for (const u of report.unclaimed.filter((u) => !u.forged)) {
    lines.push(`  ${paint("dim", "·")} ${u.kind} ${u.name} ${u.uuid} is ${u.why} (pending delete, not drift)`)
  }
  for (const p of report.pending) {
    lines.push(`  ${paint("dim", "·")} ${p.kind} ${p.name} is not created yet (pending apply, not drift)`)
  }
  const appeared = report.unmanaged.filter((u) => u.appeared)
  const known = report.unmanaged.length - appeared.length
  if (appeared.length > 0) {
    lines.push(
      "",
      "Unmanaged objects that appeared since the last apply (never touched without prune_unmanaged in sites.yaml):"
    )
    for (const u of appeared) lines.push(`  ${paint("cyan", "?")} ${u.kind} ${u.label} ${paint("dim", u.uuid)}`)
  }
  if (known > 0) lines.push(`${known} other unmanaged objects are left alone.`)
  const ro = report.readOnly
  if (ro.legacy + ro.automatic + ro.builtin > 0) {
    lines.push(
      `Read-only, never touched: ${ro.legacy} legacy rules, ${ro.automatic} automatic rules, ${ro.builtin} built-in aliases.`
    )
  }
  for (const line of report.unreadable ?? []) lines.push(paint("yellow", `Not compared: ${line}.`))
  lines.push(
    "",
    report.stale === true
      ? paint(
        "red",
        `Drift unknown: the firewall could not be read; this compares the snapshot of ${report.checkedAt}.`
      )
      : report.hasDrift
      ? paint("yellow", "Drift found.")
      : "No drift. The firewall matches the desired state."
  )
  return `${lines.join("\n")}\n`
}

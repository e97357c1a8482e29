/**
 * Human text for lint findings and explanations (the CLI's default output). `--json` prints the
 * Schema-typed values themselves.
 */
import * as NodePath from "node:path"
import type { IntentResult } from "../Domain/Intent.ts"
import type { Excluded, Explanation, Finding, NatStep, Packet, Step, Translation } from "./Domain.ts"

const codes = {
  error: "\u001b[31m",
  warning: "\u001b[33m",
  info: "\u001b[36m",
  ok: "\u001b[32m",
  dim: "\u001b[2m",
  reset: "\u001b[0m"
} as const
type Colour = keyof typeof codes

const painter = (colour: boolean) => (c: Colour, text: string) => (colour ? `${codes[c]}${text}${codes.reset}` : text)

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

const originLabel = (origin: string) =>
  origin === "desired" ? "desired state" : origin === "live" ? "live firewall" : "after the plan"

export interface Counts {
  readonly error: number
  readonly warning: number
  readonly info: number
}

export const countFindings = (findings: ReadonlyArray<Finding>): Counts => ({
  error: findings.filter((f) => f.severity === "error").length,
  warning: findings.filter((f) => f.severity === "warning").length,
  info: findings.filter((f) => f.severity === "info").length
})

/** `file:line:col: severity[code]: message`, a hint line, a summary line per site. */
export const renderFindings = (
  site: string,
  origin: string,
  findings: ReadonlyArray<Finding>,
  options: { readonly dir: string; readonly colour: boolean; readonly notes?: ReadonlyArray<string> }
): string => {
  const paint = painter(options.colour)
  const lines = [
    `site ${site} (${originLabel(origin)})`
  ]
  for (const note of options.notes ?? []) lines.push(paint("dim", `  note: ${note}`))
  for (const f of findings) {
    const at = f.source === undefined
      ? (f.kind === "site" ? "site" : "live")
      : `${NodePath.join(options.dir, f.source.file)}:${f.source.line}:${f.source.column}`
    const level: Colour = f.severity === "error" ? "error" : f.severity === "warning" ? "warning" : "info"
    lines.push(`${at}: ${paint(level, `${f.severity}[${f.code}]`)}: ${f.message}`)
    lines.push(paint("dim", `  hint: ${f.hint}`))
  }
  const c = countFindings(findings)
  lines.push(
    c.error + c.warning + c.info === 0
      ? paint("ok", "✓ clean")
      : `${c.error > 0 ? paint("error", "✗") : c.warning > 0 ? paint("warning", "!") : paint("ok", "✓")} ${
        plural(c.error, "error")
      }, ${plural(c.warning, "warning")}, ${c.info} info`
  )
  return `${lines.join("\n")}\n`
}

export const describePacket = (p: Packet, inferred?: string): string => {
  const port = (n: number | undefined) => (n === undefined ? "" : `:${n}`)
  const iface = p.interface ?? (inferred === undefined ? "an unknown interface" : `${inferred} (inferred)`)
  return `${p.protocol.toLowerCase()} ${p.source ?? "any"}${port(p.sourcePort)} → ${p.destination ?? "any"}${
    port(p.destinationPort)
  } ${p.direction ?? "in"} on ${iface}`
}

const marker = (s: Step) =>
  s.outcome === "decides"
    ? "✓"
    : s.outcome === "candidate" || s.outcome === "overridden"
    ? "~"
    : s.outcome === "may-match"
    ? "?"
    : s.outcome === "disabled"
    ? "-"
    : "✗"

/** "not considered: 9,990 on other interfaces, 3 for the other direction (9,993 rules that cannot apply)", or nothing */
export const describeExcluded = (x: Excluded): string | undefined => {
  const n = (count: number) => count.toLocaleString("en-US")
  const parts = [
    x.interface > 0 ? `${n(x.interface)} on other interfaces` : undefined,
    x.direction > 0 ? `${n(x.direction)} for the other direction` : undefined,
    x.protocol > 0 ? `${n(x.protocol)} for ${x.protocol === 1 ? "another protocol" : "other protocols"}` : undefined
  ].filter((part) => part !== undefined)
  const total = x.interface + x.direction + x.protocol
  return parts.length === 0
    ? undefined
    : `not considered: ${parts.join(", ")} (${total === 1 ? "1 rule" : `${n(total)} rules`} that cannot apply)`
}

export const renderExplanation = (
  e: Explanation,
  options: { readonly dir: string; readonly colour: boolean }
): string => {
  const paint = painter(options.colour)
  const verdict = e.decision.toUpperCase()
  const lines = [
    `${paint(e.decision === "pass" ? "ok" : "error", verdict)}  ${
      describePacket(e.packet, e.interface)
    }  (site ${e.site}, ${originLabel(e.origin)})`
  ]
  const at = (source: { readonly file: string; readonly line: number } | undefined) =>
    source === undefined ? "" : ` (${NodePath.join(options.dir, source.file)}:${source.line})`
  const unsure = e.certain ? "" : paint("warning", " — not certain, see notes")
  const t = e.translation
  if (t !== undefined) lines.push(...renderTranslation(t, at, paint))
  lines.push(
    e.decidedBy.kind === "rule"
      ? `decided by rule "${e.decidedBy.rule}"${at(e.decidedBy.source)}${
        e.decidedBy.gateway === undefined ? "" : `, routed through gateway "${e.decidedBy.gateway}"`
      }${unsure}`
      : e.decidedBy.kind === "port-forward"
      ? `decided by port forward "${e.decidedBy.rule}"${at(e.decidedBy.source)}: ${e.decidedBy.description}${unsure}`
      : `decided by OPNsense's automatic "${e.decidedBy.rule}": ${e.decidedBy.description}${unsure}`
  )
  if (e.steps.length > 0) lines.push("rules considered, in evaluation order:")
  for (const s of e.steps) {
    const head = `${String(s.position).padStart(4)}. ${marker(s)} ${s.rule}  [${s.action}${
      s.quick ? " quick" : ""
    }, ${s.group}${s.origin === "mvc" || s.origin === s.group ? "" : `, ${s.origin}`}]`
    const body = s.outcome === "no-match" || s.outcome === "disabled"
      ? s.reasons.join("; ")
      : `${s.outcome}: ${s.reasons.join("; ")}`
    lines.push(
      s.outcome === "no-match" || s.outcome === "disabled" ? paint("dim", `${head} ${body}`) : `${head} ${body}`
    )
  }
  const excluded = describeExcluded(e.excluded)
  if (excluded !== undefined) lines.push(paint("dim", excluded))
  if (e.notConsidered > 0) {
    lines.push(paint("dim", `${plural(e.notConsidered, "rule")} after the deciding quick rule not considered`))
  }
  for (const n of e.notes) lines.push(paint("dim", `note: ${n}`))
  return `${lines.join("\n")}\n`
}

const natMarker = (s: NatStep) =>
  s.outcome === "translates" || s.outcome === "not-redirected"
    ? "✓"
    : s.outcome === "may-match"
    ? "?"
    : s.outcome === "disabled"
    ? "-"
    : "✗"

/** "port forward" or, when the packet met 1:1 NAT entries too, "port forward or 1:1 NAT entry" */
const natNoun = (t: Translation): string =>
  t.steps.some((s) => s.kind === "one_to_one_nat") ? "port forward or 1:1 NAT entry" : "port forward"

/** The port forwards (and 1:1 NAT entries) an inbound packet met, and what the filter rules see after them. */
export const translationSummary = (t: Translation): string =>
  t.outcome === "translated"
    ? `translated by ${t.kind === "one_to_one_nat" ? "1:1 NAT entry" : "port forward"} "${t.forward ?? ""}" to ${
      t.destination ?? "(target not one known address)"
    }${t.destinationPort === undefined ? "" : `:${t.destinationPort}`}; the filter rules see the translated packet`
    : t.outcome === "not-redirected"
    ? `not translated: port forward "${t.forward ?? ""}" is no_rdr, so the port forwards after it do not apply`
    : t.certain
    ? `no ${natNoun(t)} matches: the packet is not translated`
    : `no ${natNoun(t)} certainly matches (one may, see below): the packet is explained untranslated`

const renderTranslation = (
  t: Translation,
  at: (source: { readonly file: string; readonly line: number } | undefined) => string,
  paint: (c: Colour, text: string) => string
): ReadonlyArray<string> => {
  const lines = [`${translationSummary(t)}${t.outcome === "none" ? "" : at(t.source)}`]
  if (t.steps.length > 0) {
    lines.push(
      `${
        natNoun(t) === "port forward" ? "port forwards" : "port forwards, then 1:1 NAT entries,"
      } considered, in evaluation order (before any filter rule):`
    )
  }
  for (const s of t.steps) {
    const head = `${String(s.position).padStart(4)}. ${natMarker(s)} ${s.forward}${
      s.origin === "mvc" ? "" : `  [${s.origin}]`
    }`
    const body = s.outcome === "no-match" || s.outcome === "disabled"
      ? s.reasons.join("; ")
      : `${s.outcome}: ${s.reasons.join("; ")}`
    lines.push(
      s.outcome === "no-match" || s.outcome === "disabled" ? paint("dim", `${head} ${body}`) : `${head} ${body}`
    )
  }
  return lines
}

/** Intent results for people: a count under `title`, and one line for each that is not held. */
export const renderIntentResults = (title: string, results: ReadonlyArray<IntentResult> | undefined): string => {
  if (results === undefined || results.length === 0) return ""
  const count = (v: IntentResult["verdict"]) => results.filter((r) => r.verdict === v).length
  const lines = [`${title}: ${count("held")} held, ${count("violated")} violated, ${count("unknown")} unknown.`]
  for (const r of results.filter((x) => x.verdict !== "held")) {
    const at = r.intent.source === undefined
      ? ""
      : `${r.intent.source.file}:${r.intent.source.line}:${r.intent.source.column}: `
    lines.push(
      `  ${at}intent ${r.intent.name} ${r.verdict}: ${r.message}${
        r.change === undefined ? "" : `; broken by ${r.change}`
      }`
    )
  }
  return `${lines.join("\n")}\n`
}

/**
 * The deploy/ files the alert and dashboard tests read, decoded by schemas: the Prometheus rules,
 * the Grafana dashboard's queries, the metric names in a PromQL expression, and the headings of a
 * Markdown file as GitHub anchors.
 */
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { parse } from "yaml"

const ROOT = resolve(import.meta.dirname, "../..")

const Rule = Schema.Struct({
  alert: Schema.String,
  expr: Schema.String,
  labels: Schema.Record(Schema.String, Schema.String),
  annotations: Schema.Record(Schema.String, Schema.String)
})
const RulesFile = Schema.Struct({
  groups: Schema.Array(Schema.Struct({ name: Schema.String, rules: Schema.Array(Rule) }))
})

export const alertRules = (): ReadonlyArray<typeof Rule.Type> =>
  Schema.decodeUnknownSync(RulesFile)(
    parse(readFileSync(resolve(ROOT, "deploy/prometheus/opnsense-mcp.rules.yml"), "utf8"))
  ).groups.flatMap((g) => g.rules)

interface Panel {
  readonly title?: string | undefined
  readonly targets?: ReadonlyArray<{ readonly expr?: string | undefined }> | undefined
  readonly panels?: ReadonlyArray<Panel> | undefined
}
const Panel: Schema.Codec<Panel> = Schema.Struct({
  title: Schema.optional(Schema.String),
  targets: Schema.optional(Schema.Array(Schema.Struct({ expr: Schema.optional(Schema.String) }))),
  panels: Schema.optional(Schema.Array(Schema.suspend((): Schema.Codec<Panel> => Panel)))
})
const Dashboard = Schema.Struct({
  id: Schema.optional(Schema.Unknown),
  uid: Schema.String,
  title: Schema.String,
  panels: Schema.Array(Panel),
  templating: Schema.Struct({
    list: Schema.Array(
      Schema.Struct({ name: Schema.String, type: Schema.String, query: Schema.optional(Schema.Unknown) })
    )
  })
})

export const dashboardFile = resolve(ROOT, "deploy/grafana/opnsense-mcp.dashboard.json")

export const dashboard = () => Schema.decodeUnknownSync(Dashboard)(JSON.parse(readFileSync(dashboardFile, "utf8")))

/** Every panel (rows' panels included) with its queries. */
export const dashboardQueries = (): ReadonlyArray<{ readonly panel: string; readonly expr: string }> => {
  const walk = (panels: ReadonlyArray<Panel>): ReadonlyArray<{ panel: string; expr: string }> =>
    panels.flatMap((p) => [
      ...(p.targets ?? []).flatMap((t) => (t.expr === undefined ? [] : [{ panel: p.title ?? "", expr: t.expr }])),
      ...walk(p.panels ?? [])
    ])
  return walk(dashboard().panels)
}

/** The metric names a PromQL expression selects: ours all start with opnsense_mcp_. */
export const metricNames = (expr: string): ReadonlyArray<string> => [
  ...new Set(expr.match(/\bopnsense_mcp_[a-zA-Z0-9_]+/g) ?? [])
]

/** GitHub's anchors for a Markdown file's headings: lower case, punctuation dropped, spaces to "-". */
export const githubAnchors = (markdown: string): ReadonlyArray<string> =>
  [...markdown.matchAll(/^#{1,6} +(.+)$/gm)].map((m) =>
    (m[1] ?? "").trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-")
  )

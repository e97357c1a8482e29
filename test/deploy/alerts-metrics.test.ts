/**
 * Every metric the Grafana dashboard and the alerting rules query is one the service exports, with
 * the labels they select on: the ops server is started, serves a few requests, every `record*`
 * helper of src/Telemetry/Metrics.ts is called once, and the names and labels are read from its
 * /metrics (histograms as their _bucket, _sum and _count series).
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  recordApplyChange,
  recordApplyRevert,
  recordBreakerState,
  recordCacheHit,
  recordCacheMiss,
  recordCertificateExpiry,
  recordConditions,
  recordDrift,
  recordOpnsenseCall,
  recordReconcile,
  registerCache
} from "../../src/Telemetry/Metrics.ts"
import { call, fakePorts, newState, start, testConfig } from "../http/fixtures.ts"
import { alertRules, dashboard, dashboardQueries, metricNames } from "./alerts-files.ts"

/** Added by another branch (the fleet work: the firewall certificate's notAfter per site); the rule is written against its name. */
/** Labels Prometheus adds to every series it scrapes, and the histogram bucket label. */
const SCRAPE_LABELS = new Set(["instance", "job", "le"])

/** metric name → the label names its series carry, from Prometheus text. */
const exposition = (text: string): ReadonlyMap<string, ReadonlySet<string>> => {
  const series = new Map<string, Set<string>>()
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line)
    if (m === null) continue
    const labels = series.get(m[1] ?? "") ?? new Set<string>()
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(l[1] ?? "")
    series.set(m[1] ?? "", labels)
  }
  return series
}

/** The label names an expression selects on: `{name=…}` matchers and `by (…)` / `on (…)` lists. */
const selectedLabels = (expr: string): ReadonlyArray<string> => [
  ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
    [...(m[1] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1] ?? "")
  ),
  ...[...expr.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] ?? "").split(",").map((l) => l.trim()).filter((l) => l !== "")
  )
]

const touchEveryMetric = Effect.all([
  recordOpnsenseCall({ site: "default", endpoint: "/api/core/firmware/status", status: 200, durationMs: 3 }),
  registerCache("memory"),
  recordCacheHit("memory"),
  recordCacheMiss("memory"),
  recordBreakerState("default", "closed"),
  recordReconcile({ site: "default", operation: "loop", result: "ok", durationMs: 20 }),
  recordDrift("default", "rule", 0),
  recordApplyChange({ site: "default", kind: "rule", action: "create", result: "ok" }),
  recordApplyRevert("default", "reverted"),
  recordCertificateExpiry("default", new Date()),
  recordConditions({ site: "default", conditions: [{ type: "Ready", status: true }] })
], { discard: true })

describe("the dashboard and the alerting rules query exported metrics", () => {
  it.live("every metric and label they select on is in /metrics", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig(), fakePorts(newState()))
      yield* call(`${server.url}/health/live`)
      yield* call(`${server.url}/nope`)
      yield* touchEveryMetric
      const exported = exposition((yield* call(`${server.url}/metrics`)).body)
      expect([...exported.keys()]).toContain("opnsense_mcp_http_request_duration_seconds_bucket")

      const queries = [
        ...dashboardQueries().map((q) => ({ where: `dashboard panel "${q.panel}"`, expr: q.expr })),
        ...dashboard().templating.list.flatMap((v) =>
          v.type === "query" && typeof v.query === "string"
            ? [{ where: `dashboard variable ${v.name}`, expr: v.query, pending: false }]
            : []
        ),
        ...alertRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))
      ]
      assert.isAbove(queries.length, 30)
      for (const { expr, where } of queries) {
        const names = metricNames(expr)
        expect(names.length, where).toBeGreaterThan(0)
        const labels = new Set<string>(SCRAPE_LABELS)
        for (const name of names) {
          expect(exported.has(name), `${where}: ${name} is not exported`).toBe(true)
          for (const l of exported.get(name) ?? []) labels.add(l)
        }
        for (const label of selectedLabels(expr)) {
          expect(labels.has(label), `${where}: no label ${label} on ${names.join(", ")}`).toBe(true)
        }
      }
    }))

  it("the dashboard is provisionable: a uid, no numeric id, the data source as a variable", () => {
    const board = dashboard()
    expect(board.uid).toBe("opnsense-mcp")
    expect(board.id).toBeUndefined()
    expect(board.templating.list.find((v) => v.name === "datasource")?.type).toBe("datasource")
    for (const { expr, panel } of dashboardQueries()) expect(expr, panel).not.toBe("")
  })
})

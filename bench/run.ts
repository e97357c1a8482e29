/**
 * `npm run bench`: every benchmark of issue #11, each printing one JSON line on stdout and a table
 * on stderr, then the targets as met / not met.
 *
 *   npm run bench                                   # the full run (under 5 minutes on 2 cores)
 *   npm run bench -- --latency-ms 20 --only plan    # one benchmark, slower firewall
 *   npm run bench -- --smoke                        # tiny sizes: checks the benchmarks still run
 *
 * Options (environment in brackets): --latency-ms [BENCH_LATENCY_MS] (5), --sizes (100,1000,10000),
 * --apply (100,1000,10000), --baseline-apply-max (1000), --parallelism (10), --baseline-sample
 * (1000 gets timed per size, the rest scaled), --version (26.7),
 * --policy-rules (10000), --http-scales (100,1000), --http-seconds (5), --connections (20),
 * --mcp-calls (10), --startup-runs (7), --startup-dist (build|skip; skip with --smoke),
 * --fleet-sites (50), --fleet-instances (3), --only (plan,apply,diff,startup,policy,http,fleet),
 * --smoke. BENCH_CPU_PROF=DIR profiles the reconcile
 * children, the marked start-up plans and the serve process.
 */
import { cpus, loadavg } from "node:os"
import { parseArgs } from "node:util"
import { fleetBench, reportFleet } from "./fleet.ts"
import { httpBench, type HttpResult, reportHttp } from "./http.ts"
import type { Dirs } from "./lib/Fixture.ts"
import { emit, type Target, target } from "./lib/Report.ts"
import { clientEnv, type SimulatorHandle } from "./lib/Sim.ts"
import { policyBench, type PolicyShape, reportPolicy } from "./policy-run.ts"
import {
  applyNew,
  type ApplyRow,
  planNoop,
  type PlanNoopRow,
  reportApply,
  reportDiff,
  reportPlanNoop,
  reportSimulator
} from "./reconcile.ts"
import {
  buildDist,
  type Entry,
  type PlanSeries,
  planSeries,
  profileDirReady,
  reportStartup,
  type Series,
  sourceEntry,
  type StartupResult,
  versionSeries
} from "./startup.ts"

const { values } = parseArgs({
  options: {
    "latency-ms": { type: "string" },
    sizes: { type: "string" },
    apply: { type: "string" },
    "baseline-apply-max": { type: "string" },
    parallelism: { type: "string" },
    "baseline-sample": { type: "string" },
    version: { type: "string" },
    "policy-rules": { type: "string" },
    "http-scales": { type: "string" },
    "http-seconds": { type: "string" },
    connections: { type: "string" },
    "mcp-calls": { type: "string" },
    "startup-runs": { type: "string" },
    "startup-dist": { type: "string" },
    "fleet-sites": { type: "string" },
    "fleet-instances": { type: "string" },
    only: { type: "string" },
    smoke: { type: "boolean", default: false }
  }
})

const smoke = values.smoke === true
const int = (raw: string | undefined, fallback: number): number => {
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${raw}`)
  return n
}
const list = (raw: string | undefined, fallback: ReadonlyArray<number>): ReadonlyArray<number> =>
  raw === undefined || raw === "" ? fallback : raw.split(",").map((s) => int(s.trim(), 0))

const latencyMs = int(values["latency-ms"] ?? process.env["BENCH_LATENCY_MS"], 5)
const version = values.version === "26.1" ? "26.1" : "26.7"
const reconcile = {
  latencyMs,
  version,
  parallelism: int(values.parallelism, 10),
  baselineSample: int(values["baseline-sample"], 1000)
} as const
const sizes = list(values.sizes, smoke ? [20] : [100, 1000, 10_000])
const applyCounts = list(values.apply, smoke ? [10] : [100, 1000, 10_000])
const baselineApplyMax = int(values["baseline-apply-max"], smoke ? 10 : 1000)
const policyRules = int(values["policy-rules"], smoke ? 200 : 10_000)
const httpScales = list(values["http-scales"], smoke ? [20] : [100, 1000])
const http = {
  latencyMs,
  durationSeconds: int(values["http-seconds"], smoke ? 1 : 5),
  connections: int(values.connections, 20),
  mcpCalls: int(values["mcp-calls"], smoke ? 2 : 10)
}
const startupRuns = int(values["startup-runs"], smoke ? 2 : 7)
const startupDist = (values["startup-dist"] ?? (smoke ? "skip" : "build")) === "build"
const fleet = {
  sites: int(values["fleet-sites"], smoke ? 6 : 50),
  instances: int(values["fleet-instances"], smoke ? 2 : 3),
  intervalMs: smoke ? 1_000 : 2_000,
  rounds: smoke ? 1 : 2
}
const only = new Set((values.only ?? "plan,apply,diff,startup,policy,http,fleet").split(",").map((s) => s.trim()))

const started = performance.now()
// the figures are only as good as the machine was quiet: say how busy it was
const loadAtStart = loadavg().map((n) => Math.round(n * 10) / 10)
const targets: Array<Target> = []
const fmt = (n: number, unit: string) => `${Number.isFinite(n) ? Math.round(n * 100) / 100 : "n/a"} ${unit}`

// start-up: --version and a whole-process `plan` at the largest size (against the plan
// benchmark's simulator and adopted tree), from the sources and from a build of them
const largestSize = sizes.at(-1) ?? 0
const startupEntries: Array<Entry> = []
const startupVersion: Array<Series> = []
const startupPlans: Array<PlanSeries> = []
let startupBuild: Awaited<ReturnType<typeof buildDist>> | string = "not run"
if (only.has("startup")) {
  profileDirReady()
  startupBuild = startupDist ? await buildDist().catch((e: unknown) => String(e)) : "skipped (--startup-dist skip)"
  startupEntries.push(sourceEntry, ...(typeof startupBuild === "string" ? [] : [startupBuild.entry]))
  startupVersion.push(...await versionSeries(startupEntries, startupRuns))
}
const startupAt = only.has("startup")
  ? async (scale: number, sim: SimulatorHandle, dirs: Dirs) => {
    if (scale !== largestSize) return
    startupPlans.push(...await planSeries(startupEntries, clientEnv(sim, dirs), startupRuns, smoke ? 1 : 3))
  }
  : undefined

let planRows: ReadonlyArray<PlanNoopRow> = []
let applyRows: ReadonlyArray<ApplyRow> = []
if (only.has("plan") || only.has("diff")) {
  const rows: ReadonlyArray<PlanNoopRow> = await planNoop(sizes, reconcile, startupAt)
  planRows = rows
  if (only.has("plan")) reportPlanNoop(rows, reconcile)
  if (only.has("diff")) reportDiff(rows)
  const largest = rows.at(-1)
  if (largest !== undefined) {
    const at = `${largest.live.rules} rules, ${largest.live.aliases} aliases, ${largest.live.vlans} VLANs`
    targets.push(
      target(
        `plan reads per kind (${at})`,
        "≤ 1",
        `${largest.maxReadsPerKind} (${largest.requests.total} requests in all)`,
        largest.maxReadsPerKind <= 1
      ),
      target(
        `plan wall at ${latencyMs} ms latency (${at})`,
        "< 1500 ms",
        `${fmt(largest.planMs, "ms")} in Reconciler.plan (for the CLI's whole process see the start-up target)`,
        largest.planMs < 1500
      ),
      target(`plan peak RSS (${at})`, "< 300 MB", fmt(largest.planRssMb, "MB"), largest.planRssMb < 300)
    )
    const diffMs = typeof largest.diff["buildPlanMs"] === "number" ? largest.diff["buildPlanMs"] : Number.NaN
    targets.push(
      target(`diff + plan, no I/O (${largest.live.rules} rules)`, "< 150 ms", fmt(diffMs, "ms"), diffMs < 150)
    )
  }
}

if (only.has("startup")) {
  // without the plan benchmark, its fixture at the largest size only
  if (!only.has("plan") && !only.has("diff")) await planNoop([largestSize], reconcile, startupAt)
  if (typeof startupBuild !== "string") startupBuild.remove()
  const result: StartupResult = {
    runs: startupRuns,
    version: startupVersion,
    plan: { rules: largestSize, latencyMs, series: startupPlans },
    dist: typeof startupBuild === "string" ? { built: false, reason: startupBuild } : { built: true }
  }
  reportStartup(result)
  const at = <S extends Series>(list: ReadonlyArray<S>, name: "src" | "dist") => list.find((x) => x.entry === name)
  const version = at(startupVersion, "src")
  const versionDist = at(startupVersion, "dist")
  if (version !== undefined) {
    targets.push(
      target(
        "--version, whole process (spawn to exit)",
        "< 300 ms",
        `${fmt(version.medianMs, "ms")} median from src/index.ts${
          versionDist === undefined ? "" : `, ${fmt(versionDist.medianMs, "ms")} from dist`
        } (first run ${fmt(version.coldMs, "ms")})`,
        version.medianMs < 300
      )
    )
  }
  const plan = at(startupPlans, "src")
  const planDist = at(startupPlans, "dist")
  if (plan !== undefined) {
    const phases = plan.phases
    targets.push(
      target(
        `plan --json, whole process (${largestSize} rules, ${latencyMs} ms latency)`,
        "< 1500 ms",
        `${fmt(plan.medianMs, "ms")} median from src/index.ts${
          planDist === undefined ? "" : `, ${fmt(planDist.medianMs, "ms")} from dist`
        } (first run ${fmt(plan.coldMs, "ms")})${
          phases === undefined
            ? ""
            : `; ${phases.moduleLoadMs} ms module load, ${phases.desiredStateMs} desired state, ${phases.firewallReadMs} firewall read, ${phases.diffRenderMs} diff + render, ${phases.exitMs} exit`
        }`,
        plan.medianMs < 1500
      )
    )
  }
}

if (only.has("apply")) {
  const rows: ReadonlyArray<ApplyRow> = await applyNew(applyCounts, baselineApplyMax, reconcile)
  applyRows = rows
  reportApply(rows, reconcile)
  const thousand = rows.find((r) => r.newRules === 1000) ?? rows.at(-1)
  if (thousand !== undefined) {
    targets.push(
      target(
        `apply ${thousand.newRules} new rules: reconfigures per subsystem`,
        "1",
        `${thousand.maxReconfiguresPerSubsystem} (${JSON.stringify(thousand.apply.reconfiguresByKind)})`,
        thousand.maxReconfiguresPerSubsystem === 1
      ),
      target(
        `apply ${thousand.newRules} new rules: requests for the rules (upload_rules, ${version})`,
        "≤ 10",
        String(thousand.ruleWrites),
        thousand.ruleWrites <= 10
      )
    )
  }
}

if (planRows.length + applyRows.length > 0) reportSimulator(planRows, applyRows)

if (only.has("policy")) {
  const results: ReadonlyArray<PolicyShape> = await policyBench(policyRules)
  reportPolicy(results)
  for (const r of results) {
    targets.push(
      target(
        `explain one packet (${r.rules} rules, ${r.shape})`,
        "< 5 ms",
        `${fmt(r.explainWorstMs, "ms")} median (p90 ${fmt(r.explainP90Ms, "ms")})`,
        r.explainWorstMs < 5
      ),
      target(`lint (${r.rules} rules, ${r.shape})`, "< 2000 ms", fmt(r.lintMs, "ms"), r.lintMs < 2000)
    )
  }
}

if (only.has("fleet")) {
  const r = await fleetBench(fleet)
  reportFleet(r)
  const most = Math.max(...r.fleet.perInstance)
  targets.push(
    target(
      `sites per instance (${r.sites} sites, ${r.instances} instances)`,
      `≤ ceil(${r.sites}/${r.instances}) + 2`,
      r.fleet.perInstance.join(" / "),
      most <= r.share + 2
    ),
    target(
      `one cycle of a site, ${r.sites} sites on ${r.instances} instances`,
      `≤ 2 × each instance running only its ${r.share}`,
      `${fmt(r.fleet.maxMs, "ms")} max (median ${fmt(r.fleet.medianMs, "ms")}); own share only ${
        fmt(r.alone.maxMs, "ms")
      } max (median ${fmt(r.alone.medianMs, "ms")})`,
      r.fleet.medianMs <= 2 * r.alone.medianMs
    )
  )
}

if (only.has("http")) {
  for (const [i, scale] of httpScales.entries()) {
    const result: HttpResult = await httpBench({ ...http, scale })
    reportHttp(result, { ...http, scale })
    const health = result.health
    if (i === 0) {
      targets.push(
        "notMeasured" in health
          ? target("/health", "> 5000 req/s", `not measured: ${health.notMeasured}`, undefined)
          : target("/health", "> 5000 req/s", fmt(health.requestsPerSecond, "req/s"), health.requestsPerSecond > 5000)
      )
    }
    const rules = result.apiRules
    targets.push(
      "notMeasured" in rules
        ? target(`cached /api/rules (${scale} rules)`, "> 2000 req/s", `not measured: ${rules.notMeasured}`, undefined)
        : target(
          `cached /api/rules (${scale} rules, ${Math.round(rules.bytesPerRequest / 1024)} KB each)`,
          "> 2000 req/s",
          fmt(rules.requestsPerSecond, "req/s"),
          rules.requestsPerSecond > 2000
        )
    )
    const mcp = result.mcpPlan
    targets.push(
      "notMeasured" in mcp
        ? target(`MCP plan tool latency (${scale} rules)`, "(reported)", `not measured: ${mcp.notMeasured}`, undefined)
        : target(
          `MCP plan tool latency (${scale} rules)`,
          "(reported, no target)",
          `p50 ${fmt(mcp.p50Ms, "ms")}, p95 ${fmt(mcp.p95Ms, "ms")}`,
          undefined
        )
    )
  }
}

const totalSeconds = Math.round((performance.now() - started) / 100) / 10
const loadAtEnd = loadavg().map((n) => Math.round(n * 10) / 10)
const machine = {
  cpus: cpus().length,
  node: process.version,
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: loadAtEnd
}
emit("targets", { latencyMs, smoke, totalSeconds, machine, targets }, [
  {
    title: `targets (issue #11)${smoke ? " — smoke sizes, figures not comparable to the targets" : ""}`,
    columns: ["target", "limit", "measured", "met"],
    rows: targets.map((t) => [t.name, t.limit, t.figure, t.met === undefined ? "–" : t.met ? "met" : "NOT MET"]),
    notes: [
      `whole run: ${totalSeconds} s on ${machine.cpus} cores, Node ${machine.node}; load average ${
        loadAtStart.join(" ")
      } at start, ${loadAtEnd.join(" ")} at end` +
      (Math.max(...loadAtStart, ...loadAtEnd) > machine.cpus
        ? " — the machine was busy with other work: timings are pessimistic"
        : "")
    ]
  }
])

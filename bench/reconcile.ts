/**
 * Reconciler benchmarks against the simulator over HTTPS with a per-request latency:
 *   plan-noop:  plan with nothing to change at several sizes (requests per kind, wall, peak RSS),
 *               against the baseline's per-object reads;
 *   apply-new:  plan + apply of N new rules (writes, reconfigures, wall), against the baseline's
 *               per-object write + apply.
 * Our side runs in a child process per size (bench/child/reconcile.ts), so peak RSS is per run.
 */
import * as Baseline from "./baseline.ts"
import { between, runChild } from "./lib/Child.ts"
import { adopt, type Dirs, newRules, tempDirs, writeNewRules } from "./lib/Fixture.ts"
import { num, record } from "./lib/Json.ts"
import { emit, round } from "./lib/Report.ts"
import { clientEnv, type RequestSummary, type SimulatorHandle, start, summarize } from "./lib/Sim.ts"

export interface ReconcileOptions {
  readonly latencyMs: number
  readonly version: "26.7" | "26.1"
  /** baseline read parallelism (Terraform's default is 10) */
  readonly parallelism: number
  /** baseline gets actually made per size; above it the wall is scaled from the sample */
  readonly baselineSample: number
}

const rounded = (r: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? round(v, 2) : v]))

export interface PlanNoopRow {
  readonly scale: number
  readonly live: { readonly vlans: number; readonly aliases: number; readonly rules: number }
  readonly changes: number
  readonly requests: RequestSummary
  readonly maxReadsPerKind: number
  readonly planMs: number
  readonly processMs: number
  readonly moduleLoadMs: number
  readonly peakRssMb: number
  readonly planRssMb: number
  readonly phases: Readonly<Record<string, unknown>>
  /** the pure diff/plan computation, warm (bench/child/reconcile.ts diffFigures) */
  readonly diff: Readonly<Record<string, unknown>>
  readonly baseline: {
    readonly requests: number
    readonly wallMs: number
    /** requests × latency / parallelism: what the strategy costs on any box at this latency */
    readonly latencyFloorMs: number
    readonly objects: number
    readonly gets: number
    readonly extrapolated: boolean
    readonly simulatorMsPerRequest: number
  }
  readonly ratio: { readonly requests: number; readonly wall: number }
  /** mean simulator time per request by endpoint (beyond the latency), for the baseline's requests */
  readonly baselineSimulatorMsByEndpoint: Readonly<Record<string, number>>
}

export const planNoop = async (
  scales: ReadonlyArray<number>,
  o: ReconcileOptions,
  /** more measurements against each size's simulator and adopted tree, before they are removed */
  alsoAt?: (scale: number, sim: SimulatorHandle, dirs: Dirs) => Promise<void>
): Promise<ReadonlyArray<PlanNoopRow>> => {
  const rows: Array<PlanNoopRow> = []
  for (const scale of scales) {
    const sim = await start({ scale, latencyMs: o.latencyMs, version: o.version })
    const dirs = tempDirs(`plan-${scale}`)
    try {
      const live = await adopt(sim, dirs)
      sim.requests.clear()
      const run = await runChild("reconcile.ts", ["plan"], clientEnv(sim, dirs), sim)
      const requests = summarize(between(run, sim, "plan", "phases"), o.latencyMs)
      const maxReadsPerKind = Math.max(
        0,
        ...Object.entries(requests.readsByKind).filter(([k]) => k !== "system").map(([, n]) => n)
      )

      const from = sim.requests.entries.length
      const c = Baseline.client(sim, o.parallelism)
      const read = await Baseline.readAll(c, o.parallelism, o.baselineSample)
      c.close()
      const base = summarize(sim.requests.entries.slice(from), o.latencyMs)
      const planMs = num(run.result, "planMs")
      const floorMs = (read.requests / o.parallelism) * o.latencyMs
      rows.push({
        scale,
        live,
        changes: num(run.result, "changes"),
        requests,
        maxReadsPerKind,
        planMs: round(planMs),
        processMs: round(run.processMs),
        moduleLoadMs: round(num(run.result, "moduleLoadMs")),
        peakRssMb: round(num(run.result, "peakRssMb")),
        planRssMb: round(num(run.result, "planRssMb")),
        phases: rounded(record(run.result, "phases")),
        diff: rounded(record(run.result, "diff")),
        baseline: {
          requests: read.requests,
          wallMs: round(read.wallMs),
          latencyFloorMs: round(floorMs),
          objects: read.objects,
          gets: read.gets,
          extrapolated: read.extrapolated,
          simulatorMsPerRequest: round(base.simulatorMs / Math.max(1, base.total), 2)
        },
        ratio: { requests: round(read.requests / Math.max(1, requests.total)), wall: round(read.wallMs / planMs, 2) },
        baselineSimulatorMsByEndpoint: base.simulatorMsByEndpoint
      })
      if (alsoAt !== undefined) await alsoAt(scale, sim, dirs)
    } finally {
      await sim.close()
      dirs.remove()
    }
  }
  return rows
}

export const reportPlanNoop = (rows: ReadonlyArray<PlanNoopRow>, o: ReconcileOptions): void =>
  emit("plan-noop", { latencyMs: o.latencyMs, version: o.version, baselineParallelism: o.parallelism, results: rows }, [
    {
      title: `plan with nothing to change (OPNsense ${o.version} simulator, ${o.latencyMs} ms per request)`,
      columns: [
        "rules/aliases/vlans",
        "changes",
        "requests",
        "max reads/kind",
        "plan ms",
        "sim ms",
        "process ms",
        "plan peak RSS MB",
        "baseline req",
        "baseline ms",
        "baseline floor ms",
        "× requests",
        "× wall"
      ],
      rows: rows.map((r) => [
        `${r.live.rules}/${r.live.aliases}/${r.live.vlans}`,
        r.changes,
        r.requests.total,
        r.maxReadsPerKind,
        r.planMs,
        r.requests.simulatorMs,
        r.processMs,
        r.planRssMb,
        r.baseline.requests,
        r.baseline.extrapolated ? `~${r.baseline.wallMs}` : r.baseline.wallMs,
        r.baseline.latencyFloorMs,
        r.ratio.requests,
        r.ratio.wall
      ]),
      notes: [
        "plan ms: Reconciler.plan in a fresh process (desired-state load, version, one read per kind, diff, plan stored); process ms is the bench child's whole life (Node start, modules, the plan, then the phase and diff timings below); the CLI's own whole-process plan is in the start-up table",
        "plan peak RSS: the child's maxRSS right after the plan (peakRssMb in the JSON adds the phase-by-phase second plan)",
        "sim ms: time the simulator itself spent answering our requests (beyond the injected latency), part of plan ms",
        `baseline: one search per kind then one get per object, ${o.parallelism} in flight (Terraform's default parallelism); ~ = ${o.baselineSample} gets timed, scaled to all`,
        "baseline floor: requests × latency ÷ parallelism, the least the strategy costs at this latency on any machine; × wall uses the measured (or scaled) figure"
      ]
    },
    {
      title: "where plan time goes (second plan in the same process: version and TLS warm)",
      columns: ["rules", "module load ms", "load desired ms", "snapshot ms", "buildPlan ms", "requests by endpoint"],
      rows: rows.map((r) => [
        r.live.rules,
        r.moduleLoadMs,
        num(r.phases, "loadDesiredMs"),
        num(r.phases, "snapshotMs"),
        num(r.phases, "buildPlanMs"),
        Object.entries(r.requests.byEndpoint).map(([e, n]) => `${e.replace(/^\/api\//, "")}=${n}`).join(" ")
      ])
    }
  ])

/**
 * The simulator is inside every measured loop: how long it takes per request of each endpoint,
 * beyond the injected latency, from the runs already made (no extra run).
 */
export const reportSimulator = (plans: ReadonlyArray<PlanNoopRow>, applies: ReadonlyArray<ApplyRow>): void => {
  const rows: Array<ReadonlyArray<string | number>> = []
  for (const p of plans) {
    for (const [endpoint, ms] of Object.entries(p.requests.simulatorMsByEndpoint)) {
      rows.push([`plan ${p.live.rules} rules (ours)`, endpoint, p.requests.byEndpoint[endpoint] ?? 0, ms])
    }
    for (const [endpoint, ms] of Object.entries(p.baselineSimulatorMsByEndpoint)) {
      rows.push([`plan ${p.live.rules} rules (baseline)`, endpoint, Number.NaN, ms])
    }
  }
  for (const a of applies) {
    for (const [endpoint, ms] of Object.entries(a.apply.simulatorMsByEndpoint)) {
      if (!/(upload_rules|add_rule|apply|reconfigure)$/.test(endpoint)) continue
      rows.push([`apply ${a.newRules} new rules (ours)`, endpoint, a.apply.byEndpoint[endpoint] ?? 0, ms])
    }
  }
  emit("simulator", {
    note: "mean ms per request spent in the simulator beyond the injected latency",
    rows: rows.map(([run, endpoint, count, ms]) => ({ run, endpoint, count, ms }))
  }, [
    {
      title: "the simulator's own time per request (part of every figure above)",
      columns: ["run", "endpoint", "requests", "sim ms / request"],
      rows: rows.map((
        [run, endpoint, count, ms]
      ) => [run, String(endpoint).replace(/^\/api\//, ""), Number.isNaN(count) ? undefined : count, ms]),
      notes: [
        "baseline gets run 10 at a time on the one Node thread the simulator shares with the bench client, so their time includes queueing"
      ]
    }
  ])
}

export const reportDiff = (rows: ReadonlyArray<PlanNoopRow>): void =>
  emit("diff", { results: rows.map((r) => ({ scale: r.scale, ...r.diff })) }, [
    {
      title: "diff and plan computation alone (no I/O; median of warm runs, up to 5)",
      columns: ["rules", "buildPlan ms", "diffSite ms", "liveDigest ms", "order ms", "with changes ms", "changes"],
      rows: rows.map((r) => [
        num(r.diff, "rules"),
        num(r.diff, "buildPlanMs"),
        num(r.diff, "diffSiteMs"),
        num(r.diff, "liveDigestMs"),
        num(r.diff, "orderChangesMs"),
        num(r.diff, "changedBuildPlanMs"),
        num(r.diff, "changedChanges")
      ]),
      notes: ["with changes: every 10th rule's description changed, every 100th rule removed (a delete), 1% new rules"]
    }
  ])

export interface ApplyRow {
  readonly newRules: number
  readonly planMs: number
  readonly applyMs: number
  readonly totalMs: number
  readonly result: string
  readonly verificationClean: boolean
  readonly reconfigured: ReadonlyArray<unknown>
  readonly plan: RequestSummary
  readonly apply: RequestSummary
  /** requests that wrote the rules themselves (add_rule/set_rule/upload_rules) */
  readonly ruleWrites: number
  readonly maxReconfiguresPerSubsystem: number
  readonly peakRssMb: number
  readonly baseline:
    | {
      readonly measured: true
      readonly requests: number
      readonly writes: number
      readonly reconfigures: number
      readonly wallMs: number
      /** requests × latency: one at a time, what the strategy costs at this latency on any box */
      readonly latencyFloorMs: number
      readonly simulatorMsPerRequest: number
    }
    | {
      readonly measured: false
      readonly estimatedWallMs: number
      readonly estimatedRequests: number
      readonly reason: string
    }
  readonly ratio: { readonly requests: number; readonly wall: number }
}

export const applyNew = async (
  counts: ReadonlyArray<number>,
  baselineMax: number,
  o: ReconcileOptions
): Promise<ReadonlyArray<ApplyRow>> => {
  const rows: Array<ApplyRow> = []
  let perObjectMs: number | undefined
  for (const n of counts) {
    const sim = await start({ latencyMs: o.latencyMs, version: o.version })
    const dirs = tempDirs(`apply-${n}`)
    let row: Omit<ApplyRow, "baseline" | "ratio">
    try {
      writeNewRules(dirs, n)
      sim.requests.clear()
      const run = await runChild("reconcile.ts", ["apply"], clientEnv(sim, dirs), sim)
      const plan = summarize(between(run, sim, "plan", "apply"), o.latencyMs)
      const apply = summarize(between(run, sim, "apply", "phases"), o.latencyMs)
      const applied = record(run.result, "apply")
      const ruleWrites = ["add_rule", "set_rule", "upload_rules"].reduce(
        (sum, a) => sum + (apply.byEndpoint[`/api/firewall/filter/${a}`] ?? 0),
        0
      )
      const planMs = num(run.result, "planMs")
      const applyMs = num(applied, "ms")
      const reconfigured = applied["reconfigured"]
      row = {
        newRules: n,
        planMs: round(planMs),
        applyMs: round(applyMs),
        totalMs: round(planMs + applyMs),
        result: String(applied["result"]),
        verificationClean: applied["verificationClean"] === true,
        reconfigured: Array.isArray(reconfigured) ? reconfigured : [],
        plan,
        apply,
        ruleWrites,
        maxReconfiguresPerSubsystem: Math.max(0, ...Object.values(apply.reconfiguresByKind)),
        peakRssMb: round(num(run.result, "peakRssMb"))
      }
    } finally {
      await sim.close()
      dirs.remove()
    }
    const ours = row.plan.total + row.apply.total
    if (n <= baselineMax) {
      const base = await start({ latencyMs: o.latencyMs, version: o.version })
      try {
        const c = Baseline.client(base, 1)
        const started = performance.now()
        const saved = await Baseline.createRules(c, newRules(n))
        const wallMs = performance.now() - started
        c.close()
        if (saved !== n) throw new Error(`baseline saved ${saved} of ${n} rules: the bench's baseline payload is wrong`)
        const s = summarize(base.requests.entries, o.latencyMs)
        perObjectMs = wallMs / n
        rows.push({
          ...row,
          baseline: {
            measured: true,
            requests: s.total,
            writes: s.writes,
            reconfigures: s.reconfigures,
            wallMs: round(wallMs),
            latencyFloorMs: s.total * o.latencyMs,
            simulatorMsPerRequest: round(s.simulatorMs / Math.max(1, s.total), 2)
          },
          ratio: { requests: round(s.total / Math.max(1, ours)), wall: round(wallMs / row.totalMs, 2) }
        })
      } finally {
        await base.close()
      }
    } else {
      const estimatedWallMs = round((perObjectMs ?? 2 * o.latencyMs) * n)
      rows.push({
        ...row,
        baseline: {
          measured: false,
          estimatedWallMs,
          estimatedRequests: 2 * n,
          reason: perObjectMs === undefined
            ? `not run above ${baselineMax} rules; estimated at its latency floor (2 requests × ${o.latencyMs} ms per rule)`
            : `not run above ${baselineMax} rules (it would take minutes); estimated from the per-rule cost at the largest measured size`
        },
        ratio: { requests: round((2 * n) / Math.max(1, ours)), wall: round(estimatedWallMs / row.totalMs, 2) }
      })
    }
  }
  return rows
}

export const reportApply = (rows: ReadonlyArray<ApplyRow>, o: ReconcileOptions): void =>
  emit("apply-new-rules", { latencyMs: o.latencyMs, version: o.version, results: rows }, [
    {
      title: `plan + apply of N new rules (OPNsense ${o.version} simulator, ${o.latencyMs} ms per request)`,
      columns: [
        "new rules",
        "result",
        "rule writes",
        "writes",
        "reconfigures",
        "max/subsystem",
        "all requests",
        "plan ms",
        "apply ms",
        "peak RSS MB",
        "baseline req",
        "baseline ms",
        "× requests",
        "× wall"
      ],
      rows: rows.map((r) => [
        r.newRules,
        r.result,
        r.ruleWrites,
        r.apply.writes,
        r.apply.reconfigures,
        r.maxReconfiguresPerSubsystem,
        r.plan.total + r.apply.total,
        r.planMs,
        r.applyMs,
        r.peakRssMb,
        r.baseline.measured ? r.baseline.requests : `~${r.baseline.estimatedRequests}`,
        r.baseline.measured ? r.baseline.wallMs : `~${r.baseline.estimatedWallMs}`,
        r.ratio.requests,
        r.ratio.wall
      ]),
      notes: [
        "apply ms includes the stale-plan check (one snapshot), the writes, one reconfigure per subsystem and the verifying re-read",
        "baseline: add_rule then filter/apply for each rule, one at a time; ~ marks an estimate (not run at that size)"
      ]
    }
  ])

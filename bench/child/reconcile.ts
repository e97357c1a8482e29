/**
 * Bench child: one plan (or plan + apply) through the same composition as the CLI (Runtime.layer
 * from the environment), in a process of its own so its peak RSS is this run's alone. It tells the
 * parent where each phase starts (`mark`, acknowledged) so the parent can cut the simulator's
 * request log per phase, and ends with one `result` message.
 *
 *   fork("bench/child/reconcile.ts", ["plan" | "apply"], { env: clientEnv(...) })
 */
import { NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import { DesiredState } from "../../src/DesiredState.ts"
import type { DesiredSite } from "../../src/Domain/Desired.ts"
import { Firewalls, Reconciler } from "../../src/Reconciler.ts"
import { diffSite } from "../../src/Reconciler/Diff.ts"
import { orderChanges } from "../../src/Reconciler/Order.ts"
import { buildPlan, liveDigest } from "../../src/Reconciler/PlanBuilder.ts"
import * as Runtime from "../../src/Runtime.ts"
import { Store } from "../../src/Store/Store.ts"
import { timeSync } from "../lib/Report.ts"

// static imports are evaluated before this line: the time since the process started is module loading
const moduleLoadMs = performance.now()
const mode = process.argv[2] === "apply" ? "apply" : "plan"

const send = (message: Readonly<Record<string, unknown>>): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) return resolve()
    process.send(message, (error: Error | null) => (error === null ? resolve() : reject(error)))
  })

/** Tell the parent a phase starts here and wait until it has noted its request-log position. */
const mark = (label: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    if (process.send === undefined) return
    const acked = new Promise<void>((resolve) => process.once("message", () => resolve()))
    await send({ type: "mark", label })
    await acked
  })

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    const result = yield* effect
    return { result, ms: performance.now() - start }
  })

const rssMb = () => process.resourceUsage().maxRSS / 1024

/** Median of warm runs: at least one, more while under ~1.5 s in all (at most 5). */
const medianOf = (f: () => void): number => {
  const times: Array<number> = []
  let spent = 0
  while (times.length < 5 && (times.length === 0 || spent < 1500)) {
    const ms = timeSync(f).ms
    times.push(ms)
    spent += ms
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] ?? Number.NaN
}

/**
 * The pure computation alone, warm: the whole buildPlan and its parts, with no change and with a
 * changed desired state (every 10th rule updated, every 100th removed, 1% new).
 */
const diffFigures = (
  site: DesiredSite,
  live: Parameters<typeof buildPlan>[1],
  inventory: Parameters<typeof buildPlan>[2]
) => {
  const now = new Date()
  // the live digest is remembered per snapshot object: time each run on a snapshot of its own, as
  // a real plan (one fresh snapshot each) pays it, copied before the clock starts
  const fresh = Array.from({ length: 10 }, () => structuredClone(live))
  const nextFresh = () => fresh.pop() ?? structuredClone(live)
  const noop = medianOf(() => buildPlan(site, nextFresh(), inventory, now))
  const diffOnly = medianOf(() => diffSite(site, live, inventory))
  const digest = medianOf(() => liveDigest(nextFresh()))
  const { changes } = diffSite(site, live, inventory)
  const order = medianOf(() => orderChanges(changes))
  const extra = Math.max(1, Math.floor(site.rules.length / 100))
  const changed: DesiredSite = {
    ...site,
    rules: [
      ...site.rules
        .filter((_, i) => i % 100 !== 99)
        .map((
          r,
          i
        ) => (i % 10 === 0 ? { ...r, spec: { ...r.spec, description: `${r.spec.description} (changed)` } } : r)),
      ...site.rules.slice(0, extra).map((r, i) => ({
        ...r,
        name: `${r.name}-copy-${i}`,
        spec: { ...r.spec, description: `copy ${i}` }
      }))
    ]
  }
  let changedChanges = 0
  const withChanges = medianOf(() => {
    changedChanges = buildPlan(changed, live, inventory, now).plan.changes.length
  })
  return {
    rules: site.rules.length,
    buildPlanMs: noop,
    diffSiteMs: diffOnly,
    liveDigestMs: digest,
    orderChangesMs: order,
    changedBuildPlanMs: withChanges,
    changedChanges
  }
}

const program = Effect.gen(function*() {
  const reconciler = yield* Reconciler
  const dir = process.env["DESIRED_STATE_DIR"] ?? "./desired-state"

  yield* mark("plan")
  const planned = yield* timed(reconciler.plan())
  const planRssMb = rssMb()
  const plan = planned.result

  let apply: Record<string, unknown> | undefined
  if (mode === "apply") {
    yield* mark("apply")
    const applied = yield* timed(reconciler.apply(plan, { approve: true, actor: "bench" }))
    const report = applied.result
    apply = {
      ms: applied.ms,
      result: report.result,
      done: report.changes.filter((c) => c.status === "done").length,
      reconfigured: report.reconfigured,
      verificationClean: report.verification.clean
    }
  }

  // the same plan again, phase by phase, to show where the time goes (version and TLS are warm now)
  yield* mark("phases")
  const desired = yield* timed(DesiredState.use((d) => d.load({ dir })))
  const site = desired.result.tree.sites[0]
  let phases: Record<string, number> = { loadDesiredMs: desired.ms }
  let diff: Record<string, number> | undefined
  if (site !== undefined) {
    const client = yield* Firewalls.use((f) => f.forSite(site.config))
    const live = yield* timed(client.snapshot({ fresh: true }))
    const state = yield* Store.use((s) => s.site(site.config.name))
    const built = timeSync(() => buildPlan(site, live.result, state.inventory, new Date()))
    phases = { ...phases, snapshotMs: live.ms, buildPlanMs: built.ms }
    if (mode === "plan") diff = diffFigures(site, live.result, state.inventory)
  }
  yield* mark("end")
  return {
    mode,
    moduleLoadMs,
    planMs: planned.ms,
    changes: plan.changes.length,
    summary: plan.summary,
    planRssMb,
    peakRssMb: rssMb(),
    heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
    apply,
    phases,
    diff
  }
})

const main = program.pipe(
  Effect.provide(Runtime.layer({})),
  Effect.provide(NodeServices.layer)
)

Effect.runPromise(main).then(
  async (result) => {
    await send({ type: "result", result })
    process.exit(0)
  },
  async (error: unknown) => {
    await send({ type: "error", message: error instanceof Error ? error.message : String(error) })
    process.exit(1)
  }
)

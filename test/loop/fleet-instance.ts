/**
 * One `serve`-like instance for the fleet test: the real reconcile loop over SITES sites with
 * Redis leader election (rendezvous hashing), over the stub SafeReconciler. Every REPORT_MS it
 * prints one JSON line: the sites this instance leads right now (the loop's status).
 * Env: INSTANCE_ID, LEADER_PREFIX, INTERVAL_MS, SITES, REPORT_MS.
 */
import { Effect, Layer, Schedule } from "effect"
import { layer as loopLayer, ReconcileStatus } from "../../src/Reconciler/Loop.ts"
import { layerRedis } from "../../src/Safety/Leader.ts"
import { stubReconciler } from "./stub.ts"

const instance = process.env["INSTANCE_ID"] ?? "?"
const intervalMs = Number(process.env["INTERVAL_MS"] ?? "1500")
const reportMs = Number(process.env["REPORT_MS"] ?? "50")
const sites = Array.from({ length: Number(process.env["SITES"] ?? "50") }, (_, i) => `site-${i}`)

const loop = loopLayer({ intervalMs, mode: "enforce", sites }).pipe(
  Layer.provide(Layer.mergeAll(
    stubReconciler(() => "nothing-to-do", []),
    layerRedis({
      url: "redis://127.0.0.1:6379",
      ttlMs: Math.floor(intervalMs / 2),
      prefix: process.env["LEADER_PREFIX"] ?? "x:",
      instance
    })
  ))
)

const report = Effect.gen(function*() {
  const status = yield* ReconcileStatus
  yield* Effect.sync(() => process.stdout.write(`${JSON.stringify({ instance, ready: true })}\n`))
  yield* status.sites.pipe(
    Effect.flatMap((all) =>
      Effect.sync(() => {
        const leads = all.filter((s) => s.leader).map((s) => s.site)
        process.stdout.write(`${JSON.stringify({ instance, at: Date.now(), leads })}\n`)
      })
    ),
    Effect.repeat(Schedule.spaced(`${reportMs} millis`))
  )
})

Effect.runFork(Effect.scoped(Effect.provide(report, loop)))

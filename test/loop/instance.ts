/**
 * One `serve`-like instance for the leader-election test: the real reconcile loop with Redis leader
 * election, in enforce mode, over a test SafeReconciler that prints one JSON line per cycle.
 * Env: INSTANCE_ID, LEADER_PREFIX, INTERVAL_MS.
 */
import { Effect, Layer } from "effect"
import { layer as loopLayer } from "../../src/Reconciler/Loop.ts"
import { layerRedis } from "../../src/Safety/Leader.ts"
import { stubReconciler } from "./stub.ts"

const instance = process.env["INSTANCE_ID"] ?? "?"
const intervalMs = Number(process.env["INTERVAL_MS"] ?? "600")
const calls: Array<{ at: number; op: string }> = []
const announce = () => Effect.sync(() => process.stdout.write(`${JSON.stringify({ instance, at: Date.now() })}\n`))

const main = loopLayer({ intervalMs, mode: "enforce", sites: ["default"] }).pipe(
  Layer.provide(Layer.mergeAll(
    stubReconciler(() => "nothing-to-do", calls, announce),
    layerRedis({
      url: "redis://127.0.0.1:6379",
      ttlMs: Math.floor(intervalMs / 2),
      prefix: process.env["LEADER_PREFIX"] ?? "x:",
      instance
    })
  ))
)

process.stdout.write(`${JSON.stringify({ instance, ready: true })}\n`)
Effect.runFork(Layer.launch(main))

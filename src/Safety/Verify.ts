/**
 * After an apply: is the firewall still reachable and doing what was asked? Three checks, in
 * order: the API answers (ping), the re-plan is empty (the apply's own verification), and every
 * user-defined TCP probe of the site (sites.yaml `probes`: host:port, connected to from this
 * machine) connects. When any fails, the config revision recorded before the apply is restored
 * through core/backup (which replaces config.xml but reloads nothing) and every subsystem the
 * apply touched is reconfigured, so the running firewall follows the restored config.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import type { Probe } from "../Domain/Desired.ts"
import type { ResourceKind } from "../Domain/Model.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import { reconfigure } from "../Reconciler/Apply.ts"
import { RECONFIGURE_ORDER, subsystemOf } from "../Reconciler/Order.ts"

export interface ProbeResult {
  readonly host: string
  readonly port: number
  readonly ok: boolean
  readonly latencyMs: number
  readonly error?: string | undefined
}

/** One TCP connect from this machine; never fails, reports. */
export const tcpProbe = (probe: Probe): Effect.Effect<ProbeResult> =>
  Effect.callback<ProbeResult>((resume) => {
    const started = Date.now()
    const socket = net.connect({ host: probe.host, port: probe.port })
    const timeoutMs = probe.timeoutMs ?? 3_000
    const finish = (error: string | undefined) => {
      socket.destroy()
      resume(
        Effect.succeed({
          host: probe.host,
          port: probe.port,
          ok: error === undefined,
          latencyMs: Date.now() - started,
          ...(error === undefined ? {} : { error })
        })
      )
    }
    socket.setTimeout(timeoutMs, () => finish(`no connection within ${timeoutMs} ms`))
    socket.once("connect", () => finish(undefined))
    socket.once("error", (e) => finish(e.message))
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.withSpan("Safety.tcpProbe", { attributes: { host: probe.host, port: probe.port } }))

export interface Verification {
  readonly ok: boolean
  /** why not ok, one line per failed check */
  readonly failures: ReadonlyArray<string>
  readonly probes: ReadonlyArray<ProbeResult>
}

export const verify = (
  client: OpnsenseShape,
  options: {
    readonly replanClean: boolean
    readonly remaining: ReadonlyArray<string>
    readonly probes: ReadonlyArray<Probe>
    readonly timeoutMs?: number
  }
): Effect.Effect<Verification> =>
  Effect.gen(function*() {
    const failures: Array<string> = []
    const ping = yield* client.ping.pipe(Effect.timeout(Duration.millis(options.timeoutMs ?? 10_000)), Effect.result)
    if (ping._tag === "Failure") {
      failures.push(`the firewall API did not answer after the apply: ${ping.failure.message}`)
    }
    if (!options.replanClean) failures.push(`the re-plan is not empty: ${options.remaining.join("; ")}`)
    const probes = yield* Effect.forEach(options.probes, tcpProbe, { concurrency: 8 })
    for (const p of probes) if (!p.ok) failures.push(`probe ${p.host}:${p.port} failed: ${p.error ?? "no connection"}`)
    return { ok: failures.length === 0, failures, probes }
  }).pipe(Effect.withSpan("Safety.verify"))

export interface RevertOutcome {
  readonly revision: string
  /** revision: core/backup restore; inverse: the journal undone object by object (Undo.ts) */
  readonly mode?: "revision" | "inverse" | undefined
  readonly result: "reverted" | "failed"
  /** subsystems reconfigured after the restore */
  readonly reconfigured: ReadonlyArray<string>
  /** inverse: the writes it made */
  readonly writes?: number | undefined
  readonly error?: string | undefined
}

export const revert = (
  client: OpnsenseShape,
  revision: string,
  touched: ReadonlySet<ResourceKind>
): Effect.Effect<RevertOutcome> =>
  Effect.gen(function*() {
    const restored = yield* Effect.result(client.backups.revert(revision))
    if (restored._tag === "Failure") {
      return {
        revision,
        result: "failed" as const,
        reconfigured: [],
        error: `restoring revision ${revision} failed: ${restored.failure.message}`
      }
    }
    const reconfigured: Array<string> = []
    const errors: Array<string> = []
    // every subsystem the apply touched: OPNsense restores the file but reloads nothing
    const subsystems = new Set([...touched].map(subsystemOf))
    for (const subsystem of RECONFIGURE_ORDER.filter((s) => subsystems.has(s))) {
      const r = yield* Effect.result(reconfigure(client, subsystem))
      if (r._tag === "Success") reconfigured.push(subsystem)
      else errors.push(`reconfigure ${subsystem}: ${r.failure.message}`)
    }
    return errors.length === 0
      ? { revision, result: "reverted" as const, reconfigured }
      : { revision, result: "failed" as const, reconfigured, error: errors.join("; ") }
  }).pipe(Effect.withSpan("Safety.revert", { attributes: { revision } }))

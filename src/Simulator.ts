/**
 * The embedded OPNsense API simulator: an HTTP(S) server on 127.0.0.1 that behaves like an OPNsense
 * firewall as opnsense/core's source defines it. It shares no code with the project's OPNsense client, so a
 * misreading of the API in one is caught by the other (STYLE.md).
 *
 * Plain use (vitest):   const sim = await startSimulator(); …; await sim.close()
 * Effect use:           Effect.scoped(acquire(options)) or `layer(options)` for the `Simulator` service
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Aliases from "./Simulator/Aliases.ts"
import * as Assignments from "./Simulator/Assignments.ts"
import * as Categories from "./Simulator/Categories.ts"
import { generateCertificate } from "./Simulator/Cert.ts"
import * as Core from "./Simulator/Core.ts"
import * as DNat from "./Simulator/DNat.ts"
import { type Credentials, Faults } from "./Simulator/Faults.ts"
import * as Kea from "./Simulator/Kea.ts"
import * as OneToOne from "./Simulator/OneToOne.ts"
import * as Persist from "./Simulator/Persist.ts"
import { RequestLog } from "./Simulator/RequestLog.ts"
import { type Ctx, Router } from "./Simulator/Router.ts"
import * as Routes from "./Simulator/Routes.ts"
import * as Routing from "./Simulator/Routing.ts"
import * as Rules from "./Simulator/Rules.ts"
import { clearRollbackTimer } from "./Simulator/Savepoint.ts"
import { populate, populateHardware, type SeedData } from "./Simulator/Seed.ts"
import { startServer } from "./Simulator/Server.ts"
import * as SourceNat from "./Simulator/SourceNat.ts"
import { SimulatorState } from "./Simulator/State.ts"
import * as Unbound from "./Simulator/Unbound.ts"
import { profiles, type Series } from "./Simulator/Version.ts"
import * as Vlans from "./Simulator/Vlans.ts"

export type { Credentials, Fault } from "./Simulator/Faults.ts"
export type { RequestEntry } from "./Simulator/RequestLog.ts"
export { loadSeedFile, officeBox, type SeedData, type SeedItem } from "./Simulator/Seed.ts"
export type { ApiKey, Iface, LegacyRule, Revision } from "./Simulator/State.ts"
export { Faults, RequestLog, SimulatorState }

export interface SimulatorOptions {
  /** emulated release; default 26.7 (reported as 26.7.5), or 26.1 (26.1.5) */
  readonly version?: Series
  /**
   * product version core/firmware/status reports instead of the release's (e.g. "24.7.12", to see
   * what a client does with a version the simulator does not emulate). Only the version strings
   * change; every answer is still the emulated release's.
   */
  readonly reportVersion?: string
  /** HTTPS with a generated self-signed CA (default true), like a real box */
  readonly tls?: boolean
  /**
   * days the generated server certificate stays valid (default: $SIMULATOR_CERT_DAYS or 397, like
   * OPNsense's own self-signed one)
   */
  readonly certificateDays?: number
  /** 0 (default) = a free port */
  readonly port?: number
  /**
   * a loopback address to listen on (127.0.0.0/8 or ::1; default 127.0.0.1): tests place the
   * firewall's API on an interface address of its own (with `tls: false`, the certificate names
   * 127.0.0.1) or on IPv6
   */
  readonly host?: string
  /** default: generated, 80 characters like a real key (base64 of 60 random bytes: opnsense/core 26.7.2:
   * src/opnsense/mvc/app/models/OPNsense/Auth/FieldTypes/ApiKeyField.php)
   */
  readonly apiKey?: string
  readonly apiSecret?: string
  /** objects to preload (API field names) */
  readonly seed?: SeedData
  /** generate N rules, N/10 aliases, N/20 VLANs */
  readonly scale?: number
  /** a few realistic pre-existing objects (default true) */
  readonly unmanaged?: boolean
  /** added before every answer (default: $SIMULATOR_LATENCY_MS or 0) */
  readonly latencyMs?: number
  /**
   * keep the box in this JSON file: restored at start when it exists (same emulated version),
   * written after every successful write. The embedded sandbox uses DATA_DIR/sandbox/<site>.json
   * so that consecutive CLI runs see one firewall. Credentials are never written.
   */
  readonly stateFile?: string
  /**
   * `system/backupcount`: configuration revisions kept (default: absent, so 100 are kept); a small
   * number makes an apply rotate its recorded revision away quickly (State.ts `retention`)
   */
  readonly backupCount?: number
}

export interface SimulatorHandle {
  /** e.g. `https://127.0.0.1:PORT` */
  readonly url: string
  readonly apiKey: string
  readonly apiSecret: string
  /** PEM file of the CA that signed the server certificate (tls only) */
  readonly caFile: string | undefined
  readonly caPem: string | undefined
  /** e.g. "26.7.5" */
  readonly version: string
  readonly requests: RequestLog
  readonly faults: Faults
  /** the model itself: inspect or change it directly in tests */
  readonly state: SimulatorState
  close(): Promise<void>
}

const credential = () => randomBytes(60).toString("base64")

const latencyFromEnv = (): number => {
  const n = Number(process.env["SIMULATOR_LATENCY_MS"] ?? "0")
  return Number.isFinite(n) && n > 0 ? n : 0
}

const certificateDaysFromEnv = (): number => {
  const n = Number(process.env["SIMULATOR_CERT_DAYS"] ?? "397")
  return Number.isFinite(n) && n > 0 ? n : 397
}

export const startSimulator = async (options: SimulatorOptions = {}): Promise<SimulatorHandle> => {
  const emulated = profiles[options.version ?? "26.7"]
  const v = options.reportVersion === undefined ? emulated : { ...emulated, full: options.reportVersion }
  const state = new SimulatorState(v)
  let creds: Credentials = { apiKey: options.apiKey ?? credential(), apiSecret: options.apiSecret ?? credential() }
  state.apiKeys.push({ key: creds.apiKey, secret: creds.apiSecret, user: "root", privileges: ["page-all"] })
  if (options.backupCount !== undefined) state.backupCount = options.backupCount
  const ctx: Ctx = { state, v, save: () => undefined }
  const persisted = options.stateFile === undefined ? undefined : Persist.read(options.stateFile, v.full)
  if (persisted !== undefined) {
    populateHardware(ctx, options.seed)
    Persist.restore(state, persisted)
  } else {
    populate(ctx, { unmanaged: options.unmanaged ?? true, seed: options.seed, scale: options.scale ?? 0 })
    if (options.stateFile !== undefined) Persist.save(state, options.stateFile)
  }

  const faults = new Faults(options.latencyMs ?? latencyFromEnv(), () => {
    const next = { apiKey: credential(), apiSecret: credential() }
    const i = state.apiKeys.findIndex((k) => k.key === creds.apiKey)
    if (i >= 0) {
      state.apiKeys.splice(i, 1, { key: next.apiKey, secret: next.apiSecret, user: "root", privileges: ["page-all"] })
    }
    creds = next
    return next
  })
  const requests = new RequestLog()
  const router = new Router([
    Vlans.controller,
    Assignments.controller,
    Aliases.controller,
    Rules.controller,
    Categories.controller,
    DNat.controller,
    SourceNat.controller(Rules.wholeModel),
    OneToOne.controller(Rules.wholeModel),
    Kea.dhcpv4Controller,
    Kea.serviceController,
    Unbound.settingsController,
    Unbound.serviceController,
    Routing.controller,
    Routes.controller,
    Core.systemController,
    Core.firmwareController,
    Core.backupController,
    Core.overviewController
  ])

  const tls = options.tls ?? true
  const cert = tls ?
    generateCertificate(
      `${state.hostname}.${state.domain}`,
      options.certificateDays ?? certificateDaysFromEnv()
    ) :
    undefined
  const dir = cert === undefined ? undefined : mkdtempSync(join(tmpdir(), "opnsense-sim-"))
  const caFile = dir === undefined ? undefined : join(dir, "ca.pem")
  if (caFile !== undefined && cert !== undefined) writeFileSync(caFile, cert.caPem, { mode: 0o644 })

  const host = options.host ?? "127.0.0.1"
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) && host !== "::1") {
    throw new Error(`the simulator listens on loopback only, not ${host}`)
  }
  const server = await startServer(
    {
      state,
      router,
      faults,
      log: requests,
      tls: cert === undefined ? undefined : { cert: cert.certPem, key: cert.keyPem },
      afterWrite: options.stateFile === undefined ? undefined : Persist.saver(state, options.stateFile)
    },
    host,
    options.port ?? 0
  )
  let closed = false
  return {
    url: `${tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${server.port}`,
    get apiKey() {
      return creds.apiKey
    },
    get apiSecret() {
      return creds.apiSecret
    },
    caFile,
    caPem: cert?.caPem,
    version: v.full,
    requests,
    faults,
    state,
    close: async () => {
      if (closed) return
      closed = true
      clearRollbackTimer(state)
      await server.close()
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The simulator as a scoped resource: started on acquire, closed when the scope closes. */
export const acquire = (
  options: SimulatorOptions = {}
): Effect.Effect<SimulatorHandle, never, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startSimulator(options)),
    (handle) => Effect.promise(() => handle.close())
  )

export class Simulator extends Context.Service<Simulator, SimulatorHandle>()("opnsense-mcp/Simulator") {}

/** A layer providing a running `Simulator` for the layer's lifetime. */
export const layer = (options: SimulatorOptions = {}): Layer.Layer<Simulator> =>
  Layer.effect(Simulator, acquire(options))

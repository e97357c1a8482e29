/**
 * What the ops HTTP server needs from the rest of the service, as plain shapes. `serve`
 * (Cli/Serve.ts) fills them from the real services (Opnsense per site, Cache, CircuitBreaker,
 * Reconciler, Redis, the MCP transport); tests fill them with small test layers. Keeping the
 * server on these shapes means it never reaches into another feature's internals.
 */
import type * as Effect from "effect/Effect"
import type { HttpServerRequest } from "effect/http/HttpServerRequest"
import type { HttpServerResponse } from "effect/http/HttpServerResponse"
import type { OpnsenseShape } from "../Opnsense.ts"
import type { SiteStatus } from "../Reconciler/Loop.ts"

/** A failure any port may report: the message is shown to the caller as is (never a secret). */
export interface PortError {
  readonly _tag: string
  readonly message: string
}

export interface SitePort {
  readonly name: string
  readonly opnsense: Pick<OpnsenseShape, "ping" | "snapshot" | "version" | "url" | "backups">
}

export interface CacheStats {
  readonly hits: number
  readonly misses: number
  readonly size: number
  /** hits / (hits + misses), 0 when nothing was looked up */
  readonly hitRate: number
  readonly backend: "memory" | "redis"
}

export interface CachePort {
  readonly stats: Effect.Effect<CacheStats, PortError>
  /** drops every cached snapshot; returns how many entries went */
  readonly clear: Effect.Effect<number, PortError>
}

export type BreakerState = "closed" | "half_open" | "open"

export interface BreakerStatus {
  readonly site: string
  readonly state: BreakerState
  /** true when an operator forced it open with /admin/circuit-breaker/enable */
  readonly forced: boolean
  readonly failures: number
  readonly retryAfterMs?: number | undefined
}

export interface BreakerPort {
  readonly status: Effect.Effect<ReadonlyArray<BreakerStatus>>
  /** force open: stop calling OPNsense until disabled */
  readonly forceOpen: (site: string | undefined) => Effect.Effect<ReadonlyArray<BreakerStatus>>
  /** close (and clear a forced open) */
  readonly close: (site: string | undefined) => Effect.Effect<ReadonlyArray<BreakerStatus>>
}

export interface ReconcilerPort {
  /** the plan document (`plan --json`), or any JSON the reconciler returns for a site */
  readonly plan: (site: string) => Effect.Effect<unknown, PortError>
  readonly drift: (site: string) => Effect.Effect<unknown, PortError>
}

/** The reconcile loop's view per site (Flux-style conditions), for /health and /metrics. */
export interface ReconcilePort {
  readonly enabled: boolean
  readonly mode: string
  readonly sites: Effect.Effect<ReadonlyArray<SiteStatus>>
}

export interface RedisPort {
  readonly ping: Effect.Effect<void, PortError>
}

/** Streamable HTTP for MCP, as provided by Mcp.ts (auth is done by the server before this runs). */
export type McpHandler = (request: HttpServerRequest) => Effect.Effect<HttpServerResponse>

/** Locks, leader leases and other things shutdown must let go of before the process exits. */
export type ShutdownHook = Effect.Effect<void>

export interface Ports {
  readonly sites: ReadonlyArray<SitePort>
  readonly cache?: CachePort | undefined
  readonly breaker?: BreakerPort | undefined
  readonly reconciler?: ReconcilerPort | undefined
  readonly reconcile?: ReconcilePort | undefined
  readonly redis?: RedisPort | undefined
  readonly mcp?: McpHandler | undefined
  readonly onShutdown?: ReadonlyArray<ShutdownHook> | undefined
  /** git commit the build came from, when known */
  readonly commit?: string | undefined
}

/**
 * The server's ports filled from the real services: the Reconciler (sites, plan, drift), the
 * per-site Opnsense clients (Firewalls), the CircuitBreaker and the Cache, plus a Redis ping when
 * REDIS_URL is set. `serve` provides the services; this file only adapts shapes.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { DesiredStateInvalid } from "../DesiredState.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"
import { Firewalls, Reconciler } from "../Reconciler.ts"
import { ReconcileStatus } from "../Reconciler/Loop.ts"
import { Cache } from "../Resilience/Cache.ts"
import { type BreakerStats, CircuitBreaker } from "../Resilience/CircuitBreaker.ts"
import { connect } from "../Safety/Redis.ts"
import type { BreakerStatus, McpHandler, Ports, RedisPort, ShutdownHook } from "./Ports.ts"

const breakerStatus = (s: BreakerStats, now: number): BreakerStatus => ({
  site: s.site,
  state: s.state === "half-open" ? "half_open" : s.state,
  forced: s.forced === "open",
  failures: s.consecutiveFailures,
  retryAfterMs: s.nextProbeAt === undefined ? undefined : Math.max(0, s.nextProbeAt - now)
})

/** Its own client (Safety/Redis.connect): readiness must not depend on the cache's connection. */
export const redisPort = (url: string): Effect.Effect<RedisPort, never, Scope.Scope> =>
  Effect.map(connect({ url }), (client) => ({
    ping: Effect.tryPromise({
      try: () => client.ping(),
      catch: (cause) => ({
        _tag: "RedisError",
        message: `Redis did not answer PING: ${cause instanceof Error ? cause.message : String(cause)}`
      })
    }).pipe(Effect.asVoid)
  }))

export const ports = (options: {
  readonly mcp?: McpHandler | undefined
  readonly onShutdown?: ReadonlyArray<ShutdownHook> | undefined
  readonly commit?: string | undefined
} = {}): Effect.Effect<
  Ports,
  DesiredStateInvalid | OpnsenseError | Config.ConfigError,
  Reconciler | Firewalls | CircuitBreaker | Cache | Scope.Scope
> =>
  Effect.gen(function*() {
    const reconciler = yield* Reconciler
    const firewalls = yield* Firewalls
    const breaker = yield* CircuitBreaker
    const cache = yield* Cache
    const configs = yield* reconciler.sites
    const sites = yield* Effect.forEach(configs, (config) =>
      Effect.map(firewalls.forSite(config), (opnsense) => ({ name: config.name, opnsense })))
    const redisUrl = yield* Config.option(Config.String("REDIS_URL"))
    const redis = Option.isSome(redisUrl) && redisUrl.value !== "" ? yield* redisPort(redisUrl.value) : undefined
    const loop = yield* Effect.serviceOption(ReconcileStatus)
    const statuses = Effect.map(breaker.stats, (all) => {
      const now = Date.now()
      return all.map((s) =>
        breakerStatus(s, now)
      )
    })
    return {
      sites,
      cache: {
        stats: cache.stats,
        clear: Effect.flatMap(cache.stats, (before) => Effect.as(cache.clear, before.size))
      },
      breaker: {
        status: statuses,
        forceOpen: (site) => Effect.andThen(breaker.forceOpen(site), statuses),
        close: (site) => Effect.andThen(breaker.reset(site), statuses)
      },
      reconciler: {
        plan: (site) => reconciler.plan({ site }),
        drift: (site) => reconciler.drift({ site })
      },
      reconcile: Option.match(loop, {
        onNone: () => undefined,
        onSome: (status) => ({ enabled: status.enabled, mode: status.mode, sites: status.sites })
      }),
      redis,
      mcp: options.mcp,
      onShutdown: options.onShutdown,
      commit: options.commit
    } satisfies Ports
  })

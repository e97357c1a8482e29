/**
 * The shared composition the CLI commands and the server use: configuration from the environment
 * (the variables README.md lists), the desired-state loader, one Opnsense client per site (src/Target.ts decides
 * where and how each site connects; the embedded sandbox when no URL is set), DATA_DIR, and the
 * Reconciler on top.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type { FileSystem } from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import { userInfo } from "node:os"
import { DesiredState } from "./DesiredState.ts"
import type { SiteConfig } from "./Domain/Desired.ts"
import type { OpnsenseShape } from "./Opnsense.ts"
import { make as makeClient } from "./Opnsense/Client.ts"
import { TransportError } from "./Opnsense/Errors.ts"
import { Firewalls, type Reconciler } from "./Reconciler.ts"
import { layer as reconcilerLayer } from "./Reconciler/Live.ts"
import { Cache } from "./Resilience/Cache.ts"
import { layerConfig as cacheLayerConfig } from "./Resilience/CacheConfig.ts"
import { CircuitBreaker, layerConfig as breakerLayerConfig } from "./Resilience/CircuitBreaker.ts"
import { layer as journalLayer } from "./Safety/Journal.ts"
import { layerFor as lockLayerFor } from "./Safety/Lock.ts"
import * as Safe from "./Safety/SafeReconciler.ts"
import type { SafeReconciler } from "./Safety/SafeReconciler.ts"
import { layer as storeLayer, Store } from "./Store/Store.ts"
import { resolveTarget } from "./Target.ts"

export interface Settings {
  readonly desiredDir: string
  readonly dataDir: string
  /** recorded in the audit log: OPNSENSE_MCP_ACTOR, else $USER, else $LOGNAME, else the account of the process */
  readonly actor: string
}

/** The account this process runs as (systemd services and containers often have no $USER). */
const osUser = (): string => {
  try {
    return userInfo().username
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`
  }
}

export const settings = (
  overrides: { readonly dir?: string | undefined; readonly dataDir?: string | undefined } = {}
): Effect.Effect<Settings, Config.ConfigError> =>
  Effect.gen(function*() {
    const desiredDir = overrides.dir ??
      (yield* Config.String("DESIRED_STATE_DIR").pipe(Config.withDefault("./desired-state")))
    const dataDir = overrides.dataDir ?? (yield* Config.String("DATA_DIR").pipe(Config.withDefault("./data")))
    const named = (name: string) =>
      Config.option(Config.String(name)).pipe(Config.map((o) => Option.filter(o, (v) => v.trim() !== "")))
    const actor = Option.getOrUndefined(yield* named("OPNSENSE_MCP_ACTOR")) ??
      Option.getOrUndefined(yield* named("USER")) ?? Option.getOrUndefined(yield* named("LOGNAME")) ?? osUser()
    return { desiredDir, dataDir, actor }
  })

/**
 * One client per site, built on first use and kept for the layer's lifetime (its cache entries,
 * breaker and, for the sandbox, the simulator live as long as it). A site whose connection is
 * misconfigured fails with a TransportError that carries the configuration message.
 */
export const firewallsLayer: Layer.Layer<Firewalls, never, CircuitBreaker | Cache> = Layer.effect(
  Firewalls,
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const services = yield* Effect.context<CircuitBreaker | Cache>()
    const lock = yield* Semaphore.make(1)
    const clients = new Map<string, OpnsenseShape>()
    const forSite = (site: SiteConfig) =>
      lock.withPermits(1)(
        Effect.gen(function*() {
          const known = clients.get(site.name)
          if (known !== undefined) return known
          const target = yield* resolveTarget(site).pipe(
            Effect.mapError((error) =>
              new TransportError({ message: error.message, site: site.name, endpoint: "configuration", cause: error })
            )
          )
          const client = yield* makeClient(target.options)
          clients.set(site.name, client)
          return client
        }).pipe(Scope.provide(scope), Effect.provide(services))
      )
    return { forSite }
  })
)

/**
 * Everything a command needs, from the environment; `dir` is the --dir flag. The Reconciler is
 * wrapped by the safety layer (src/Safety: apply lock, journal, lockout guard, verify/revert).
 */
export const layer = (overrides: { readonly dir?: string | undefined } = {}): Layer.Layer<
  Reconciler | SafeReconciler | Store | Firewalls | DesiredState | CircuitBreaker | Cache,
  Config.ConfigError,
  FileSystem
> =>
  Layer.unwrap(
    Effect.map(settings(overrides), (s) =>
      Safe.layerAsReconciler(reconcilerLayer({ desiredDir: s.desiredDir, actor: s.actor }), { actor: s.actor }).pipe(
        Layer.provideMerge(
          Layer.mergeAll(
            firewallsLayer,
            storeLayer(s.dataDir),
            DesiredState.layer,
            journalLayer({ dataDir: s.dataDir }),
            lockLayerFor(s.dataDir)
          )
        ),
        Layer.provideMerge(Layer.mergeAll(breakerLayerConfig, cacheLayerConfig))
      ))
  )

/** Only DATA_DIR (state verify/migrate need nothing else). */
export const storeOnly: Layer.Layer<Store, Config.ConfigError> = Layer.unwrap(
  Effect.map(settings(), (s) => storeLayer(s.dataDir))
)

/**
 * Layers for the Opnsense service: from explicit options, from the environment (via Target.ts),
 * and for a running simulator (tests). The client needs a CircuitBreaker and a Cache; `layer`
 * leaves them to the caller (so one breaker registry and one cache serve every site), and
 * `layerStandalone` brings its own in-memory ones.
 */
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { SiteConfig } from "../Domain/Desired.ts"
import { Opnsense } from "../Opnsense.ts"
import { Cache, layerMemory } from "../Resilience/Cache.ts"
import { CircuitBreaker, type CircuitBreakerOptions, layer as breakerLayer } from "../Resilience/CircuitBreaker.ts"
import {
  type ResolveOptions,
  resolveTarget,
  type SimulatorConnection,
  simulatorOptions,
  type TargetConfigError
} from "../Target.ts"
import { type ClientOptions, make } from "./Client.ts"

export type { ClientOptions }

/** The client for one site; needs CircuitBreaker and Cache. */
export const layer = (options: ClientOptions): Layer.Layer<Opnsense, never, CircuitBreaker | Cache> =>
  Layer.effect(Opnsense, make(options))

/**
 * The client for a site from the environment and sites.yaml (Target.ts): OPNSENSE_URL or the
 * site's url, credentials, CA, OPNSENSE_INSECURE, OPNSENSE_TIMEOUT_MS, OPNSENSE_RETRIES...; with no
 * URL at all, the embedded sandbox (banner on stderr), which lives as long as the layer.
 */
export const layerConfig = (
  site?: SiteConfig,
  options: ResolveOptions = {}
): Layer.Layer<Opnsense, TargetConfigError | Config.ConfigError, CircuitBreaker | Cache> =>
  Layer.effect(
    Opnsense,
    Effect.gen(function*() {
      const target = yield* resolveTarget(site, options)
      return yield* make(target.options)
    })
  )

/** The client with its own in-memory cache and breaker (one-off commands, tests). */
export const layerStandalone = (
  options: ClientOptions & { readonly breaker?: Partial<CircuitBreakerOptions>; readonly cacheTtlSeconds?: number }
): Layer.Layer<Opnsense | CircuitBreaker | Cache> =>
  layer(options).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        breakerLayer(options.breaker ?? {}),
        layerMemory({ defaultTtlSeconds: options.cacheTtlSeconds ?? 60 })
      )
    )
  )

export { simulatorOptions }

/** A standalone client of a running simulator (tests). */
export const layerSimulator = (
  handle: SimulatorConnection,
  overrides: Partial<ClientOptions> & {
    readonly breaker?: Partial<CircuitBreakerOptions>
    readonly cacheTtlSeconds?: number
  } = {}
): Layer.Layer<Opnsense | CircuitBreaker | Cache> =>
  layerStandalone({ ...simulatorOptions(handle, overrides), ...overrides })

/** Build the service value directly inside a scope (when a Layer is not convenient). */
export const makeClient = make

/**
 * The cache as a service: JSON values under string keys with a TTL. Two implementations share one
 * contract (and one test suite): in-process memory, and Redis (RedisCache.ts, chosen when
 * REDIS_URL is set). Reads never fail: a cache that cannot answer is a miss. `warm` runs the
 * loaders that features registered (the Opnsense client registers its snapshot per site).
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { recordCacheHit, recordCacheMiss, registerCache } from "../Telemetry/Metrics.ts"

export interface CacheStats {
  readonly backend: "memory" | "redis"
  readonly hits: number
  readonly misses: number
  /** entries currently held (not yet expired) */
  readonly size: number
  /** hits / (hits + misses), 0 when nothing was asked */
  readonly hitRate: number
  /** Redis only: true while Redis is unreachable and the cache behaves as empty */
  readonly degraded: boolean
  readonly defaultTtlSeconds: number
}

export interface CacheShape {
  readonly get: (key: string) => Effect.Effect<Option.Option<unknown>>
  /**
   * The entry as its JSON text, unparsed. The text stands for the entry: a caller that keeps what it
   * decoded from a text can reuse it for as long as the same text comes back (the memory cache
   * hands back the very same string, so that comparison costs nothing).
   */
  readonly getText: (key: string) => Effect.Effect<Option.Option<string>>
  /** `ttlSeconds` defaults to CACHE_DEFAULT_TTL */
  readonly set: (key: string, value: unknown, ttlSeconds?: number) => Effect.Effect<void>
  /** remove one key, or every key under a prefix ending in "*" ("opnsense:site-a:*") */
  readonly invalidate: (key: string) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
  readonly stats: Effect.Effect<CacheStats>
  /** run every registered warmer; the number that succeeded */
  readonly warm: Effect.Effect<number>
  /** register a loader for `warm` under a name (re-registering replaces it) */
  readonly registerWarmer: (name: string, load: Effect.Effect<unknown, unknown>) => Effect.Effect<void>
}

export class Cache extends Context.Service<Cache, CacheShape>()("opnsense-mcp/Cache") {}

/** The hits and misses of one backend, counted for `stats` and fed to the shared metrics. */
export const makeCounters = (backend: CacheStats["backend"]) =>
  Effect.map(Effect.andThen(registerCache(backend), Ref.make({ hits: 0, misses: 0 })), (counters) => ({
    /** count a lookup by what it found, and pass that on */
    count: (found: Option.Option<string>): Effect.Effect<Option.Option<string>> =>
      Effect.as(
        Option.isSome(found)
          ? Effect.andThen(Ref.update(counters, (c) => ({ ...c, hits: c.hits + 1 })), recordCacheHit(backend))
          : Effect.andThen(Ref.update(counters, (c) => ({ ...c, misses: c.misses + 1 })), recordCacheMiss(backend)),
        found
      ),
    reset: Ref.set(counters, { hits: 0, misses: 0 }),
    /** hits, misses and hits / (hits + misses), 0 when nothing was asked */
    read: Effect.map(Ref.get(counters), ({ hits, misses }) => ({
      hits,
      misses,
      hitRate: hits + misses === 0 ? 0 : hits / (hits + misses)
    }))
  }))

/** Warmer registry shared by both implementations. */
export const makeWarmers = Effect.gen(function*() {
  const warmers = yield* Ref.make<ReadonlyMap<string, Effect.Effect<unknown, unknown>>>(new Map())
  return {
    register: (name: string, load: Effect.Effect<unknown, unknown>) =>
      Ref.update(warmers, (m) => new Map(m).set(name, load)),
    warm: Effect.gen(function*() {
      const all = yield* Ref.get(warmers)
      const results = yield* Effect.forEach([...all], ([name, load]) =>
        load.pipe(
          Effect.as(true),
          Effect.catchCause((cause) => Effect.as(Effect.logWarning(`cache warm: ${name} failed`, cause), false))
        ), { concurrency: 4 })
      return results.filter(Boolean).length
    })
  }
})

const matches = (pattern: string) => (key: string) =>
  pattern.endsWith("*") ? key.startsWith(pattern.slice(0, -1)) : key === pattern

/**
 * The value is kept as given and serialised on the first read only: a one-shot command sets the
 * snapshot (about 5 MB of JSON at 10,000 rules) and never reads it back. Values are immutable
 * data once set (the snapshots are); callers still get a copy, as from Redis.
 */
interface Entry {
  readonly value: unknown
  json?: string
  readonly expiresAt: number
}

const textOf = (entry: Entry): string => entry.json ??= JSON.stringify(entry.value)

export const makeMemory = (defaultTtlSeconds: number): Effect.Effect<CacheShape> =>
  Effect.gen(function*() {
    const entries = yield* Ref.make<ReadonlyMap<string, Entry>>(new Map())
    const counters = yield* makeCounters("memory")
    const warmers = yield* makeWarmers

    const live = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      return yield* Ref.modify(entries, (m) => {
        const kept = new Map([...m].filter(([, e]) => e.expiresAt > now))
        return [kept, kept] as const
      })
    })

    const getText = (key: string) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const entry = (yield* Ref.get(entries)).get(key)
        return yield* counters.count(
          entry === undefined || entry.expiresAt <= now ? Option.none() : Option.some(textOf(entry))
        )
      })

    return {
      get: (key) => Effect.map(getText(key), Option.map((text): unknown => JSON.parse(text))),
      getText,
      set: (key, value, ttlSeconds = defaultTtlSeconds) =>
        Effect.gen(function*() {
          if (ttlSeconds <= 0) return
          const now = yield* Clock.currentTimeMillis
          yield* Ref.update(entries, (m) => new Map(m).set(key, { value, expiresAt: now + ttlSeconds * 1000 }))
        }),
      invalidate: (key) => Ref.update(entries, (m) => new Map([...m].filter(([k]) => !matches(key)(k)))),
      clear: Effect.andThen(Ref.set(entries, new Map()), counters.reset),
      stats: Effect.gen(function*() {
        const size = (yield* live).size
        return { backend: "memory", ...(yield* counters.read), size, degraded: false, defaultTtlSeconds }
      }),
      warm: warmers.warm,
      registerWarmer: warmers.register
    } satisfies CacheShape
  })

/** CACHE_DEFAULT_TTL in seconds, 60 by default. */
export const defaultTtl = Config.Int("CACHE_DEFAULT_TTL").pipe(Config.withDefault(60))

export const layerMemory = (options: { readonly defaultTtlSeconds?: number } = {}): Layer.Layer<Cache> =>
  Layer.effect(Cache, makeMemory(options.defaultTtlSeconds ?? 60))

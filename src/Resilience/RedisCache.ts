/**
 * The Cache on Redis (ioredis), shared by every instance pointed at the same REDIS_URL. Keys live
 * under a prefix; TTLs are Redis expiries. A Redis outage never fails a read or a write: the cache
 * behaves as empty, logs one warning when the outage starts and one when it ends, and `stats`
 * reports `degraded: true` meanwhile.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import { Cache, type CacheShape, makeCounters, makeWarmers } from "./Cache.ts"

export interface RedisCacheOptions {
  /** redis://host:port/db */
  readonly url: string
  readonly defaultTtlSeconds: number
  /** key prefix, default "opnsense-mcp:cache:" */
  readonly prefix?: string
  /** per-command timeout, default 500 ms: a slow Redis must not slow every read */
  readonly commandTimeoutMs?: number
}

/** The URL without its password, for messages. */
export const safeRedisUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.password = ""
    return parsed.toString()
  } catch {
    return "(unparsable REDIS_URL)"
  }
}

export const makeRedis = (options: RedisCacheOptions): Effect.Effect<CacheShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const prefix = options.prefix ?? "opnsense-mcp:cache:"
    const where = safeRedisUrl(options.url)
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Redis(options.url, {
          lazyConnect: false,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: options.commandTimeoutMs ?? 500,
          connectTimeout: 2_000,
          retryStrategy: (times) => Math.min(times * 200, 2_000)
        })
      ),
      (redis) => Effect.sync(() => redis.disconnect())
    )
    // ioredis emits "error" on every failed reconnect; the warning comes from `attempt` instead
    client.on("error", () => {})
    // Wait (bounded) for the first connection so the first commands do not race it; a Redis that
    // is down at start is an outage like any other, not a startup failure.
    yield* Effect.callback<void>((resume) => {
      if (client.status === "ready") return resume(Effect.void)
      const done = () => {
        clearTimeout(timer)
        client.off("ready", done)
        client.off("end", done)
        client.off("error", done)
        resume(Effect.void)
      }
      const timer = setTimeout(done, 2_000)
      client.once("ready", done)
      client.once("end", done)
      client.once("error", done)
    })
    const counters = yield* makeCounters("redis")
    const degraded = yield* Ref.make(false)
    const warmers = yield* makeWarmers

    /** Run a Redis command; on failure warn once per outage and fall back. */
    const attempt = <A>(what: string, run: () => Promise<A>, fallback: A): Effect.Effect<A> =>
      Effect.tryPromise(run).pipe(
        Effect.tap(() =>
          Effect.flatMap(
            Ref.getAndSet(degraded, false),
            (was) =>
              was ? Effect.logWarning(`cache: Redis at ${where} is reachable again; caching resumed`) : Effect.void
          )
        ),
        Effect.catch((error) =>
          Effect.flatMap(Ref.getAndSet(degraded, true), (was) =>
            (was
              ? Effect.void
              : Effect.logWarning(
                `cache: Redis at ${where} is unavailable (${what}: ${
                  error.cause instanceof Error ? error.cause.message : String(error.cause)
                }); ` +
                  `continuing without cache until it is back`
              )).pipe(Effect.as(fallback)))
        )
      )

    const keysUnder = async (pattern: string): Promise<Array<string>> => {
      const found: Array<string> = []
      let cursor = "0"
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000)
        cursor = next
        found.push(...keys)
      } while (cursor !== "0")
      return found
    }

    const deleteMatching = async (pattern: string) => {
      const keys = await keysUnder(pattern)
      if (keys.length > 0) await client.del(...keys)
    }

    const getText = (key: string) =>
      Effect.flatMap(
        attempt("get", () => client.get(prefix + key), null),
        (raw) => counters.count(Option.fromNullOr(raw))
      )

    return {
      get: (key) => Effect.map(getText(key), Option.map((text): unknown => JSON.parse(text))),
      getText,
      set: (key, value, ttlSeconds = options.defaultTtlSeconds) =>
        ttlSeconds <= 0
          ? Effect.void
          : Effect.asVoid(attempt("set", () =>
            client.set(prefix + key, JSON.stringify(value), "PX", Math.round(ttlSeconds * 1000)), "OK")),
      invalidate: (key) =>
        key.endsWith("*")
          ? attempt("invalidate", () => deleteMatching(prefix + key), undefined)
          : Effect.asVoid(attempt("invalidate", () => client.del(prefix + key), 0)),
      clear: Effect.andThen(
        attempt("clear", () => deleteMatching(`${prefix}*`), undefined),
        counters.reset
      ),
      stats: Effect.gen(function*() {
        const size = yield* attempt("stats", async () => (await keysUnder(`${prefix}*`)).length, 0)
        return {
          backend: "redis",
          ...(yield* counters.read),
          size,
          degraded: yield* Ref.get(degraded),
          defaultTtlSeconds: options.defaultTtlSeconds
        }
      }),
      warm: warmers.warm,
      registerWarmer: warmers.register
    } satisfies CacheShape
  })

export const layerRedis = (options: RedisCacheOptions): Layer.Layer<Cache> => Layer.effect(Cache, makeRedis(options))

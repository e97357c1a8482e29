/**
 * The Cache from the environment: Redis when REDIS_URL is set, in-process memory
 * otherwise; TTL from CACHE_DEFAULT_TTL (seconds, default 60).
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Cache, defaultTtl, makeMemory } from "./Cache.ts"

export const layerConfig: Layer.Layer<Cache, Config.ConfigError> = Layer.effect(
  Cache,
  Effect.gen(function*() {
    const ttl = yield* defaultTtl
    const url = yield* Config.option(Config.String("REDIS_URL"))
    return Option.isSome(url) && url.value !== ""
      // ioredis is loaded only when Redis is configured: most CLI runs never use it
      ? yield* Effect.flatMap(
        Effect.promise(() => import("./RedisCache.ts")),
        ({ makeRedis }) => makeRedis({ url: url.value, defaultTtlSeconds: ttl })
      )
      : yield* makeMemory(ttl)
  })
)

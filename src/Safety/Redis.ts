/**
 * The Redis connection the safety layer uses for locks and leader election: its own client (a
 * lock must not queue behind cache traffic), failing fast when Redis is down instead of queueing
 * commands, closed with the scope. Small Lua scripts make compare-and-renew and
 * compare-and-delete atomic.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
export { safeRedisUrl } from "../Resilience/RedisCache.ts"

export interface RedisOptions {
  /** redis://host:port/db */
  readonly url: string
  /** per-command timeout (default 1000 ms) */
  readonly commandTimeoutMs?: number | undefined
}

export const connect = (options: RedisOptions): Effect.Effect<Redis, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const client = new Redis(options.url, {
        enableOfflineQueue: true,
        maxRetriesPerRequest: 1,
        commandTimeout: options.commandTimeoutMs ?? 1_000,
        connectTimeout: 2_000,
        retryStrategy: (times) => Math.min(times * 200, 2_000)
      })
      // reconnect errors surface as failed commands where they matter
      client.on("error", () => {})
      return client
    }),
    (client) => Effect.sync(() => client.disconnect())
  )

/** Extend the key's expiry when it still holds our value. Returns 1 when renewed. */
export const RENEW =
  `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`

/** Delete the key when it still holds our value. Returns 1 when deleted. */
export const RELEASE =
  `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`

/**
 * Membership with a heartbeat: KEYS[1] is a sorted set of instance → expiry (Redis's own clock, so
 * instances on hosts with skewed clocks agree). Drops expired members, adds or refreshes ARGV[1]
 * for ARGV[2] ms, and returns the live members. The set itself expires when every member stops.
 */
export const HEARTBEAT = `local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
redis.call("ZADD", KEYS[1], now + ttl, ARGV[1])
redis.call("PEXPIRE", KEYS[1], ttl * 2)
return redis.call("ZRANGE", KEYS[1], 0, -1)`

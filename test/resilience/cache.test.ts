/**
 * One contract for both Cache implementations: memory and Redis (real, at 127.0.0.1:6379) run the
 * same suite. Then what only one of them has: TTL under TestClock (memory), and a Redis outage
 * that degrades to no cache with a warning instead of failing reads.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, Option, type Scope } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { TestClock } from "effect/testing"
import { randomBytes } from "node:crypto"
import * as net from "node:net"
import { type CacheShape, makeMemory } from "../../src/Resilience/Cache.ts"
import { makeRedis } from "../../src/Resilience/RedisCache.ts"

const REDIS = "redis://127.0.0.1:6379"
const prefix = () => `opnsense-mcp:test:${randomBytes(6).toString("hex")}:`

const suite = (name: string, make: Effect.Effect<CacheShape, never, Scope.Scope>) =>
  describe(`Cache contract: ${name}`, () => {
    it.live("misses, then hits with an equal copy of what was set", () =>
      Effect.gen(function*() {
        const cache = yield* make
        expect(Option.isNone(yield* cache.get("a"))).toBe(true)
        const value = { site: "default", rules: [{ uuid: "u1", sequence: 101 }], stale: false }
        yield* cache.set("a", value)
        const hit = yield* cache.get("a")
        expect(Option.getOrThrow(hit)).toEqual(value)
        expect(Option.getOrThrow(hit)).not.toBe(value)
        const stats = yield* cache.stats
        expect(stats).toMatchObject({ hits: 1, misses: 1, size: 1, hitRate: 0.5, degraded: false })
      }))

    it.live("exports its hit and miss counters at 0 before the first lookup", () =>
      Effect.gen(function*() {
        const cache = yield* make
        const text = yield* PrometheusMetrics.format()
        const backend = (yield* cache.stats).backend
        expect(text).toMatch(new RegExp(`^opnsense_mcp_cache_hits_total\\{cache="${backend}"\\} \\d+$`, "m"))
        expect(text).toMatch(new RegExp(`^opnsense_mcp_cache_misses_total\\{cache="${backend}"\\} \\d+$`, "m"))
      }))

    it.live("gives an entry as its JSON text, the same text while the entry is unchanged", () =>
      Effect.gen(function*() {
        const cache = yield* make
        expect(Option.isNone(yield* cache.getText("t"))).toBe(true)
        const value = { site: "default", rules: [{ uuid: "u1", description: "Zürich / 1" }] }
        yield* cache.set("t", value)
        const first = Option.getOrThrow(yield* cache.getText("t"))
        expect(JSON.parse(first)).toEqual(value)
        expect(Option.getOrThrow(yield* cache.getText("t"))).toBe(first)
        yield* cache.set("t", { ...value, site: "other" })
        expect(Option.getOrThrow(yield* cache.getText("t"))).not.toBe(first)
        expect(yield* cache.stats).toMatchObject({ hits: 3, misses: 1 })
      }))

    it.live("expires entries after their TTL", () =>
      Effect.gen(function*() {
        const cache = yield* make
        yield* cache.set("short", 1, 0.2)
        yield* cache.set("long", 2, 30)
        expect(Option.isSome(yield* cache.get("short"))).toBe(true)
        yield* Effect.sleep("350 millis")
        expect(Option.isNone(yield* cache.get("short"))).toBe(true)
        expect(Option.getOrThrow(yield* cache.get("long"))).toBe(2)
        expect((yield* cache.stats).size).toBe(1)
      }))

    it.live("invalidates one key or every key under a prefix, and clears", () =>
      Effect.gen(function*() {
        const cache = yield* make
        yield* cache.set("opnsense:a:snapshot", 1)
        yield* cache.set("opnsense:a:other", 2)
        yield* cache.set("opnsense:b:snapshot", 3)
        yield* cache.invalidate("opnsense:a:snapshot")
        expect(Option.isNone(yield* cache.get("opnsense:a:snapshot"))).toBe(true)
        expect(Option.isSome(yield* cache.get("opnsense:a:other"))).toBe(true)
        yield* cache.invalidate("opnsense:a:*")
        expect(Option.isNone(yield* cache.get("opnsense:a:other"))).toBe(true)
        expect(Option.getOrThrow(yield* cache.get("opnsense:b:snapshot"))).toBe(3)
        yield* cache.clear
        expect(yield* cache.stats).toMatchObject({ size: 0 })
        expect(Option.isNone(yield* cache.get("opnsense:b:snapshot"))).toBe(true)
      }))

    it.live("warm runs every registered loader and counts the ones that worked", () =>
      Effect.gen(function*() {
        const cache = yield* make
        yield* cache.registerWarmer("one", cache.set("warm:one", "x"))
        yield* cache.registerWarmer("broken", Effect.fail("firewall down"))
        yield* cache.registerWarmer("two", cache.set("warm:two", "y"))
        expect(yield* cache.warm).toBe(2)
        expect(Option.getOrThrow(yield* cache.get("warm:two"))).toBe("y")
      }))
  })

suite("memory", makeMemory(60))
suite("redis", Effect.suspend(() => makeRedis({ url: REDIS, defaultTtlSeconds: 60, prefix: prefix() })))

describe("memory cache TTL", () => {
  it.effect("keeps an entry for CACHE_DEFAULT_TTL seconds, then drops it (TestClock)", () =>
    Effect.gen(function*() {
      const cache = yield* makeMemory(60)
      yield* cache.set("k", "v")
      yield* TestClock.adjust("59 seconds")
      expect(Option.isSome(yield* cache.get("k"))).toBe(true)
      yield* TestClock.adjust("2 seconds")
      expect(Option.isNone(yield* cache.get("k"))).toBe(true)
    }))
})

/** A TCP proxy to the real Redis that the test can cut, to stage an outage mid-run. */
const proxyToRedis = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ readonly port: number; readonly cut: () => void; readonly server: net.Server }>((resolve) => {
      const sockets = new Set<net.Socket>()
      const server = net.createServer((client) => {
        const upstream = net.connect(6379, "127.0.0.1")
        sockets.add(client).add(upstream)
        client.pipe(upstream).pipe(client)
        const drop = () => {
          client.destroy()
          upstream.destroy()
        }
        client.on("error", drop)
        upstream.on("error", drop)
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        resolve({
          port,
          server,
          cut: () => {
            server.close()
            for (const s of sockets) s.destroy()
          }
        })
      })
    })
  ),
  (proxy) => Effect.sync(() => proxy.cut())
)

describe("Redis outage", () => {
  const captureWarnings = (lines: Array<string>) =>
    Logger.layer([Logger.make(({ logLevel, message }) => {
      if (logLevel === "Warn") lines.push(Array.isArray(message) ? message.join(" ") : String(message))
    })])

  it.live("a Redis that is not there is an empty cache with a warning, never an error", () => {
    const warnings: Array<string> = []
    return Effect.gen(function*() {
      const cache = yield* makeRedis({ url: "redis://127.0.0.1:1", defaultTtlSeconds: 60, prefix: prefix() })
      yield* cache.set("k", "v")
      expect(Option.isNone(yield* cache.get("k"))).toBe(true)
      yield* cache.invalidate("k")
      const stats = yield* cache.stats
      expect(stats).toMatchObject({ backend: "redis", degraded: true, size: 0 })
      expect(warnings.filter((w) => w.includes("Redis at redis://127.0.0.1:1") && w.includes("is unavailable")))
        .toHaveLength(1)
    }).pipe(Effect.provide(captureWarnings(warnings)))
  })

  it.live("losing Redis mid-run degrades to misses with a warning, never an error", () => {
    const warnings: Array<string> = []
    return Effect.gen(function*() {
      const proxy = yield* proxyToRedis
      const cache = yield* makeRedis({
        url: `redis://127.0.0.1:${proxy.port}`,
        defaultTtlSeconds: 60,
        prefix: prefix()
      })
      yield* cache.set("k", "v")
      expect(Option.getOrThrow(yield* cache.get("k"))).toBe("v")
      proxy.cut()
      yield* Effect.sleep("50 millis")
      expect(Option.isNone(yield* cache.get("k"))).toBe(true)
      expect((yield* cache.stats).degraded).toBe(true)
      expect(warnings.some((w) => w.includes("unavailable"))).toBe(true)
    }).pipe(Effect.provide(captureWarnings(warnings)))
  })
})

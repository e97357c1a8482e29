/**
 * The apply lock, both backends: a second acquisition fails fast naming the holder, release lets
 * the next one in with a larger fencing token, a lock left by a dead holder is recovered (file:
 * dead pid; Redis: expiry), and a lease that was taken over fails its check.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, type Scope } from "effect"
import { Redis } from "ioredis"
import { execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import * as path from "node:path"
import type { ApplyLockShape } from "../../src/Safety/Lock.ts"
import { makeFileLock } from "../../src/Safety/Lock/File.ts"
import { makeRedisLock } from "../../src/Safety/Lock/Redis.ts"

const REDIS = "redis://127.0.0.1:6379"

const tempDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(tmpdir(), "lock-test-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

const contract = (name: string, make: Effect.Effect<ApplyLockShape, never, Scope.Scope>) =>
  describe(`ApplyLock contract: ${name}`, () => {
    it.live("a second apply fails fast with who holds the lock and since when; release lets the next in", () =>
      Effect.gen(function*() {
        const lock = yield* make
        const first = yield* Effect.scoped(Effect.gen(function*() {
          const lease = yield* lock.acquire("site-a")
          const second = yield* Effect.exit(Effect.scoped(lock.acquire("site-a")))
          expect(Exit.isFailure(second)).toBe(true)
          const error = yield* Effect.flip(Effect.scoped(lock.acquire("site-a")))
          expect(error._tag).toBe("LockHeld")
          if (error._tag === "LockHeld") {
            expect(error.holder).toMatchObject({ pid: process.pid, host: hostname(), since: lease.holder.since })
            expect(error.message).toContain(`pid ${process.pid}`)
            expect(error.message).toContain(lease.holder.since)
          }
          // another site is independent
          yield* Effect.scoped(lock.acquire("site-b"))
          yield* lease.check
          expect((yield* lock.holder("site-a"))?.pid).toBe(process.pid)
          return lease.token
        }))
        expect(yield* lock.holder("site-a")).toBeUndefined()
        const next = yield* Effect.scoped(lock.acquire("site-a"))
        expect(next.token).toBeGreaterThan(first)
      }))
  })

contract("file", Effect.map(tempDir, (dir) => makeFileLock({ dir })))
contract(
  "redis",
  Effect.suspend(() =>
    makeRedisLock({ url: REDIS, ttlMs: 2_000, prefix: `opnsense-mcp:test:${randomBytes(6).toString("hex")}:` })
  )
)

describe("file lock recovery", () => {
  it.live("recovers a lock left by a dead process on this host, but not one held by a live or remote one", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const lock = makeFileLock({ dir })
      const deadPid = Number(
        execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).toString()
      )
      const file = path.join(dir, "s.lock")
      const write = (holder: object) =>
        Effect.promise(() =>
          fs.writeFile(file, JSON.stringify({ token: 7, since: "2026-01-01T00:00:00.000Z", instance: "x", ...holder }))
        )

      yield* write({ pid: deadPid, host: hostname() })
      const lease = yield* Effect.scoped(lock.acquire("s"))
      expect(lease.holder.pid).toBe(process.pid)

      yield* write({ pid: deadPid, host: "other-host" })
      const remote = yield* Effect.flip(Effect.scoped(lock.acquire("s")))
      expect(remote._tag === "LockHeld" && remote.holder?.host).toBe("other-host")

      yield* write({ pid: process.ppid, host: hostname() })
      const live = yield* Effect.flip(Effect.scoped(lock.acquire("s")))
      expect(live._tag === "LockHeld" && live.holder?.pid).toBe(process.ppid)
    }))

  it.live("a process SIGKILLed while holding the lock does not block the next apply", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const child = spawn(process.execPath, [path.join(import.meta.dirname, "lock-holder.ts"), dir], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      const token = yield* Effect.promise(() =>
        new Promise<number>((resolve) =>
          child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().split(" ")[1])))
        )
      )
      const lock = makeFileLock({ dir })
      const held = yield* Effect.flip(Effect.scoped(lock.acquire("s")))
      expect(held._tag === "LockHeld" && held.holder?.pid).toBe(child.pid)
      child.kill("SIGKILL")
      yield* Effect.promise(() => new Promise((resolve) => child.once("exit", resolve)))
      const lease = yield* Effect.scoped(lock.acquire("s"))
      expect(lease.token).toBeGreaterThan(token)
    }))

  it.live("a lease whose file was replaced fails its check", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const lock = makeFileLock({ dir })
      yield* Effect.scoped(Effect.gen(function*() {
        const lease = yield* lock.acquire("s")
        yield* Effect.promise(() =>
          fs.writeFile(
            path.join(dir, "s.lock"),
            JSON.stringify({ token: 999, instance: "y", pid: 1, host: "h", since: "x" })
          )
        )
        const error = yield* Effect.flip(lease.check)
        expect(error._tag).toBe("LockLost")
      }))
    }))
})

describe("redis lock expiry", () => {
  it.live("renews while held, expires when the holder stops renewing, and detects a takeover", () =>
    Effect.gen(function*() {
      const prefix = `opnsense-mcp:test:${randomBytes(6).toString("hex")}:`
      const lock = yield* makeRedisLock({ url: REDIS, ttlMs: 300, prefix })
      const raw = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(REDIS)),
        (r) => Effect.sync(() => r.disconnect())
      )
      yield* Effect.scoped(Effect.gen(function*() {
        const lease = yield* lock.acquire("s")
        yield* Effect.sleep("700 millis") // > ttl: only renewal keeps it
        yield* lease.check
        expect((yield* Effect.flip(Effect.scoped(lock.acquire("s"))))._tag).toBe("LockHeld")
        // someone else's value: the lease is lost
        yield* Effect.promise(() =>
          raw.set(
            `${prefix}s`,
            JSON.stringify({ token: 1e9, instance: "thief", pid: 1, host: "h", since: "x" }),
            "PX",
            5_000
          )
        )
        expect((yield* Effect.flip(lease.check))._tag).toBe("LockLost")
      }))
      // release did not delete the thief's key
      expect((yield* lock.holder("s"))?.instance).toBe("thief")
      // a crashed holder: a key nobody renews expires by itself
      yield* Effect.promise(() =>
        raw.set(`${prefix}t`, JSON.stringify({ token: 1, instance: "dead", pid: 1, host: "h", since: "x" }), "PX", 200)
      )
      expect((yield* Effect.flip(Effect.scoped(lock.acquire("t"))))._tag).toBe("LockHeld")
      yield* Effect.sleep("300 millis")
      const lease = yield* Effect.scoped(lock.acquire("t"))
      expect(lease.token).toBeGreaterThan(0)
    }))
})

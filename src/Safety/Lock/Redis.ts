/**
 * The apply lock on Redis, shared by every instance pointed at the same REDIS_URL:
 *
 *   INCR opnsense-mcp:lock:<site>:fence            → fencing token
 *   SET  opnsense-mcp:lock:<site> <json> NX PX ttl  → taken, or held by someone else
 *
 * While held, a fiber renews the expiry every ttl/3 (compare-and-renew in Lua); if a renewal finds
 * the key gone or someone else's, the lease is lost and `check` fails. Release deletes the key
 * only when it is still ours. A holder that crashes stops renewing, so its lock expires after ttl.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { describeHolder, LockError, LockHeld, LockLost } from "../Errors.ts"
import type { ApplyLockShape, Lease } from "../Lock.ts"
import { currentHolder } from "../Lock.ts"
import { connect, RELEASE, RENEW, safeRedisUrl } from "../Redis.ts"
import { decodeLockRecord, holderOf } from "./Record.ts"

export interface RedisLockOptions {
  readonly url: string
  /** expiry of a lock whose holder stopped renewing (default 30 s) */
  readonly ttlMs?: number | undefined
  /** key prefix (default "opnsense-mcp:lock:") */
  readonly prefix?: string | undefined
}

export const makeRedisLock = (options: RedisLockOptions): Effect.Effect<ApplyLockShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* connect({ url: options.url })
    const ttlMs = options.ttlMs ?? 30_000
    const prefix = options.prefix ?? "opnsense-mcp:lock:"
    const where = safeRedisUrl(options.url)
    const key = (site: string) => `${prefix}${site}`

    const call = <A>(site: string, what: string, run: () => Promise<A>) =>
      Effect.tryPromise({
        try: run,
        catch: (cause) =>
          new LockError({
            message: `apply lock for site "${site}": Redis at ${where} failed to ${what}: ${
              cause instanceof Error ? cause.message : String(cause)
            }`,
            site,
            cause
          })
      })

    const holder = Effect.fn("ApplyLock.holder")(function*(site: string) {
      const raw = yield* call(site, "read the lock", () => redis.get(key(site)))
      if (raw === null) return undefined
      const parsed = decodeLockRecord(raw)
      return parsed._tag === "None" ? undefined : holderOf(parsed.value)
    })

    const acquire = Effect.fn("ApplyLock.acquire")(function*(site: string) {
      yield* Effect.annotateCurrentSpan({ site, backend: "redis" })
      const token = yield* call(site, "issue a fencing token", () => redis.incr(`${key(site)}:fence`))
      const me = currentHolder()
      const value = JSON.stringify({ token, ...me })
      const taken = yield* Effect.acquireRelease(
        call(site, "take the lock", () => redis.set(key(site), value, "PX", ttlMs, "NX")).pipe(
          Effect.map((r) => r === "OK")
        ),
        (
          ok
        ) => (ok
          ? call(site, "release the lock", () => redis.eval(RELEASE, 1, key(site), value)).pipe(Effect.ignore)
          : Effect.void)
      )
      if (!taken) {
        const current = yield* holder(site)
        return yield* new LockHeld({
          message: current === undefined
            ? `site "${site}" is locked by another apply (the lock was released a moment ago; retry)`
            : `site "${site}" is locked by ${describeHolder(current)}; wait for that apply to finish`,
          site,
          holder: current
        })
      }
      const lost = yield* Ref.make(false)
      const lostError = new LockLost({
        message: `site "${site}": the apply lock (token ${token}) expired or was taken over`,
        site,
        token
      })
      yield* call(site, "renew the lock", () => redis.eval(RENEW, 1, key(site), value, ttlMs)).pipe(
        Effect.flatMap((renewed) => (renewed === 1 ? Effect.void : Ref.set(lost, true))),
        // a failed renewal is retried on the next tick; the key's expiry is the real deadline
        Effect.ignore,
        Effect.repeat(Schedule.spaced(Duration.millis(Math.max(50, Math.floor(ttlMs / 3))))),
        Effect.delay(Duration.millis(Math.max(50, Math.floor(ttlMs / 3)))),
        Effect.forkScoped
      )
      const check = Effect.gen(function*() {
        if (yield* Ref.get(lost)) return yield* lostError
        const now = yield* call(site, "check the lock", () => redis.get(key(site)))
        if (now !== value) {
          yield* Ref.set(lost, true)
          return yield* lostError
        }
      })
      return { site, token, holder: me, check } satisfies Lease
    })

    return { backend: "redis", acquire, holder } satisfies ApplyLockShape
  })

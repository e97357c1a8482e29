/**
 * One writer per firewall: the apply lock. Held for the whole apply; a second apply against the
 * same site fails fast with LockHeld, naming who holds it and since when.
 *
 * - With REDIS_URL: a Redis key set with NX and an expiry, renewed while held, deleted on release
 *   (only when it is still ours), so instances on different machines exclude each other and a
 *   crashed holder's lock expires by itself.
 * - Without: an O_EXCL lock file in DATA_DIR/locks; a lock left by a dead process on this host is
 *   recovered.
 *
 * Every lease carries a fencing token that grows with every acquisition. OPNsense cannot check a
 * token, so the apply checks the lease (`check`) before each write instead: a writer whose lease
 * expired or was taken over stops before its next write.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { hostname } from "node:os"
import * as path from "node:path"
import type { LockError, LockHeld, LockHolder, LockLost } from "./Errors.ts"
import { makeFileLock } from "./Lock/File.ts"
import type { RedisLockOptions } from "./Lock/Redis.ts"

export interface Lease {
  readonly site: string
  /** fencing token: strictly greater than every token handed out before for this site */
  readonly token: number
  readonly holder: LockHolder
  /** fails with LockLost when the lease is no longer ours (expired, taken over, file removed) */
  readonly check: Effect.Effect<void, LockLost | LockError>
}

export interface ApplyLockShape {
  readonly backend: "redis" | "file"
  /** take the site's lock for the lifetime of the scope; fails fast with LockHeld */
  readonly acquire: (site: string) => Effect.Effect<Lease, LockHeld | LockError, Scope.Scope>
  /** who holds the site's lock now, if anyone */
  readonly holder: (site: string) => Effect.Effect<LockHolder | undefined, LockError>
}

export class ApplyLock extends Context.Service<ApplyLock, ApplyLockShape>()("opnsense-mcp/ApplyLock") {}

/** This process as a lock holder: INSTANCE_ID when set, else host:pid. */
export const currentHolder = (now: Date = new Date()): LockHolder => ({
  instance: process.env["INSTANCE_ID"] ?? `${hostname()}:${process.pid}`,
  pid: process.pid,
  host: hostname(),
  since: now.toISOString()
})

/** A file name for a site that cannot escape the folder. */
export const siteFileName = (site: string): string => site.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "_")

export const layerFile = (options: { readonly dataDir: string }): Layer.Layer<ApplyLock> =>
  Layer.succeed(ApplyLock, makeFileLock({ dir: path.join(options.dataDir, "locks") }))

/** ioredis is loaded only when this layer is built (REDIS_URL set), not by every command that may apply. */
export const layerRedis = (options: RedisLockOptions): Layer.Layer<ApplyLock> =>
  Layer.effect(
    ApplyLock,
    Effect.flatMap(Effect.promise(() => import("./Lock/Redis.ts")), ({ makeRedisLock }) => makeRedisLock(options))
  )

/** REDIS_URL set → Redis lock; otherwise the file lock in `dataDir`. */
export const layerFor = (dataDir: string): Layer.Layer<ApplyLock, Config.ConfigError> =>
  Layer.unwrap(
    Effect.map(Config.option(Config.String("REDIS_URL")), (url) =>
      Option.isSome(url) && url.value !== "" ? layerRedis({ url: url.value }) : layerFile({ dataDir }))
  )

/** REDIS_URL set → Redis lock; otherwise the file lock in DATA_DIR. */
export const layerConfig: Layer.Layer<ApplyLock, Config.ConfigError> = Layer.unwrap(
  Effect.map(Config.String("DATA_DIR").pipe(Config.withDefault("./data")), layerFor)
)

/**
 * The apply lock without Redis: DATA_DIR/locks/<site>.lock, created with O_EXCL so exactly one
 * process wins, holding `{ token, instance, pid, host, since }`. A lock whose holder is a process
 * on this host that no longer exists is stale: it is moved aside and taken (Store/FileLock.ts
 * tryTake: of two processes clearing it at once, the one whose move caught the other's fresh lock
 * puts it back). A holder on another host cannot be
 * checked from here and is reported as holding the lock; delete the file by hand once it is sure
 * that process is gone.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { tryTake } from "../../Store/FileLock.ts"
import { errorCode } from "../../Store/Files.ts"
import { describeHolder, LockError, LockHeld, type LockHolder, LockLost } from "../Errors.ts"
import { type ApplyLockShape, currentHolder, type Lease, siteFileName } from "../Lock.ts"
import { decodeLockRecord, holderOf, type LockRecord } from "./Record.ts"

const readLock = async (file: string): Promise<LockRecord | "absent" | "unreadable"> => {
  try {
    const parsed = decodeLockRecord(await fs.readFile(file, "utf8"))
    return parsed._tag === "Some" ? parsed.value : "unreadable"
  } catch (cause) {
    if (errorCode(cause) === "ENOENT") return "absent"
    throw cause
  }
}

const nextToken = async (fenceFile: string): Promise<number> => {
  const previous = await fs.readFile(fenceFile, "utf8").then((t) => Number.parseInt(t, 10)).catch(() => 0)
  const token = (Number.isFinite(previous) ? previous : 0) + 1
  await fs.writeFile(fenceFile, `${token}\n`, { mode: 0o600 })
  return token
}

/** The same holder, whatever fence token it has written since. */
const sameHolder = (a: LockRecord, b: LockRecord) =>
  a.pid === b.pid && a.host === b.host && a.since === b.since && a.instance === b.instance

export const makeFileLock = (options: { readonly dir: string }): ApplyLockShape => {
  const files = (site: string) => {
    const base = path.join(options.dir, siteFileName(site))
    return { lock: `${base}.lock`, fence: `${base}.fence` }
  }

  const fail = (site: string, what: string) => (cause: unknown) =>
    new LockError({
      message: `apply lock for site "${site}": cannot ${what} in ${options.dir}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      site,
      cause
    })

  type Attempt = { readonly _tag: "Taken"; readonly lock: LockRecord } | {
    readonly _tag: "Held"
    readonly holder: LockHolder | undefined
  }

  const attempt = (site: string): Promise<Attempt> => {
    const { fence, lock } = files(site)
    return (async (): Promise<Attempt> => {
      await fs.mkdir(options.dir, { recursive: true, mode: 0o700 })
      // a second round when the first cleared a dead holder's lock (Store/FileLock.ts tryTake)
      for (let round = 0; round < 2; round++) {
        const holder = currentHolder()
        const taken = await tryTake(lock, JSON.stringify({ token: 0, ...holder }), readLock, sameHolder)
        if (taken._tag === "Taken") {
          // the fence counter is only touched while holding the lock, so tokens strictly increase
          const mine: LockRecord = { token: await nextToken(fence), ...holder }
          const temp = `${lock}.${process.pid}.tmp`
          await fs.writeFile(temp, JSON.stringify(mine), { mode: 0o600 })
          await fs.rename(temp, lock)
          return { _tag: "Taken", lock: mine }
        }
        if (taken.holder !== undefined) return { _tag: "Held", holder: holderOf(taken.holder) }
      }
      return { _tag: "Held", holder: undefined }
    })()
  }

  const acquire = Effect.fn("ApplyLock.acquire")(function*(site: string) {
    yield* Effect.annotateCurrentSpan({ site, backend: "file" })
    const outcome = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => attempt(site), catch: fail(site, "take the lock") }),
      (result) =>
        result._tag === "Taken"
          ? Effect.promise(async () => {
            const now = await readLock(files(site).lock).catch(() => "unreadable" as const)
            if (typeof now !== "string" && now.token === result.lock.token) {
              await fs.rm(files(site).lock, { force: true })
            }
          })
          : Effect.void
    )
    if (outcome._tag === "Held") {
      return yield* new LockHeld({
        message: outcome.holder === undefined
          ? `site "${site}" is locked by another apply (${
            files(site).lock
          } exists but cannot be read; remove it if no apply runs)`
          : `site "${site}" is locked by ${describeHolder(outcome.holder)}; wait for that apply to finish`,
        site,
        holder: outcome.holder
      })
    }
    const token = outcome.lock.token
    const check = Effect.tryPromise({ try: () => readLock(files(site).lock), catch: fail(site, "read the lock") }).pipe(
      Effect.flatMap((now) =>
        typeof now !== "string" && now.token === token
          ? Effect.void
          : Effect.fail(
            new LockLost({
              message: `site "${site}": the apply lock (token ${token}) was removed or taken over`,
              site,
              token
            })
          )
      )
    )
    return { site, token, holder: holderOf(outcome.lock), check } satisfies Lease
  })

  const holder = Effect.fn("ApplyLock.holder")(function*(site: string) {
    const now = yield* Effect.tryPromise({ try: () => readLock(files(site).lock), catch: fail(site, "read the lock") })
    return typeof now === "string" ? undefined : holderOf(now)
  })

  return { backend: "file", acquire, holder }
}

/**
 * A short-held lock between processes that share DATA_DIR (pm2 cluster workers, a CLI beside a
 * running `serve`): state.json is read, changed and written back, and the audit logs continue
 * their hash chain from their last line, so two processes doing either at once would lose an
 * update or fork the chain. The apply lock only keeps one writer per site; two sites applied at
 * once by two workers still write the same state.json and audit.log.
 *
 * `<file>.lock` is created with O_EXCL and holds `{ pid, host, since, nonce }`; others wait (a few
 * milliseconds at a time) until it is gone. A lock whose holder was a process on this host that no
 * longer exists (it crashed inside the few milliseconds it holds it) is moved aside and the wait
 * goes on; a holder on another host is waited for, then reported.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import { hostname } from "node:os"
import * as path from "node:path"
import { StoreError } from "../Reconciler/Errors.ts"
import { errorCode } from "./Files.ts"

const Holder = Schema.Struct({ pid: Schema.Number, host: Schema.String, since: Schema.String, nonce: Schema.String })
type Holder = typeof Holder.Type
const decodeHolder = Schema.decodeUnknownOption(Schema.fromJsonString(Holder))

/** Is `pid` a live process on this host? EPERM: it exists but is not ours. */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (cause) {
    return errorCode(cause) === "EPERM"
  }
}

const readHolder = async (file: string): Promise<Holder | "absent" | "unreadable"> => {
  try {
    const decoded = decodeHolder(await fs.readFile(file, "utf8"))
    return decoded._tag === "Some" ? decoded.value : "unreadable"
  } catch (cause) {
    return errorCode(cause) === "ENOENT" ? "absent" : "unreadable"
  }
}

/** What one attempt at a lock file found. */
export type Take<H> =
  | { readonly _tag: "Taken" }
  /** `holder` undefined: unreadable, or just cleared (a dead holder's lock was moved aside) */
  | { readonly _tag: "Held"; readonly holder: H | undefined }

/**
 * One attempt at `lock`, shared by this module and the apply lock's file backend: create it with
 * `content` (O_EXCL; the content lands just after the create, so another reader may find the file
 * empty for a moment and must take that as held, not as garbage), or, when it exists and its
 * holder (as `read` decodes it) was a process on this host that no longer exists, move it aside
 * and report it cleared, for the caller to try again. Two processes can clear the same dead
 * lock at once: the one whose move caught a newer lock instead (`same` tells) puts it back.
 */
/**
 * Is the process that wrote `holder` alive? Another host cannot be asked, so yes. Our own pid
 * counts only for a lock written since this process started: the same pid in an older lock was an
 * earlier process (a container restarted as pid 1 on the same hostname, after a crash).
 */
const holderAlive = (holder: { readonly pid: number; readonly host: string; readonly since: string }): boolean => {
  if (holder.host !== hostname()) return true
  if (holder.pid !== process.pid) return alive(holder.pid)
  const since = Date.parse(holder.since)
  return Number.isNaN(since) || since >= Math.floor(performance.timeOrigin)
}

export const tryTake = async <H extends { readonly pid: number; readonly host: string; readonly since: string }>(
  lock: string,
  content: string,
  read: (file: string) => Promise<H | "absent" | "unreadable">,
  same: (a: H, b: H) => boolean
): Promise<Take<H>> => {
  try {
    await fs.writeFile(lock, content, { flag: "wx", mode: 0o600 })
    return { _tag: "Taken" }
  } catch (cause) {
    if (errorCode(cause) !== "EEXIST") throw cause
  }
  const holder = await read(lock)
  if (holder === "absent" || holder === "unreadable") return { _tag: "Held", holder: undefined }
  if (holderAlive(holder)) return { _tag: "Held", holder }
  const aside = `${lock}.stale-${holder.pid}-${randomBytes(4).toString("hex")}`
  if (await fs.rename(lock, aside).then(() => true, () => false)) {
    const moved = await read(aside)
    if (moved !== "absent" && moved !== "unreadable" && !same(moved, holder)) {
      await fs.link(aside, lock).catch(() => undefined)
    }
    await fs.rm(aside, { force: true })
  }
  return { _tag: "Held", holder: undefined }
}

/** One try at a short-held lock: take it, or clear it when its holder is dead, or say who holds it. */
const attempt = async (lock: string): Promise<Take<Holder> & { readonly nonce: string }> => {
  const mine: Holder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString("hex")
  }
  const taken = await tryTake(lock, JSON.stringify(mine), readHolder, (a, b) => a.nonce === b.nonce)
  if (taken._tag === "Held" && taken.holder === undefined && (await readHolder(lock)) === "unreadable") {
    // written by something else, or torn by a full disk: clear it once it is old
    const stat = await fs.stat(lock).catch(() => undefined)
    if (stat !== undefined && Date.now() - stat.mtimeMs > 30_000) await fs.rm(lock, { force: true })
  }
  return { ...taken, nonce: mine.nonce }
}

const release = (lock: string, nonce: string) =>
  Effect.promise(async () => {
    const holder = await readHolder(lock)
    if (holder !== "absent" && holder !== "unreadable" && holder.nonce === nonce) await fs.rm(lock, { force: true })
  })

/** Another process holds the lock (retried until the time is up). */
class Busy extends Data.TaggedError("Busy")<{ readonly holder: Holder | undefined }> {}

/**
 * Run `use` holding `<file>.lock` against other processes (callers serialise within their own
 * process first). Waits up to `timeoutMs` for another holder, then fails naming it.
 */
export const withFileLock =
  (file: string, timeoutMs = 10_000) => <A, E, R>(use: Effect.Effect<A, E, R>): Effect.Effect<A, E | StoreError, R> => {
    const lock = `${file}.lock`
    const failed = (cause: unknown) =>
      new StoreError({
        message: `cannot lock ${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
        path: file,
        cause
      })
    const untilTaken = Effect.tryPromise({ try: () => attempt(lock), catch: failed }).pipe(
      Effect.flatMap((
        a
      ) => (a._tag === "Taken" ? Effect.succeed(a.nonce) : Effect.fail(new Busy({ holder: a.holder })))),
      Effect.retry({
        while: (e) => e instanceof Busy,
        // 2 ms, 3 ms, 4.5 ms ... at most 50 ms apart, for up to timeoutMs
        schedule: Schedule.min([Schedule.exponential("2 millis", 1.5), Schedule.spaced("50 millis")]).pipe(
          Schedule.jittered,
          Schedule.upTo({ duration: `${timeoutMs} millis` })
        )
      }),
      Effect.catchIf(
        (e): e is Busy => e instanceof Busy,
        (busy) =>
          Effect.fail(
            new StoreError({
              message: `${file} is locked by ${
                busy.holder === undefined
                  ? "another process"
                  : `pid ${busy.holder.pid} on ${busy.holder.host} since ${busy.holder.since}`
              } for more than ${timeoutMs} ms; if that process is gone, delete ${lock}`,
              path: file
            })
          )
      )
    )
    // the folder once per take, not on every retry
    const take = Effect.andThen(
      Effect.tryPromise({ try: () => fs.mkdir(path.dirname(lock), { recursive: true }), catch: failed }),
      untilTaken
    )
    return Effect.acquireUseRelease(take, () => use, (nonce) => release(lock, nonce))
  }

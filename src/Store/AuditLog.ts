/**
 * Hash-chained JSON-lines logs in DATA_DIR, one implementation for both: the reconciler's
 * audit.log (one line per apply) and MCP's mcp-audit.log (one line per write-tool call). Each
 * entry's `hash` is the sha256 of the previous entry's hash and the entry's own canonical JSON
 * (without `hash`), so editing, removing or reordering a line breaks the chain; state.json's anchor
 * (count and last hash) catches a truncated audit.log.
 *
 * Appending costs the same however long the log is: the chain head is kept in memory with the
 * file's size after the last append. It is recovered from the file's last line (read backwards,
 * never the whole file) on the first append of a process, and again whenever the size differs
 * from what this process wrote (another writer, a restore). Appends hold `<file>.lock` against
 * other processes on the same DATA_DIR (FileLock.ts), so two of them never chain onto the same
 * head. A last line without its newline is a torn write: it is reported and nothing is chained
 * over it until someone removes it.
 */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Semaphore from "effect/Semaphore"
import * as fs from "node:fs/promises"
import { canonicalJson, sha256 } from "../Domain/Digest.ts"
import { StoreError } from "../Reconciler/Errors.ts"
import { withFileLock } from "./FileLock.ts"
import { appendDurable, errorCode } from "./Files.ts"
import { type AuditAnchor, GENESIS } from "./StateFile.ts"

/** The fields the chain adds to every entry. */
export interface Chained {
  readonly seq: number
  readonly prevHash: string
  readonly hash: string
}

/** Where the chain stands: entries so far and the last one's hash (state.json's anchor). */
export type Head = AuditAnchor

export const emptyHead: Head = { count: 0, lastHash: GENESIS }

/** Decode one parsed line, undefined when it is not an entry of this log. */
export type DecodeEntry<E extends Chained> = (json: unknown) => E | undefined

export const entryHash = (unsealed: { readonly prevHash: string }): string =>
  sha256(`${unsealed.prevHash}\n${canonicalJson(unsealed)}`)

/** The draft as the entry after `head`. */
export const seal = <D extends object>(draft: D, head: Head): D & Chained => {
  const unsealed = { ...draft, seq: head.count + 1, prevHash: head.lastHash }
  return { ...unsealed, hash: entryHash(unsealed) }
}

export interface ChainCheck<E> {
  readonly entries: ReadonlyArray<E>
  readonly problems: ReadonlyArray<string>
}

/** Decode and check every line of `text`; problems name the file (`label`) and the line. */
export const checkChain = <E extends Chained>(
  text: string,
  options: { readonly label: string; readonly decode: DecodeEntry<E>; readonly anchor?: Head | undefined }
): ChainCheck<E> => {
  const { anchor, decode, label } = options
  const problems: Array<string> = []
  const entries: Array<E> = []
  const torn = text.trim() !== "" && !text.endsWith("\n")
  const lines = text.split("\n").filter((l) => l.trim() !== "")
  let prev = GENESIS
  lines.forEach((line, i) => {
    const n = i + 1
    if (torn && n === lines.length) {
      problems.push(`${label} line ${n}: incomplete (an append was interrupted); remove that partial line`)
      return
    }
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      problems.push(`${label} line ${n}: not JSON`)
      return
    }
    const entry = decode(json)
    if (entry === undefined) {
      problems.push(`${label} line ${n}: not an audit entry`)
      return
    }
    const { hash, ...rest } = entry
    if (entry.seq !== n) {
      problems.push(`${label} line ${n}: sequence ${entry.seq}, expected ${n} (a line was removed or reordered)`)
    }
    if (entry.prevHash !== prev) {
      problems.push(`${label} line ${n}: previous-hash does not match line ${n - 1} (chain broken)`)
    }
    if (entryHash(rest) !== hash) problems.push(`${label} line ${n}: content does not match its hash (edited)`)
    prev = hash
    entries.push(entry)
  })
  if (anchor === undefined) return { entries, problems }
  if (entries.length < anchor.count) {
    problems.push(`${label} has ${entries.length} entries but state.json recorded ${anchor.count} (truncated)`)
  } else if (anchor.count > 0 && entries[anchor.count - 1]?.hash !== anchor.lastHash) {
    problems.push(`${label} entry ${anchor.count} does not carry the hash state.json recorded (rewritten)`)
  }
  return { entries, problems }
}

const CHUNK = 64 * 1024
const isBlank = (byte: number | undefined) => byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09

interface LastLine {
  readonly text: string
  /** byte offset where the line starts */
  readonly offset: number
  /** the line ends with its newline (a torn append leaves it without) */
  readonly complete: boolean
}

/** The last non-blank line of the first `size` bytes of `file`, read backwards in chunks. */
const readLastLine = async (file: string, size: number): Promise<LastLine | undefined> => {
  const handle = await fs.open(file, "r")
  try {
    let tail = Buffer.alloc(0)
    let start = size
    while (start > 0) {
      const length = Math.min(CHUNK, start)
      start -= length
      const chunk = Buffer.alloc(length)
      await handle.read(chunk, 0, length, start)
      tail = Buffer.concat([chunk, tail])
      let end = tail.length
      while (end > 0 && isBlank(tail[end - 1])) end--
      if (end === 0) continue
      const newline = tail.lastIndexOf(0x0a, end - 1)
      if (newline < 0 && start > 0) continue
      return {
        text: tail.subarray(newline + 1, end).toString("utf8"),
        offset: start + newline + 1,
        complete: tail.indexOf(0x0a, end) >= 0
      }
    }
    return undefined
  } finally {
    await handle.close()
  }
}

const sizeOf = (file: string): Effect.Effect<number, StoreError> =>
  Effect.tryPromise({
    try: () =>
      fs.stat(file).then(
        (s) => s.size,
        (error: unknown) => (errorCode(error) === "ENOENT" ? 0 : Promise.reject(error))
      ),
    catch: (cause) => new StoreError({ message: `cannot read ${file}: ${String(cause)}`, path: file, cause })
  })

export interface ChainLog {
  readonly file: string
  /** append `draft` as the next entry; `start` is the head of an empty (or missing) log */
  readonly append: <D extends object>(draft: D, start: Head) => Effect.Effect<D & Chained, StoreError>
  /**
   * fails as `append` would (a torn or foreign last line, an unreadable file) without writing:
   * callers about to change something that must be audited check it first
   */
  readonly check: Effect.Effect<void, StoreError>
}

/** The chained log in `file` (`label` names it in messages). Appends are serialised in-process. */
export const make = <E extends Chained>(
  file: string,
  label: string,
  decode: DecodeEntry<E>
): Effect.Effect<ChainLog> =>
  Effect.gen(function*() {
    const lock = yield* Semaphore.make(1)
    /** the head after this process's last append, with the file size it left */
    const known = yield* Ref.make<{ readonly size: number; readonly head: Head } | undefined>(undefined)

    const recover = (size: number, start: Head) =>
      Effect.gen(function*() {
        if (size === 0) return start
        const last = yield* Effect.tryPromise({
          try: () => readLastLine(file, size),
          catch: (cause) => new StoreError({ message: `cannot read ${file}: ${String(cause)}`, path: file, cause })
        })
        if (last === undefined) return start
        const refuse = (what: string) =>
          new StoreError({
            message: `${label} ${what} at byte ${last.offset}, so no entry is chained after it: run ` +
              `\`opnsense-mcp state verify\`, then remove that line (e.g. \`truncate -s ${last.offset} ${file}\`) ` +
              `or restore the log from a backup`,
            path: file
          })
        if (!last.complete) return yield* refuse("ends in an incomplete line (an append was interrupted)")
        let json: unknown
        try {
          json = JSON.parse(last.text)
        } catch {
          return yield* refuse("ends in a line that is not JSON")
        }
        const entry = decode(json)
        if (entry === undefined) return yield* refuse("ends in a line that is not an audit entry")
        return { count: entry.seq, lastHash: entry.hash }
      })

    // one append at a time in this process, then against other processes sharing DATA_DIR
    const append = <D extends object>(draft: D, start: Head) =>
      lock.withPermits(1)(
        withFileLock(file)(Effect.gen(function*() {
          const size = yield* sizeOf(file)
          const remembered = yield* Ref.get(known)
          const head = remembered !== undefined && remembered.size === size
            ? remembered.head
            : yield* recover(size, start)
          const entry = seal(draft, head)
          const line = `${JSON.stringify(entry)}\n`
          // forget the head first: a failed append may have left a partial line, which recover reports
          yield* Ref.set(known, undefined)
          yield* appendDurable(file, line)
          yield* Ref.set(known, {
            size: size + Buffer.byteLength(line),
            head: { count: entry.seq, lastHash: entry.hash }
          })
          return entry
        }))
      )

    const check = lock.withPermits(1)(
      Effect.gen(function*() {
        const size = yield* sizeOf(file)
        const remembered = yield* Ref.get(known)
        if (remembered === undefined || remembered.size !== size) yield* recover(size, emptyHead)
      })
    )

    return { file, append, check } satisfies ChainLog
  })

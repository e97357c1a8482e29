/**
 * The write-ahead journal of applies: DATA_DIR/journal/<site>.jsonl, one JSON record a line, each
 * appended and fsync'd before the call it announces and after the call returns:
 *
 *   begin     the plan, the config revision recorded before, the intended changes
 *   intent    one API call about to be made (create/update/delete/sequence/upload/reconfigure)
 *   done      that call returned (with the uuid a create got)
 *   failed    that call failed (it may still have saved something)
 *   end       the apply finished (then the file is moved to journal/archive/)
 *
 * A journal without `end` is an apply that was killed: the next apply finds it (`pending`), and
 * Recovery.ts reconciles it with the live firewall before anything else is written. Records hold
 * names, kinds and uuids only: never a spec, never a credential.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Semaphore from "effect/Semaphore"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { ResourceKind } from "../Domain/Model.ts"
import { ChangeAction } from "../Domain/Plan.ts"
import { errorCode, writeSynced } from "../Store/Files.ts"
import { JournalError } from "./Errors.ts"
import { siteFileName } from "./Lock.ts"

export const Operation = Schema.Literals(["create", "update", "delete", "sequence", "upload", "reconfigure", "revert"])
export type Operation = typeof Operation.Type

export const Begin = Schema.Struct({
  type: Schema.Literal("begin"),
  applyId: Schema.String,
  site: Schema.String,
  planId: Schema.String,
  actor: Schema.String,
  at: Schema.String,
  /** fencing token of the lock this apply held */
  token: Schema.Number,
  /** config revision (core/backup) before the apply, when known */
  revision: Schema.optional(Schema.String),
  /** DATA_DIR file holding the config.xml that ran before the apply (Undo.ts) */
  undo: Schema.optional(Schema.String),
  intended: Schema.Array(
    Schema.Struct({
      action: ChangeAction,
      kind: ResourceKind,
      name: Schema.String,
      uuid: Schema.optional(Schema.String)
    })
  )
})
export const Intent = Schema.Struct({
  type: Schema.Literal("intent"),
  seq: Schema.Number,
  at: Schema.String,
  op: Operation,
  kind: ResourceKind,
  /** desired-state names (several for an upload) */
  names: Schema.Array(Schema.String),
  uuid: Schema.optional(Schema.String)
})
export const Done = Schema.Struct({
  type: Schema.Literal("done"),
  seq: Schema.Number,
  at: Schema.String,
  uuids: Schema.Array(Schema.String)
})
export const Failed = Schema.Struct({
  type: Schema.Literal("failed"),
  seq: Schema.Number,
  at: Schema.String,
  error: Schema.String
})
export const End = Schema.Struct({ type: Schema.Literal("end"), at: Schema.String, result: Schema.String })
export const JournalRecord = Schema.Union([Begin, Intent, Done, Failed, End])
export type JournalRecord = typeof JournalRecord.Type
export type Begin = typeof Begin.Type
export type IntentRecord = typeof Intent.Type

const encodeRecord = Schema.encodeSync(Schema.fromJsonString(JournalRecord))
const decodeRecord = Schema.decodeUnknownOption(Schema.fromJsonString(JournalRecord))

/** One API call of an interrupted apply, as far as the journal knows. */
export interface JournalStep {
  readonly intent: IntentRecord
  /** undefined: the process died during the call, so it may or may not have happened */
  readonly outcome: { readonly status: "done"; readonly uuids: ReadonlyArray<string> } | {
    readonly status: "failed"
    readonly error: string
  } | undefined
}

/** An apply whose journal has no `end`. */
export interface PendingApply {
  readonly file: string
  readonly begin: Begin
  readonly steps: ReadonlyArray<JournalStep>
}

export interface OpenJournal {
  readonly begin: Begin
  /** append an intent and run `call`; its outcome is appended after (uuids from `uuidsOf`) */
  readonly record: <A, E, R>(
    intent: Omit<IntentRecord, "type" | "seq" | "at">,
    call: Effect.Effect<A, E, R>,
    uuidsOf: (a: A) => ReadonlyArray<string>
  ) => Effect.Effect<A, E | JournalError, R>
  /** API calls announced so far */
  readonly calls: Effect.Effect<number>
  /** append `end` and archive the file */
  readonly end: (result: string) => Effect.Effect<void, JournalError>
}

export interface JournalShape {
  readonly dir: string
  /** the unfinished apply of a site, if one was interrupted */
  readonly pending: (site: string) => Effect.Effect<PendingApply | undefined, JournalError>
  /** start the journal of an apply; fails when an unfinished one exists (recover it first) */
  readonly begin: (begin: Omit<Begin, "type" | "at">) => Effect.Effect<OpenJournal, JournalError>
  /** the journal open for a site right now (what a journaling client writes to) */
  readonly active: (site: string) => Effect.Effect<OpenJournal | undefined>
  /** close an interrupted apply's journal after recovery: append `end` and archive */
  readonly archive: (pending: PendingApply, result: string) => Effect.Effect<void, JournalError>
}

export class Journal extends Context.Service<Journal, JournalShape>()("opnsense-mcp/Journal") {}

const failWith = (file: string, what: string) => (cause: unknown) =>
  new JournalError({
    message: `apply journal ${file}: cannot ${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
    path: file,
    cause
  })

const appendSynced = (file: string, record: JournalRecord): Effect.Effect<void, JournalError> =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      await writeSynced(file, "a", `${encodeRecord(record)}\n`)
    },
    catch: failWith(file, "append")
  })

/** Records of a journal file; a torn last line (killed mid-write) is ignored. */
export const parseJournal = (text: string): ReadonlyArray<JournalRecord> =>
  text.split("\n").flatMap((line) => {
    if (line.trim() === "") return []
    const decoded = decodeRecord(line)
    return decoded._tag === "Some" ? [decoded.value] : []
  })

export const toPending = (file: string, records: ReadonlyArray<JournalRecord>): PendingApply | undefined => {
  const begin = records.find((r): r is Begin => r.type === "begin")
  if (begin === undefined || records.some((r) => r.type === "end")) return undefined
  const steps = records.filter((r): r is IntentRecord => r.type === "intent").map((intent): JournalStep => {
    const outcome = records.find((r) => (r.type === "done" || r.type === "failed") && r.seq === intent.seq)
    return {
      intent,
      outcome: outcome?.type === "done"
        ? { status: "done", uuids: outcome.uuids }
        : outcome?.type === "failed"
        ? { status: "failed", error: outcome.error }
        : undefined
    }
  })
  return { file, begin, steps }
}

const failureText = (reasons: ReadonlyArray<{ readonly _tag: string; readonly error?: unknown }>): string =>
  reasons.map((
    r
  ) => (typeof r.error === "object" && r.error !== null && "message" in r.error ? String(r.error.message) : r._tag))
    .join("; ")

const isoNow = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

export interface JournalOptions {
  readonly dataDir: string
  /** archived journals kept per site (default 200) */
  readonly keepArchived?: number | undefined
}

export const make = (options: JournalOptions): Effect.Effect<JournalShape> =>
  Effect.gen(function*() {
    const dir = path.join(options.dataDir, "journal")
    const archiveDir = path.join(dir, "archive")
    const fileOf = (site: string) => path.join(dir, `${siteFileName(site)}.jsonl`)
    const open = yield* Ref.make(new Map<string, OpenJournal>())

    const pending = Effect.fn("Journal.pending")(function*(site: string) {
      const file = fileOf(site)
      const text = yield* Effect.tryPromise({
        try: () =>
          fs.readFile(file, "utf8").catch((cause: unknown) =>
            errorCode(cause) === "ENOENT" ? undefined : Promise.reject(cause)
          ),
        catch: failWith(file, "read")
      })
      if (text === undefined) return undefined
      const records = parseJournal(text)
      if (records[0]?.type !== "begin") {
        // not a journal this program wrote (no begin first): never append to it or recover from it,
        // but keep it for a person to look at
        const kept = `${file}.unreadable-${yield* Clock.currentTimeMillis}`
        yield* Effect.tryPromise({ try: () => fs.rename(file, kept), catch: failWith(file, "set aside") })
        yield* Effect.logWarning(
          `apply journal ${file} does not start with a begin record (${
            text.trim() === "" ? "empty" : "unreadable"
          }); moved it to ${kept} and carried on without it`
        )
        return undefined
      }
      const unreadable = text.split("\n").filter((l) => l.trim() !== "").length - records.length
      if (unreadable > 1 || (unreadable === 1 && text.endsWith("\n"))) {
        yield* Effect.logWarning(
          `apply journal ${file}: ${unreadable} line(s) are not journal records and were skipped`
        )
      }
      return toPending(file, records)
    })

    const keep = options.keepArchived ?? 200
    const moveToArchive = (file: string, applyId: string, site: string) =>
      Effect.tryPromise({
        try: async () => {
          await fs.mkdir(archiveDir, { recursive: true, mode: 0o700 })
          await fs.rename(file, path.join(archiveDir, `${siteFileName(site)}-${applyId}.jsonl`))
          // applyIds start with a base-36 timestamp of equal length: name order is time order
          const mine = (await fs.readdir(archiveDir)).filter((n) => n.startsWith(`${siteFileName(site)}-`)).sort()
          for (const old of mine.slice(0, Math.max(0, mine.length - keep))) {
            await fs.rm(path.join(archiveDir, old), { force: true })
          }
        },
        catch: failWith(file, "archive")
      })

    const archive = Effect.fn("Journal.archive")(function*(p: PendingApply, result: string) {
      yield* appendSynced(p.file, { type: "end", at: yield* isoNow, result })
      yield* moveToArchive(p.file, p.begin.applyId, p.begin.site)
    })

    const begin = Effect.fn("Journal.begin")(function*(fields: Omit<Begin, "type" | "at">) {
      const file = fileOf(fields.site)
      const existing = yield* pending(fields.site)
      if (existing !== undefined) {
        return yield* new JournalError({
          message: `site "${fields.site}" has an unfinished apply (${existing.begin.applyId}, plan ${
            existing.begin.planId.slice(0, 12)
          }) in ${file}; it must be recovered first`,
          path: file
        })
      }
      const record: Begin = { type: "begin", at: yield* isoNow, ...fields }
      yield* appendSynced(file, record)
      const seq = yield* Ref.make(0)
      // concurrent writes of one apply (pipelined rule writes) append one at a time
      const mutex = yield* Semaphore.make(1)
      const append = (r: JournalRecord) => mutex.withPermits(1)(appendSynced(file, r))
      const journal: OpenJournal = {
        begin: record,
        record: (intent, call, uuidsOf) =>
          Effect.gen(function*() {
            const n = yield* Ref.updateAndGet(seq, (s) => s + 1)
            yield* append({ type: "intent", seq: n, at: yield* isoNow, ...intent })
            const exit = yield* Effect.exit(call)
            if (exit._tag === "Success") {
              yield* append({ type: "done", seq: n, at: yield* isoNow, uuids: uuidsOf(exit.value) })
            } // an interruption or a defect is a crash: the outcome stays unknown, as after a kill
            else if (
              exit.cause.reasons.every((r) => r._tag === "Fail")
            ) {
              yield* append({ type: "failed", seq: n, at: yield* isoNow, error: failureText(exit.cause.reasons) })
            }
            return yield* exit
          }),
        calls: Ref.get(seq),
        end: (result) =>
          Effect.gen(function*() {
            yield* Ref.update(open, (m) => {
              const next = new Map(m)
              next.delete(fields.site)
              return next
            })
            yield* append({ type: "end", at: yield* isoNow, result })
            yield* moveToArchive(file, fields.applyId, fields.site)
          })
      }
      yield* Ref.update(open, (m) => new Map(m).set(fields.site, journal))
      return journal
    })

    const active = (site: string) => Effect.map(Ref.get(open), (m) => m.get(site))

    return { dir, pending, begin, active, archive } satisfies JournalShape
  })

export const layer = (options: JournalOptions): Layer.Layer<Journal> => Layer.effect(Journal, make(options))

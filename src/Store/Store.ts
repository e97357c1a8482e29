/**
 * DATA_DIR as a service: state.json (inventory per site), the plan store (plans/<planId>.json) and
 * the hash-chained audit log, plus `verify` and `migrate`. Writes to state.json and the audit log
 * are serialised in-process and, with `state.json.lock` / `audit.log.lock` (FileLock.ts), against
 * other processes on the same DATA_DIR: two workers applying two sites at once both rewrite
 * state.json, and neither update may be lost.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Semaphore from "effect/Semaphore"
import * as path from "node:path"
import { Plan } from "../Domain/Plan.ts"
import { AuditEntry } from "../Domain/Reports.ts"
import { PlanNotFound, StoreError } from "../Reconciler/Errors.ts"
import * as AuditLog from "./AuditLog.ts"
import { withFileLock } from "./FileLock.ts"
import { exists, listDir, readIfExists, renameAside, writeAtomic } from "./Files.ts"
import { decodeAnyVersion, emptySite, emptyState, SCHEMA_VERSION, type SiteState, type StateFile } from "./StateFile.ts"

export type AuditDraft = Omit<AuditEntry, "seq" | "prevHash" | "hash">

const decodeEntry = Schema.decodeUnknownOption(AuditEntry)
const decodeAudit: AuditLog.DecodeEntry<AuditEntry> = (json) => {
  const decoded = decodeEntry(json)
  return decoded._tag === "Some" ? decoded.value : undefined
}

const checkLog = (text: string, anchor: AuditLog.Head) =>
  AuditLog.checkChain(text, { label: "audit.log", decode: decodeAudit, anchor })

export interface VerifyReport {
  readonly ok: boolean
  readonly problems: ReadonlyArray<string>
  readonly checked: { readonly sites: number; readonly plans: number; readonly auditEntries: number }
}

export interface MigrateReport {
  readonly from: number | "none"
  readonly to: number
  readonly changed: boolean
}

export interface StoreShape {
  readonly dataDir: string
  readonly site: (site: string) => Effect.Effect<SiteState, StoreError>
  /** read-modify-write of one site's state, atomically replaced */
  readonly updateSite: (site: string, f: (state: SiteState) => SiteState) => Effect.Effect<SiteState, StoreError>
  readonly savePlan: (plan: Plan) => Effect.Effect<string, StoreError>
  /** by planId (DATA_DIR/plans) or by file path */
  readonly loadPlan: (ref: string) => Effect.Effect<Plan, PlanNotFound | StoreError>
  readonly appendAudit: (draft: AuditDraft) => Effect.Effect<AuditEntry, StoreError>
  /** fails when the next audit entry could not be appended (checked before an apply's first write) */
  readonly checkAudit: Effect.Effect<void, StoreError>
  readonly readAudit: Effect.Effect<ReadonlyArray<AuditEntry>, StoreError>
  readonly verify: Effect.Effect<VerifyReport, StoreError>
  readonly migrate: Effect.Effect<MigrateReport, StoreError>
}

export class Store extends Context.Service<Store, StoreShape>()("opnsense-mcp/Store") {}

/** a state.json written by a later release (a schemaVersion above ours), not a damaged one */
const newerSchema = (json: Result.Result<unknown, unknown>): boolean =>
  json._tag === "Success" && typeof json.success === "object" && json.success !== null &&
  "schemaVersion" in json.success && typeof json.success.schemaVersion === "number" &&
  json.success.schemaVersion > SCHEMA_VERSION

const PLAN_ID = /^[0-9a-f]{64}$/
const PLAN_PREFIX = /^[0-9a-f]{8,63}$/

const parseJson = (text: string, file: string): Effect.Effect<unknown, StoreError> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (cause) => new StoreError({ message: `${file} is not valid JSON`, path: file, cause })
  })

const decodePlan = (json: unknown, file: string): Effect.Effect<Plan, StoreError> =>
  Schema.decodeUnknownEffect(Plan)(json).pipe(
    Effect.mapError((cause) =>
      new StoreError({ message: `${file} is not a plan: ${cause.message}`, path: file, cause })
    )
  )

export const make = (dataDir: string): Effect.Effect<StoreShape> =>
  Effect.gen(function*() {
    const lock = yield* Semaphore.make(1)
    const stateFile = path.join(dataDir, "state.json")
    const auditFile = path.join(dataDir, "audit.log")
    const plansDir = path.join(dataDir, "plans")
    const auditLog = yield* AuditLog.make(auditFile, "audit.log", decodeAudit)

    /**
     * state.json is an index (which uuid each name has, the drift baseline, the audit anchor) that
     * ownership markers and the audit log can rebuild: an unreadable one reads as empty with a
     * warning, so plans identify managed objects by their markers again, and the next write (under
     * the lock) sets the old file aside instead of losing it.
     */
    const loadState = Effect.gen(function*() {
      const text = yield* readIfExists(stateFile)
      if (text === undefined) return { state: emptyState, unreadable: undefined }
      const json = yield* Effect.result(parseJson(text, stateFile))
      const decoded = json._tag === "Success" ? decodeAnyVersion(json.success) : undefined
      if (decoded !== undefined && decoded._tag !== "Unknown") return { state: decoded.state, unreadable: undefined }
      if (decoded !== undefined && newerSchema(json)) {
        // a later release's file: reading it as empty (and setting it aside) would undo that release's work
        return yield* new StoreError({ message: decoded.reason, path: stateFile })
      }
      const unreadable = decoded === undefined ? "it is not JSON" : decoded.reason
      yield* Effect.logWarning(
        `${stateFile} is unreadable (${unreadable}); reading it as empty: managed objects are found by their ` +
          "ownership markers, and the next write keeps the old file beside the new one"
      )
      return { state: emptyState, unreadable }
    })
    const readState: Effect.Effect<StateFile, StoreError> = Effect.map(loadState, (l) => l.state)
    /** for a read-change-write, under the lock: an unreadable file is renamed aside first */
    const readStateToWrite: Effect.Effect<StateFile, StoreError> = Effect.gen(function*() {
      const { state, unreadable } = yield* loadState
      if (unreadable !== undefined) yield* renameAside(stateFile, `${stateFile}.unreadable-${Date.now()}`)
      return state
    })
    const writeState = (state: StateFile) => writeAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`)
    /** read-change-write of state.json, against other processes on this DATA_DIR too */
    const stateLocked = withFileLock(stateFile)

    const site = Effect.fn("Store.site")(function*(name: string) {
      const state = yield* readState
      return state.sites[name] ?? emptySite
    })

    const updateSite = Effect.fn("Store.updateSite")(function*(name: string, f: (state: SiteState) => SiteState) {
      return yield* lock.withPermits(1)(stateLocked(Effect.gen(function*() {
        const state = yield* readStateToWrite
        const next = f(state.sites[name] ?? emptySite)
        yield* writeState({ ...state, sites: { ...state.sites, [name]: next } })
        return next
      })))
    })

    const savePlan = Effect.fn("Store.savePlan")(function*(plan: Plan) {
      const file = path.join(plansDir, `${plan.planId}.json`)
      yield* writeAtomic(file, `${JSON.stringify(Schema.encodeSync(Plan)(plan), null, 2)}\n`)
      return file
    })

    /** a planId, the short one `plan` prints (a unique prefix of at least 8 hex digits), or a file */
    const planFile = Effect.fn("Store.planFile")(function*(ref: string) {
      if (PLAN_ID.test(ref)) return path.join(plansDir, `${ref}.json`)
      if (!PLAN_PREFIX.test(ref) || (yield* readIfExists(ref)) !== undefined) return ref
      const matches = (yield* listDir(plansDir)).filter((f) => f.startsWith(ref) && f.endsWith(".json"))
      if (matches.length > 1) {
        return yield* new PlanNotFound({
          message: `${matches.length} stored plans start with ${ref}; give more of the planId`,
          ref
        })
      }
      return matches[0] === undefined ? ref : path.join(plansDir, matches[0])
    })

    const loadPlan = Effect.fn("Store.loadPlan")(function*(ref: string) {
      const file = yield* planFile(ref)
      const text = yield* readIfExists(file)
      if (text === undefined) {
        return yield* new PlanNotFound({ message: `no plan ${ref} (looked for ${file}); run plan again`, ref })
      }
      return yield* decodePlan(yield* parseJson(text, file), file)
    })

    const appendAudit = Effect.fn("Store.appendAudit")(function*(draft: AuditDraft) {
      return yield* lock.withPermits(1)(stateLocked(Effect.gen(function*() {
        const state = yield* readStateToWrite
        // the chain continues from the log itself (its last line), so losing state.json never forks
        // it; the anchor only starts a log that is missing or empty
        const entry: AuditEntry = yield* auditLog.append(draft, state.audit)
        yield* writeState({ ...state, audit: { count: entry.seq, lastHash: entry.hash } })
        return entry
      })))
    })

    const readAudit = Effect.gen(function*() {
      const state = yield* readState
      return checkLog((yield* readIfExists(auditFile)) ?? "", state.audit).entries
    })

    const verify = Effect.gen(function*() {
      const problems: Array<string> = []
      if (!(yield* exists(dataDir))) {
        problems.push(`DATA_DIR ${dataDir} does not exist: nothing was checked (is DATA_DIR right?)`)
      }
      const text = yield* readIfExists(stateFile)
      let state = emptyState
      if (text !== undefined) {
        const json = yield* Effect.result(parseJson(text, stateFile))
        if (json._tag === "Failure") problems.push("state.json is not valid JSON")
        else {
          const decoded = decodeAnyVersion(json.success)
          if (decoded._tag === "Unknown") problems.push(decoded.reason)
          else if (decoded._tag === "Migrated") {
            problems.push(`state.json has schema version ${decoded.from}; run \`state migrate\``)
          } else state = decoded.state
        }
      }
      const audit = checkLog((yield* readIfExists(auditFile)) ?? "", state.audit)
      problems.push(...audit.problems)
      const files = (yield* listDir(plansDir)).filter((f) => f.endsWith(".json"))
      for (const f of files) {
        const file = path.join(plansDir, f)
        const plan = yield* Effect.result(Effect.flatMap(readIfExists(file), (t) =>
          Effect.flatMap(parseJson(t ?? "null", file), (json) =>
            decodePlan(json, file))))
        if (plan._tag === "Failure") {
          problems.push(`plans/${f}: not a valid plan`)
        } else if (`${plan.success.planId}.json` !== f) {
          problems.push(`plans/${f}: holds plan ${plan.success.planId}`)
        }
      }
      return {
        ok: problems.length === 0,
        problems,
        checked: { sites: Object.keys(state.sites).length, plans: files.length, auditEntries: audit.entries.length }
      }
    }).pipe(Effect.withSpan("Store.verify"))

    const migrate = lock.withPermits(1)(stateLocked(Effect.gen(function*() {
      const text = yield* readIfExists(stateFile)
      if (text === undefined) {
        yield* writeState(emptyState)
        return { from: "none" as const, to: SCHEMA_VERSION, changed: true }
      }
      const decoded = decodeAnyVersion(yield* parseJson(text, stateFile))
      if (decoded._tag === "Unknown") {
        return yield* new StoreError({ message: decoded.reason, path: stateFile })
      }
      if (decoded._tag === "Current") {
        return { from: SCHEMA_VERSION, to: SCHEMA_VERSION, changed: false }
      }
      yield* writeState(decoded.state)
      return { from: decoded.from, to: SCHEMA_VERSION, changed: true }
    }))).pipe(Effect.withSpan("Store.migrate"))

    return {
      dataDir,
      site,
      updateSite,
      savePlan,
      loadPlan,
      checkAudit: auditLog.check,
      appendAudit,
      readAudit,
      verify,
      migrate
    } satisfies StoreShape
  })

export const layer = (dataDir: string): Layer.Layer<Store> => Layer.effect(Store, make(dataDir))

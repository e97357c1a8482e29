/**
 * `firewall/filter/upload_rules` (26.1+): the reply and what it says about each row.
 *
 * How OPNsense handles the upload (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableModelControllerBase.php importCsv, and
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/ArrayField.php importRecordSet):
 *
 * - rows are keyed by `@uuid`: an existing rule is updated, any other row inserted, with the
 *   offered uuid when it is a lowercase v4 (26.1+; 26.1.1+ rejects any other `@uuid` with
 *   "Invalid UUID offered (…)");
 * - a first pass imports and validates everything; when it has validations, the rows they name
 *   are dropped, the model is reset and a second pass imports the rest and saves it. The reply is
 *   always the FIRST pass's: `validations` `[{sequence: <0-based row>, field?, message}]`,
 *   `inserted`/`updated` counts of that pass, `uuids` `{uuid: row}` (the first pass's uuids, which
 *   for rows without `@uuid` are not the ones saved);
 * - before 26.7.2 a validation of a rule outside the upload has `sequence: null`; it fails both
 *   passes, so nothing is saved;
 * - category names the firewall does not know are dropped without a message
 *   (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php
 *   uploadRulesBase, "only map what we know, ignore the rest"): they must exist before the upload.
 *
 * So the client offers its own v4 uuid for every row: then a row is saved under the uuid it was
 * sent with, a retry is an update rather than a twin, and which rows exist afterwards can be read.
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { OpnsenseError } from "../../Opnsense/Errors.ts"
import { callFailed, rejected, type RowOutcome } from "../../Opnsense/Rows.ts"
import * as Rules from "./Wire.ts"

const UploadValidation = Schema.Struct({
  sequence: Schema.optional(Schema.NullOr(Schema.Number)),
  field: Schema.optional(Schema.String),
  message: Schema.String
})

export const UploadResponse = Schema.Struct({
  /** `{"status":"failed"}` alone: not a POST, or no `payload` */
  status: Schema.optional(Schema.String),
  validations: Schema.optional(Schema.Array(UploadValidation)),
  inserted: Schema.optional(Schema.Number),
  updated: Schema.optional(Schema.Number),
  /** uuid → 0-based row; `[]` (an empty PHP array) when no row was taken */
  uuids: Schema.optional(Schema.Union([Schema.Record(Schema.String, Schema.Number), Schema.Array(Schema.Unknown)]))
})
export type UploadResponse = typeof UploadResponse.Type

/**
 * The `@uuid` importRecordSet takes: a lowercase v4 (opnsense/core 26.1.1+: ArrayField.php
 * importRecordSet, "Invalid UUID offered"). A rule whose uuid is anything else is written with set_rule.
 */
export const offerable = (uuid: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid)

const keyOf = (field: string | undefined) => (field === undefined || field === "" ? "rule" : `rule.${field}`)

/**
 * Each row's outcome as the reply tells it. `uuids` are the uuids the rows were sent with, in order.
 * Rows without a message of their own were saved by the second pass, unless a message names no
 * row (then nothing was saved). Whether new rows really exist is for the caller to confirm.
 */
export const rowOutcomes = (uuids: ReadonlyArray<string>, reply: UploadResponse): ReadonlyArray<RowOutcome> => {
  const validations = reply.validations ?? []
  const perRow = new Map<number, Record<string, string>>()
  const unplaced: Array<string> = []
  for (const v of validations) {
    if (v.sequence === undefined || v.sequence === null) {
      unplaced.push(v.field === undefined ? v.message : `${v.field}: ${v.message}`)
      continue
    }
    const messages = perRow.get(v.sequence) ?? {}
    const key = keyOf(v.field)
    // importCsv keeps one message per field; keep the first should a reply carry more
    if (messages[key] === undefined) messages[key] = v.message
    perRow.set(v.sequence, messages)
  }
  return uuids.map((uuid, row) => {
    const own = perRow.get(row)
    if (own !== undefined) {
      return rejected(
        uuid,
        own,
        Object.entries(own).map(([field, message]) => `${field}: ${message}`).join("; ")
      )
    }
    if (unplaced.length > 0) {
      return rejected(
        uuid,
        { rule: unplaced.join("; ") },
        `not saved: OPNsense saves nothing of an upload while a rule outside it fails validation (${
          unplaced.join("; ")
        })`
      )
    }
    return { _tag: "Saved", uuid }
  })
}

/** A saved row that is not on the firewall after all: the second pass did not save it. */
export const notFound = (uuid: string): RowOutcome =>
  rejected(
    uuid,
    {},
    `not saved: upload_rules accepted the row but the rule ${uuid} is not on the firewall afterwards`
  )

/** The row's call failed (or a single write was refused): `validations` when OPNsense named fields. */
/** Rows per upload_rules call: one config save each, and a request a real box answers in seconds. */
const UPLOAD_CHUNK = 500

/** A row as sent: its uuid (ours for a new rule) and whether only its place changes. */
export interface SentRow extends Rules.CsvRow {
  readonly isNew: boolean
  readonly onlySequence?: boolean | undefined
}

export interface WriteCalls {
  /** POST upload_rules with this CSV; fails when the call fails or the payload was not taken */
  readonly send: (payload: string) => Effect.Effect<UploadResponse, OpnsenseError>
  /** set_rule/{uuid} for a row the upload cannot carry */
  readonly setRule: (row: SentRow) => Effect.Effect<void, OpnsenseError>
  /** the uuids of the rules on the firewall now */
  readonly liveUuids: Effect.Effect<ReadonlySet<string>, OpnsenseError>
}

/**
 * Write the rows: full rows and reorders (`@uuid;sequence` only) in upload_rules calls of up to
 * 500, rows the CSV cannot carry with set_rule; then, when any call failed or had messages, one
 * read to tell which new rows exist. One outcome per row, in order; never fails as a whole.
 */
export const write = (sent: ReadonlyArray<SentRow>, calls: WriteCalls): Effect.Effect<ReadonlyArray<RowOutcome>> =>
  Effect.gen(function*() {
    const outcomes = new Map<string, RowOutcome>()
    const failedCalls = new Set<string>()
    let unsure = false
    const reorder = (r: SentRow) => r.onlySequence === true && !r.isNew
    const reorders = sent.filter((r) => reorder(r) && offerable(r.uuid))
    const full = sent.filter((r) => !reorder(r) && offerable(r.uuid) && Rules.csvCarries(r))
    const chunks = [
      ...Arr.chunksOf(full, UPLOAD_CHUNK).map((rows) => ({ rows, payload: Rules.toCsv(rows) })),
      ...Arr.chunksOf(reorders, UPLOAD_CHUNK).map((rows) => ({ rows, payload: Rules.toSequenceCsv(rows) }))
    ]
    for (const { payload, rows } of chunks) {
      const reply = yield* Effect.result(calls.send(payload))
      if (reply._tag === "Failure") {
        // some of the chunk may be saved: the read below tells for new rows
        unsure = true
        for (const row of rows) {
          failedCalls.add(row.uuid)
          outcomes.set(row.uuid, callFailed(row.uuid, reply.failure.message))
        }
        continue
      }
      if ((reply.success.validations ?? []).length > 0) unsure = true
      for (const o of rowOutcomes(rows.map((r) => r.uuid), reply.success)) outcomes.set(o.uuid, o)
    }
    // rows the upload cannot carry: set_rule/{uuid}, an upsert for an unknown v4 uuid
    // (opnsense/core 25.7+: ApiMutableModelControllerBase.php setBase)
    for (const row of sent) {
      if (outcomes.has(row.uuid)) continue
      const written = yield* Effect.result(calls.setRule(row))
      outcomes.set(
        row.uuid,
        written._tag === "Success"
          ? { _tag: "Saved", uuid: row.uuid }
          : callFailed(
            row.uuid,
            written.failure.message,
            written.failure._tag === "ValidationError" ? written.failure.validations : undefined
          )
      )
    }
    if (unsure) {
      // which new rows exist now: importCsv saved them in its second pass, or a failed call did
      const live = yield* Effect.result(calls.liveUuids)
      if (live._tag === "Success") {
        for (const row of sent) {
          const o = outcomes.get(row.uuid)
          if (!row.isNew || o === undefined) continue
          const present = live.success.has(row.uuid)
          if (o._tag === "Saved" && !present) outcomes.set(row.uuid, notFound(row.uuid))
          if (o._tag === "Rejected" && failedCalls.has(row.uuid) && present) {
            outcomes.set(row.uuid, { _tag: "Saved", uuid: row.uuid })
          }
        }
      }
    }
    return sent.map((row) => outcomes.get(row.uuid) ?? notFound(row.uuid))
  })

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
import { Schema } from "effect"

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

/** What became of one uploaded row. */
export type RowOutcome =
  | { readonly _tag: "Saved"; readonly uuid: string }
  | {
    readonly _tag: "Rejected"
    readonly uuid: string
    /** `rule.<field>` (or `rule` for a row-level message) → the firewall's message */
    readonly validations: Readonly<Record<string, string>>
    readonly message: string
  }

const keyOf = (field: string | undefined) => (field === undefined || field === "" ? "rule" : `rule.${field}`)

const rejected = (uuid: string, validations: Readonly<Record<string, string>>, why: string): RowOutcome => ({
  _tag: "Rejected",
  uuid,
  validations,
  message: why
})

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
export const callFailed = (
  uuid: string,
  message: string,
  validations?: Readonly<Record<string, string>>
): RowOutcome => rejected(uuid, validations ?? {}, message)

/** What a bulk call (rule upload, alias import, comma-list delete) says about each of its rows. */

/** What became of one row of a bulk call. */
export type RowOutcome =
  | { readonly _tag: "Saved"; readonly uuid: string }
  | {
    readonly _tag: "Rejected"
    readonly uuid: string
    /** `<wrapper>.<field>` (or the wrapper for a row-level message) → the firewall's message */
    readonly validations: Readonly<Record<string, string>>
    readonly message: string
  }

/** A row the firewall refused, or did not save (why). */
export const rejected = (uuid: string, validations: Readonly<Record<string, string>>, why: string): RowOutcome => ({
  _tag: "Rejected",
  uuid,
  validations,
  message: why
})

/** A row the call did not save: its message, and the fields it names when there are any. */
export const callFailed = (
  uuid: string,
  message: string,
  validations?: Readonly<Record<string, string>>
): RowOutcome => rejected(uuid, validations ?? {}, message)

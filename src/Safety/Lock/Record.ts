/**
 * What both apply-lock backends store for a held lock (the lock file's content, the Redis key's
 * value): the fencing token and who holds it.
 */
import * as Schema from "effect/Schema"
import type { LockHolder } from "../Errors.ts"

export const LockRecord = Schema.Struct({
  token: Schema.Number,
  instance: Schema.String,
  pid: Schema.Number,
  host: Schema.String,
  since: Schema.String
})
export type LockRecord = typeof LockRecord.Type

/** The record in its stored JSON text; None when it is not one. */
export const decodeLockRecord = Schema.decodeUnknownOption(Schema.fromJsonString(LockRecord))

/** The holder a record names, without its token. */
export const holderOf = (record: LockRecord): LockHolder => ({
  instance: record.instance,
  pid: record.pid,
  host: record.host,
  since: record.since
})

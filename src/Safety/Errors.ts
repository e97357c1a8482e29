/**
 * Why the safety layer refused or could not do something. Each carries a message a user can act
 * on; none carries a secret (holders name an instance, a pid and a host, never a credential).
 */
import * as Data from "effect/Data"

/** Who holds the apply lock of a site, as written into the lock itself. */
export interface LockHolder {
  /** the instance id (INSTANCE_ID, or host:pid) */
  readonly instance: string
  readonly pid: number
  readonly host: string
  /** ISO 8601 */
  readonly since: string
}

export const describeHolder = (holder: LockHolder): string =>
  `${holder.instance} (pid ${holder.pid} on ${holder.host}) since ${holder.since}`

/** Another apply holds the site's lock: this one fails fast instead of interleaving with it. */
export class LockHeld extends Data.TaggedError("LockHeld")<{
  readonly message: string
  readonly site: string
  readonly holder: LockHolder | undefined
}> {}

/** The lock could not be taken, checked or released (Redis down, DATA_DIR not writable). */
export class LockError extends Data.TaggedError("LockError")<{
  readonly message: string
  readonly site: string
  readonly cause?: unknown
}> {}

/** The lock expired or was taken over while this apply still ran: writing on would interleave. */
export class LockLost extends Data.TaggedError("LockLost")<{
  readonly message: string
  readonly site: string
  readonly token: number
}> {}

/** DATA_DIR/journal could not be written or read back. */
export class JournalError extends Data.TaggedError("JournalError")<{
  readonly message: string
  readonly path: string
  readonly cause?: unknown
}> {}

/** What the safety layer adds to the errors of an apply (src/Reconciler.ts ReconcilerError). */
export type SafetyError = LockHeld | LockError | LockLost | JournalError

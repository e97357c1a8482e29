/**
 * What every command shares: the global flags, exit codes, and the one place where
 * a failure becomes a message and an exit status.
 */
import * as Cause from "effect/Cause"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { resolve } from "node:path"

export const ExitCode = {
  ok: 0,
  error: 1,
  /** plan --detailed-exitcode with changes, drift found, lint findings */
  changes: 2,
  /** apply refused: stale plan, blocked plan, no approval */
  refused: 3
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export const site = Flag.String("site").pipe(
  Flag.withDescription("site name from desired-state/sites.yaml (default: every site, or 'default')"),
  Flag.optional
)
export const dir = Flag.Directory("dir", { mustExist: false }).pipe(
  Flag.withDescription("desired-state directory (default: $DESIRED_STATE_DIR or ./desired-state)"),
  Flag.optional
)
/** An on/off flag, off unless given. */
export const switchFlag = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withDescription(description), Flag.withDefault(false))

export const json = switchFlag("json", "machine-readable JSON on stdout")

export const globalFlags = { site, dir, json } as const

export const optionToUndefined = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

/** Colour only for a person at a terminal (and never with NO_COLOR). */
export const colourOn = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env["NO_COLOR"] === undefined

export const out = (text: string) => Effect.sync(() => process.stdout.write(text))
export const err = (text: string) => Effect.sync(() => process.stderr.write(text))

/** A plan that deletes everything a site manages names the directory it read, on stderr. */
export const destroyNote = (plan: { readonly destroysAll?: boolean | undefined }, desiredDir: string) =>
  plan.destroysAll === true
    ? err(`note: the desired state was read from ${resolve(desiredDir)}; it names none of the managed objects\n`)
    : Effect.void

/** Set the process exit status without ending the process, so scopes still close cleanly. */
export const exitWith = (code: ExitCode) =>
  Effect.sync(() => {
    process.exitCode = code
  })

/** Render any failure as one readable line on stderr and exit 1. */
export const reportFailure = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  const tag = typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? `${error._tag}: `
    : ""
  return `error: ${tag}${describe(error)}`
}

/**
 * An error's own message, or, when it has none (Effect's ServeError wraps the listener's failure
 * with an empty message), the message of what caused it, with the system error explained.
 */
const describe = (error: unknown, depth = 0): string => {
  if (typeof error !== "object" || error === null) return String(error)
  const own = "message" in error && typeof error.message === "string" ? error.message : ""
  const code = "code" in error && typeof error.code === "string" ? error.code : ""
  if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
    const where = "address" in error && "port" in error ? `${String(error.address)}:${String(error.port)}` : own
    const why = code === "EADDRINUSE"
      ? "is already in use by another process"
      : code === "EACCES"
      ? "needs privileges this process lacks"
      : "is not an address of this host"
    return `cannot listen on ${where}: it ${why}; choose another with HOST and PORT`
  }
  if (own !== "" || depth > 4 || !("cause" in error)) return own === "" ? String(error) : own
  return describe(error.cause, depth + 1)
}

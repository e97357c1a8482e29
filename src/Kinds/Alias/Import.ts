/**
 * `firewall/alias/import`: many aliases in one call (opnsense/core 24.7–26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasController.php importAction).
 *
 * The body is `{data: {aliases: {alias: {<key>: {name, type, content, …}}}}}`. Each entry is matched
 * by name (an existing alias of that name is overwritten, so only names absent from the firewall
 * are sent) or added under a uuid the firewall picks; the whole model is then validated at once,
 * so an alias may use another of the same import. Saved only when nothing failed: the reply is
 * `{existing, new, status: "ok"}`, or `{…, status: "failed", validations: {"<key>.<field>": message}}`
 * with nothing saved. The reply names no uuids: they are read back by name afterwards.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { OpnsenseError } from "../../Opnsense/Errors.ts"
import { callFailed, type RowOutcome } from "../../Opnsense/Rows.ts"
import type { AliasSpec, LiveAlias } from "./Spec.ts"

export const ImportResponse = Schema.Struct({
  status: Schema.String,
  existing: Schema.optional(Schema.Number),
  new: Schema.optional(Schema.Number),
  validations: Schema.optional(Schema.Record(Schema.String, Schema.String))
})
export type ImportResponse = typeof ImportResponse.Type

/** The import body; entries are keyed by alias name (names never contain a dot). */
export const body = (entries: ReadonlyArray<{ readonly [wrapper: string]: Readonly<Record<string, string>> }>) => ({
  data: {
    aliases: {
      alias: Object.fromEntries(
        entries.flatMap((e) => Object.values(e).map((fields) => [fields["name"] ?? "", fields]))
      )
    }
  }
})

const rejected = (validations: Readonly<Record<string, string>>, message: string): RowOutcome => ({
  _tag: "Rejected",
  uuid: "",
  validations,
  message
})

/** Each name's outcome of a failed import: its own messages, or why it was not saved either. */
export const failedOutcomes = (names: ReadonlyArray<string>, reply: ImportResponse): ReadonlyArray<RowOutcome> => {
  const perName = new Map<string, Record<string, string>>()
  const unplaced: Array<string> = []
  for (const [key, message] of Object.entries(reply.validations ?? {})) {
    const dot = key.lastIndexOf(".")
    const name = key.slice(0, Math.max(dot, 0))
    if (!names.includes(name)) {
      unplaced.push(`${key}: ${message}`)
      continue
    }
    perName.set(name, { ...perName.get(name), [`alias.${key.slice(dot + 1)}`]: message })
  }
  const others = perName.size > 0
    ? `${perName.size} other alias(es) in it were rejected`
    : unplaced.length > 0
    ? `an alias outside it failed validation (${unplaced.join("; ")})`
    : `the firewall answered status "${reply.status}"`
  return names.map((name) => {
    const own = perName.get(name)
    return own !== undefined
      ? rejected(own, Object.entries(own).map(([f, m]) => `${f}: ${m}`).join("; "))
      : rejected({}, `not saved: firewall/alias/import saves all or nothing, and ${others}`)
  })
}

export interface ImportCalls {
  readonly site: string
  /** the aliases on the firewall now */
  readonly list: Effect.Effect<ReadonlyArray<LiveAlias>, OpnsenseError>
  /** POST firewall/alias/import with these aliases */
  readonly send: (
    rows: ReadonlyArray<{ readonly spec: AliasSpec; readonly owner: string }>
  ) => Effect.Effect<ImportResponse, OpnsenseError>
}

/**
 * Import the aliases whose names are not on the firewall yet, and tell each row's outcome: Saved
 * with the uuid read back by name and marker, or Rejected (its messages, "not saved", "not sent").
 */
export const write = (
  rows: ReadonlyArray<{ readonly spec: AliasSpec; readonly owner: string }>,
  calls: ImportCalls
): Effect.Effect<ReadonlyArray<RowOutcome>, OpnsenseError> =>
  Effect.gen(function*() {
    const before = new Set((yield* calls.list).map((a) => a.spec.name))
    const sent = rows.filter((r) => !before.has(r.spec.name))
    const outcomes = new Map<string, RowOutcome>()
    if (sent.length > 0) {
      const reply = yield* calls.send(sent)
      if (reply.status.trim().toLowerCase() === "ok") {
        const after = yield* calls.list
        for (const row of sent) {
          const uuid = after.find((a) => a.spec.name === row.spec.name && a.owner === row.owner)?.uuid
          outcomes.set(
            row.spec.name,
            uuid !== undefined ? { _tag: "Saved", uuid } : callFailed(
              "",
              `not saved: firewall/alias/import answered "ok" but no alias ${row.spec.name} of ours is on the firewall`
            )
          )
        }
      } else {
        const names = sent.map((r) => r.spec.name)
        failedOutcomes(names, reply).forEach((o, i) => outcomes.set(names[i] ?? "", o))
      }
    }
    return rows.map((row) =>
      outcomes.get(row.spec.name) ??
        callFailed(
          "",
          `not sent: an alias named ${row.spec.name} already exists on site "${calls.site}"; firewall/alias/import would overwrite it`
        )
    )
  })

/**
 * Executing a plan's steps against one firewall. Steps run in the order Order.ts gives them;
 * consecutive rule writes of one kind are pipelined (bounded concurrency, OPNsense serialises the
 * config save anyway), runs that a bulk call can carry go through it (Bulk.ts; each row reported
 * on its own), and each touched subsystem is reconfigured once at the end. After the first failed write the remaining writes are
 * skipped, and the subsystems that did change are still reconfigured so that the running firewall
 * matches its saved configuration (state stays consistent; the next plan shows what is left).
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { RuleSpec } from "../Domain/Model.ts"
import {
  AliasSpec as AliasSpecSchema,
  RuleSpec as RuleSpecSchema,
  VlanSpec as VlanSpecSchema
} from "../Domain/Model.ts"
import type { Change } from "../Domain/Plan.ts"
import type { ChangeOutcome, Subsystem } from "../Domain/Reports.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"
import { bulkCall, type BulkOptions, decodeAlias, decodeRule, onlySequence, type RowResult } from "./Bulk.ts"
import type { Step } from "./Order.ts"

export interface ExecuteOptions extends BulkOptions {
  /** parallel writes within a run of rule writes (default 4) */
  readonly concurrency: number
}

export interface Executed {
  readonly outcomes: ReadonlyArray<ChangeOutcome>
  readonly reconfigured: ReadonlyArray<Subsystem>
  readonly failed: boolean
  /** "reconfigure alias: …" when a reconfigure failed */
  readonly errors: ReadonlyArray<string>
}

const decodeVlan = Schema.decodeUnknownSync(VlanSpecSchema)

const specIs = {
  vlan: Schema.is(VlanSpecSchema),
  alias: Schema.is(AliasSpecSchema),
  rule: Schema.is(RuleSpecSchema)
} as const

/** Problems that make a (saved, possibly hand-edited) plan unsafe to execute; [] when it is sound. */
export const planProblems = (changes: ReadonlyArray<Change>): ReadonlyArray<string> =>
  changes.flatMap((c) => [
    ...(c.action !== "delete" && !specIs[c.kind](c.after)
      ? [`${c.action} ${c.kind} ${c.name}: "after" is not a valid ${c.kind}`]
      : []),
    ...(c.action !== "create" && (c.uuid === undefined || c.uuid === "")
      ? [`${c.action} ${c.kind} ${c.name}: no uuid`]
      : []),
    ...(c.kind === "rule" && c.action !== "delete" && c.sequence === undefined
      ? [`${c.action} rule ${c.name}: no sequence`]
      : [])
  ])

/** "desired-state/rules.yaml:12:5: rule \"iot-dns\": OPNsense rejected it: rule.destination_port: …" */
export const describeError = (change: Change, error: OpnsenseError): string =>
  error._tag === "ValidationError"
    ? located(change, `OPNsense rejected it: ${fieldsOf(error.validations) || error.message}`)
    : located(change, error.message)

const fieldsOf = (validations: Readonly<Record<string, string>>): string =>
  Object.entries(validations).map(([field, text]) => `${field}: ${text}`).join("; ")

const located = (change: Change, detail: string): string => {
  const at = change.source === undefined ? "" : `${change.source.file}:${change.source.line}:${change.source.column}: `
  return `${at}${change.kind} "${change.name}": ${detail}`
}

/** An uploaded row OPNsense refused (its messages by field), or did not save (why). */
const describeRejection = (
  change: Change,
  validations: Readonly<Record<string, string>>,
  message: string
): string => {
  const fields = fieldsOf(validations)
  return located(change, fields === "" ? message : `OPNsense rejected it: ${fields}`)
}

const outcome = (
  change: Change,
  status: ChangeOutcome["status"],
  extra: Partial<Pick<ChangeOutcome, "uuid" | "error" | "validations">> = {}
): ChangeOutcome => ({
  action: change.action,
  kind: change.kind,
  name: change.name,
  status,
  ...(change.uuid === undefined ? {} : { uuid: change.uuid }),
  ...(change.source === undefined ? {} : { source: change.source }),
  ...extra
})

const skipped = (change: Change) => outcome(change, "skipped", { error: "not attempted: an earlier change failed" })

/** The calls of a kind without an evaluation order (VLANs, aliases). */
interface UnorderedApi<S> {
  readonly create: (spec: S, owner: string) => Effect.Effect<string, OpnsenseError>
  readonly update: (uuid: string, spec: S, owner: string) => Effect.Effect<void, OpnsenseError>
  readonly remove: (uuid: string) => Effect.Effect<void, OpnsenseError>
}

const writeUnordered = <S>(
  api: UnorderedApi<S>,
  decode: (after: unknown) => S,
  change: Change,
  uuid: string
): Effect.Effect<string | undefined, OpnsenseError> =>
  change.action === "delete"
    ? api.remove(uuid).pipe(Effect.as(uuid))
    : change.action === "create"
    ? api.create(decode(change.after), change.name)
    : api.update(uuid, decode(change.after), change.name).pipe(Effect.as(uuid))

/** The API call for one change; returns the uuid it wrote. */
export const writeChange = (
  client: OpnsenseShape,
  change: Change
): Effect.Effect<string | undefined, OpnsenseError> => {
  const uuid = change.uuid ?? ""
  const sequence = change.sequence ?? 0
  switch (change.kind) {
    case "vlan":
      return writeUnordered(client.vlans, decodeVlan, change, uuid)
    case "alias":
      return writeUnordered(client.aliases, decodeAlias, change, uuid)
    case "rule": {
      if (change.action === "delete") return client.rules.remove(uuid).pipe(Effect.as(uuid))
      const spec: RuleSpec = decodeRule(change.after)
      if (change.action === "create") return client.rules.create(spec, change.name, sequence)
      return (onlySequence(change)
        ? client.rules.setSequence(uuid, sequence)
        : client.rules.update(uuid, spec, change.name, sequence)).pipe(Effect.as(uuid))
    }
  }
}

/** The call that makes a subsystem's saved writes active (apply, revert and recovery all use it). */
export const reconfigure = (client: OpnsenseShape, subsystem: Subsystem) =>
  subsystem === "vlan"
    ? client.vlans.reconfigure
    : subsystem === "alias"
    ? client.aliases.reconfigure
    : client.rules.reconfigure

/**
 * Consecutive write steps that may go together: rule writes (deletes apart from the rest), and
 * alias creates (one import; written one at a time, in order, when not imported).
 */
const batches = (steps: ReadonlyArray<Step>): ReadonlyArray<ReadonlyArray<Step>> => {
  const out: Array<Array<Step>> = []
  for (const step of steps) {
    const last = out[out.length - 1]?.[0]
    const bothWrites = last !== undefined && last._tag === "Write" && step._tag === "Write"
    const joins = bothWrites && (
      (step.change.kind === "rule" && last.change.kind === "rule" &&
        (last.change.action === "delete") === (step.change.action === "delete")) ||
      (step.change.kind === "alias" && last.change.kind === "alias" && step.change.action === "create" &&
        last.change.action === "create")
    )
    const current = out[out.length - 1]
    if (joins && current !== undefined) current.push(step)
    else out.push([step])
  }
  return out
}

export const executeSteps = (
  client: OpnsenseShape,
  steps: ReadonlyArray<Step>,
  options: ExecuteOptions
): Effect.Effect<Executed> =>
  Effect.gen(function*() {
    const outcomes = new Map<number, ChangeOutcome>()
    const touched = new Set<Subsystem>()
    const reconfigured: Array<Subsystem> = []
    const errors: Array<string> = []
    let failed = false

    const runWrite = (step: Extract<Step, { _tag: "Write" }>) =>
      writeChange(client, step.change).pipe(
        Effect.matchEffect({
          onSuccess: (uuid) =>
            Effect.sync(() => {
              touched.add(step.change.kind)
              outcomes.set(step.index, outcome(step.change, "done", uuid === undefined ? {} : { uuid }))
            }),
          onFailure: (error) =>
            Effect.sync(() => {
              failed = true
              // a failed call may still have saved something: reconfigure to keep running == saved
              touched.add(step.change.kind)
              outcomes.set(
                step.index,
                outcome(step.change, "failed", {
                  error: describeError(step.change, error),
                  ...(error._tag === "ValidationError" ? { validations: error.validations } : {})
                })
              )
            })
        })
      )

    /** A bulk call's row: saved, rejected with the firewall's message, or the call's error. */
    const recordRow = (w: Extract<Step, { _tag: "Write" }>, row: RowResult | undefined) => {
      if (row?._tag === "Saved") {
        outcomes.set(w.index, outcome(w.change, "done", row.uuid === "" ? {} : { uuid: row.uuid }))
        return
      }
      failed = true
      outcomes.set(
        w.index,
        outcome(
          w.change,
          "failed",
          row?._tag === "Rejected"
            ? {
              error: describeRejection(w.change, row.validations, row.message),
              ...(Object.keys(row.validations).length > 0 ? { validations: row.validations } : {})
            }
            : { error: row === undefined ? "no outcome" : describeError(w.change, row.error) }
        )
      )
    }

    for (const batch of batches(steps)) {
      const writes = batch.filter((s): s is Extract<Step, { _tag: "Write" }> => s._tag === "Write")
      if (writes.length > 0) {
        if (failed) {
          for (const w of writes) {
            outcomes.set(w.index, skipped(w.change))
          }
          continue
        }
        const bulk = bulkCall(client, writes.map((w) => w.change), options)
        if (bulk !== undefined) {
          const rows = yield* bulk.run
          // a failed call may still have saved something: reconfigure to keep running == saved
          touched.add(bulk.subsystem)
          writes.forEach((w, i) => recordRow(w, rows[i]))
          continue
        }
        // rule writes of a run are independent; alias creates keep their order (members first) and
        // stop at the first failure like separate steps
        const parallel = writes.length > 1 && writes[0]?.change.kind === "rule"
        yield* Effect.forEach(
          writes,
          (w) =>
            !parallel && failed
              ? Effect.sync(() => outcomes.set(w.index, skipped(w.change)))
              : runWrite(w),
          { concurrency: parallel ? options.concurrency : 1, discard: true }
        )
        continue
      }
      for (const step of batch) {
        if (step._tag !== "Reconfigure" || !touched.has(step.subsystem)) continue
        yield* reconfigure(client, step.subsystem).pipe(
          Effect.matchEffect({
            onSuccess: () => Effect.sync(() => reconfigured.push(step.subsystem)),
            onFailure: (error) =>
              Effect.sync(() => {
                failed = true
                errors.push(`reconfigure ${step.subsystem}: ${error.message}`)
              })
          })
        )
      }
    }
    const ordered = [...outcomes.entries()].sort(([a], [b]) => a - b).map(([, o]) => o)
    return { outcomes: ordered, reconfigured, failed, errors }
  })

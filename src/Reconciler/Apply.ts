/**
 * Executing a plan's steps against one firewall. Steps run in the order Order.ts gives them;
 * consecutive rule writes of one kind are pipelined (bounded concurrency, OPNsense serialises the
 * config save anyway), runs that a bulk call can carry go through it (Bulk.ts; each row reported
 * on its own), and each touched subsystem is reconfigured once at the end (some in between, where
 * a kind needs its dependencies active: Order.ts compileSteps). After the first failed write the remaining writes are
 * skipped, and the subsystems that did change are still reconfigured so that the running firewall
 * matches its saved configuration (state stays consistent; the next plan shows what is left).
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Change } from "../Domain/Plan.ts"
import type { ChangeOutcome } from "../Domain/Reports.ts"
import { apiOf, kindNamed, reconfigurerOf } from "../Kinds/Registry.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"
import { bulkCall, type BulkOptions, decodeSpec, onlySequence, type RowResult } from "./Bulk.ts"
import { type Step, subsystemOf } from "./Order.ts"

export interface ExecuteOptions extends BulkOptions {
  /** parallel writes within a run of rule writes (default 4) */
  readonly concurrency: number
}

export interface Executed {
  readonly outcomes: ReadonlyArray<ChangeOutcome>
  readonly reconfigured: ReadonlyArray<string>
  readonly failed: boolean
  /** "reconfigure alias: …" when a reconfigure failed */
  readonly errors: ReadonlyArray<string>
}

const specIs = new Map<string, (u: unknown) => boolean>()
const isSpecOf = (kind: { readonly name: string; readonly spec: Schema.Codec<unknown, unknown> }, spec: unknown) => {
  let is = specIs.get(kind.name)
  if (is === undefined) {
    is = Schema.is(kind.spec)
    specIs.set(kind.name, is)
  }
  return is(spec)
}

/** Problems that make a (saved, possibly hand-edited) plan unsafe to execute; [] when it is sound. */
export const planProblems = (changes: ReadonlyArray<Change>): ReadonlyArray<string> =>
  changes.flatMap((c) => {
    const kind = kindNamed(c.kind)
    if (kind === undefined) {
      return [`${c.action} ${c.kind} ${c.name}: "${c.kind}" is not a kind of object opnsense-mcp manages`]
    }
    return [
      ...(c.action !== "delete" && !isSpecOf(kind, c.after)
        ? [`${c.action} ${c.kind} ${c.name}: "after" is not a valid ${c.kind}`]
        : []),
      ...(c.action !== "create" && (c.uuid === undefined || c.uuid === "")
        ? [`${c.action} ${c.kind} ${c.name}: no uuid`]
        : []),
      ...(kind.sequence !== undefined && c.action !== "delete" && c.sequence === undefined
        ? [`${c.action} ${c.kind} ${c.name}: no sequence`]
        : [])
    ]
  })

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

/** The API call for one change; returns the uuid it wrote. */
export const writeChange = (
  client: OpnsenseShape,
  change: Change
): Effect.Effect<string | undefined, OpnsenseError> => {
  const uuid = change.uuid ?? ""
  const kind = kindNamed(change.kind)
  if (kind === undefined) return Effect.die(new Error(`"${change.kind}" is not a kind of object opnsense-mcp manages`))
  const api = apiOf(client, kind)
  if (change.action === "delete") return api.remove(uuid).pipe(Effect.as(uuid))
  const spec = decodeSpec(kind, change.after)
  const at = { sequence: change.sequence, onlySequence: onlySequence(change) }
  return change.action === "create"
    ? api.create(spec, change.name, at)
    : api.update(uuid, spec, change.name, at).pipe(Effect.as(uuid))
}

/** The call that makes a subsystem's saved writes active (apply, revert and recovery all use it). */
export const reconfigure = (client: OpnsenseShape, subsystem: string): Effect.Effect<void, OpnsenseError> => {
  const kind = reconfigurerOf(subsystem)
  return kind === undefined
    ? Effect.die(new Error(`"${subsystem}" is not a subsystem opnsense-mcp reconfigures`))
    : apiOf(client, kind).reconfigure
}

/**
 * Consecutive write steps that may go together: writes of an ordered kind (deletes apart from the
 * rest; independent of each other, so pipelined), and creates of a kind with a bulk path (one
 * call; written one at a time, in order, when not sent together).
 */
const batches = (steps: ReadonlyArray<Step>): ReadonlyArray<ReadonlyArray<Step>> => {
  const out: Array<Array<Step>> = []
  for (const step of steps) {
    const last = out[out.length - 1]?.[0]
    const bothWrites = last !== undefined && last._tag === "Write" && step._tag === "Write"
    const kind = bothWrites ? kindNamed(step.change.kind) : undefined
    const joins = bothWrites && kind !== undefined && step.change.kind === last.change.kind && (
      (kind.sequence !== undefined && (last.change.action === "delete") === (step.change.action === "delete")) ||
      (kind.sequence === undefined && step.change.action === "create" &&
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
    const touched = new Set<string>()
    const reconfigured: Array<string> = []
    const errors: Array<string> = []
    let failed = false

    const runWrite = (step: Extract<Step, { _tag: "Write" }>) =>
      writeChange(client, step.change).pipe(
        Effect.matchEffect({
          onSuccess: (uuid) =>
            Effect.sync(() => {
              touched.add(subsystemOf(step.change.kind))
              outcomes.set(step.index, outcome(step.change, "done", uuid === undefined ? {} : { uuid }))
            }),
          onFailure: (error) =>
            Effect.sync(() => {
              failed = true
              // a failed call may still have saved something: reconfigure to keep running == saved
              touched.add(subsystemOf(step.change.kind))
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
          touched.add(subsystemOf(bulk.kind))
          writes.forEach((w, i) => recordRow(w, rows[i]))
          continue
        }
        // writes of an ordered kind in a run are independent; other creates keep their order
        // (members first) and stop at the first failure like separate steps
        const parallel = writes.length > 1 && kindNamed(writes[0]?.change.kind ?? "")?.sequence !== undefined
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
        // reconfigured now; again at the end only when later writes touch it (Order.ts compileSteps)
        touched.delete(step.subsystem)
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

/**
 * Recovery of an apply that was killed: its journal has a `begin` but no `end`. Before anything
 * else is written to the site:
 *
 * 1. re-read the firewall;
 * 2. creates whose uuid never got recorded (killed during or right after the call) are looked up
 *    by their ownership marker, which the object carries from the moment it exists, so the next
 *    plan updates it instead of creating a duplicate and the inventory keeps it;
 * 3. every subsystem the journal touched is reconfigured, so the running firewall matches what
 *    was saved (a kill between the writes and the reconfigure leaves them inactive otherwise);
 * 4. the journal is closed and archived.
 *
 * What is left of the plan is then simply the next plan: changes that never happened show up as
 * changes again, and changes that did show up as done.
 */
import * as Effect from "effect/Effect"
import type { ResourceKind } from "../Domain/Model.ts"
import { kindNamed, liveOf } from "../Kinds/Registry.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"
import { reconfigure } from "../Reconciler/Apply.ts"
import { RECONFIGURE_ORDER, subsystemOf } from "../Reconciler/Order.ts"
import type { JournalError } from "./Errors.ts"
import type { JournalShape, PendingApply } from "./Journal.ts"

export interface Recovered {
  readonly kind: ResourceKind
  readonly name: string
  readonly uuid: string
}

export interface RecoveryReport {
  readonly applyId: string
  readonly planId: string
  readonly startedAt: string
  readonly actor: string
  /** API calls the journal announced */
  readonly calls: number
  /** calls with no recorded outcome: the process died during them */
  readonly uncertain: number
  /** created objects found on the firewall (by recorded uuid or by ownership marker) */
  readonly created: ReadonlyArray<Recovered>
  /** creates that never reached the firewall: the next plan creates them */
  readonly absent: ReadonlyArray<{ readonly kind: ResourceKind; readonly name: string }>
  /** uuids the journal deleted */
  readonly deleted: ReadonlyArray<{ readonly kind: ResourceKind; readonly uuid: string }>
  readonly reconfigured: ReadonlyArray<string>
  readonly message: string
}

export interface RecoverOptions {
  /** record what was found in state.json's inventory (name → uuid), drop what was deleted */
  readonly updateInventory?:
    | ((
      site: string,
      created: ReadonlyArray<Recovered>,
      deleted: ReadonlyArray<{ readonly kind: ResourceKind; readonly uuid: string }>
    ) => Effect.Effect<void, unknown>)
    | undefined
}

export const recover = (
  client: OpnsenseShape,
  journal: JournalShape,
  pending: PendingApply,
  options: RecoverOptions = {}
): Effect.Effect<RecoveryReport, OpnsenseError | JournalError> =>
  Effect.gen(function*() {
    const { begin, steps } = pending
    yield* Effect.annotateCurrentSpan({ site: begin.site, applyId: begin.applyId, calls: steps.length })
    const live = yield* client.snapshot({ fresh: true })
    const byKind = (kind: ResourceKind) => {
      const known = kindNamed(kind)
      return known === undefined ? [] : liveOf(live, known)
    }
    const created: Array<Recovered> = []
    const absent: Array<{ kind: ResourceKind; name: string }> = []
    const deleted: Array<{ kind: ResourceKind; uuid: string }> = []
    /** subsystems the journaled calls touched */
    const touched = new Set<string>()

    for (const { intent, outcome } of steps) {
      if (intent.op === "reconfigure" || intent.op === "revert") continue
      // a failed call may still have saved something; an unfinished one may have completed
      touched.add(subsystemOf(intent.kind))
      if (intent.op === "delete" && intent.uuid !== undefined && outcome?.status !== "failed") {
        const gone = !byKind(intent.kind).some((o) => o.uuid === intent.uuid)
        if (gone) deleted.push({ kind: intent.kind, uuid: intent.uuid })
      }
      if (intent.op !== "create" && intent.op !== "upload") continue
      for (const name of intent.names) {
        const owned = byKind(intent.kind).filter((o) => o.owner === name)
        const recorded = outcome?.status === "done" ? owned.find((o) => outcome.uuids.includes(o.uuid)) : undefined
        const found = recorded ?? owned[0]
        if (found === undefined) absent.push({ kind: intent.kind, name })
        else created.push({ kind: intent.kind, name, uuid: found.uuid })
      }
    }

    if (options.updateInventory !== undefined && (created.length > 0 || deleted.length > 0)) {
      // the markers stay the durable record; a failed index update is not worth stopping for
      yield* options.updateInventory(begin.site, created, deleted).pipe(
        Effect.catchCause((cause) => Effect.logWarning(`recovery of ${begin.applyId}: inventory not updated`, cause))
      )
    }
    const reconfigured: Array<string> = []
    for (const subsystem of RECONFIGURE_ORDER) {
      if (!touched.has(subsystem)) continue
      yield* reconfigure(client, subsystem)
      reconfigured.push(subsystem)
    }
    const uncertain = steps.filter((s) => s.outcome === undefined).length
    const message =
      `recovered the interrupted apply ${begin.applyId} (plan ${
        begin.planId.slice(0, 12)
      }, started ${begin.at} by ${begin.actor}): ` +
      `${steps.length} call(s) journaled, ${uncertain} without a recorded outcome; ${created.length} created object(s) found on the firewall, ` +
      `${absent.length} never created; reconfigured ${reconfigured.join(", ") || "nothing"}`
    yield* Effect.logWarning(message)
    yield* journal.archive(pending, "recovered")
    return {
      applyId: begin.applyId,
      planId: begin.planId,
      startedAt: begin.at,
      actor: begin.actor,
      calls: steps.length,
      uncertain,
      created,
      absent,
      deleted,
      reconfigured,
      message
    }
  }).pipe(Effect.withSpan("Safety.recover"))

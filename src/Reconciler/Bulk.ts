/**
 * The bulk calls a run of writes can go through, each gated by a capability of the firewall's
 * version (src/Opnsense/Version.ts, read from opnsense/core): rule creates and updates through
 * `upload_rules`, rule deletes through one `del_rule` comma list, alias creates through
 * `firewall/alias/import`. Every call reports each of its rows on its own, because OPNsense does:
 * an upload saves its valid rows and rejects the others, an import saves all or nothing.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Change } from "../Domain/Plan.ts"
import type { BulkOffer } from "../Kinds/Kind.ts"
import { apiOf, kindNamed } from "../Kinds/Registry.ts"
import type { OpnsenseShape, RowOutcome } from "../Opnsense.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"

export interface BulkOptions {
  /** at least this many creates/updates in a row go through one bulk call (upload_rules, alias import) */
  readonly bulkThreshold: number
  /** what each kind's bulk calls carry on the firewall's version, by kind name (none when absent) */
  readonly offers: Readonly<Record<string, BulkOffer>>
}

/** One row of a bulk call: the firewall's own outcome, or the error of the call that carried it. */
export type RowResult = RowOutcome | { readonly _tag: "CallFailed"; readonly error: OpnsenseError }

export interface BulkCall {
  /** the kind written: its subsystem is reconfigured afterwards even when the call failed */
  readonly kind: string
  /** one result per change, in order */
  readonly run: Effect.Effect<ReadonlyArray<RowResult>>
}

const decoders = new Map<string, (u: unknown) => unknown>()
/** A change's canonical spec as its kind's schema decodes it (the plan carries it as unknown). */
export const decodeSpec = (
  kind: { readonly name: string; readonly spec: Schema.Codec<unknown, unknown> },
  spec: unknown
): unknown => {
  let decode = decoders.get(kind.name)
  if (decode === undefined) {
    decode = Schema.decodeUnknownSync(kind.spec)
    decoders.set(kind.name, decode)
  }
  return decode(spec)
}

/** Only the place in the order moved: touch nothing else. */
export const onlySequence = (change: Change): boolean =>
  change.action === "update" && (change.diff ?? []).every((d) => d.path === "sequence")

const perRow = (
  changes: ReadonlyArray<Change>,
  call: Effect.Effect<ReadonlyArray<RowOutcome>, OpnsenseError>
): Effect.Effect<ReadonlyArray<RowResult>> =>
  Effect.match(call, {
    onSuccess: (rows) => rows,
    onFailure: (error) => changes.map((): RowResult => ({ _tag: "CallFailed", error }))
  })

/** The bulk call for a run of changes of one kind, or undefined when they go one by one. */
export const bulkCall = (
  client: OpnsenseShape,
  changes: ReadonlyArray<Change>,
  options: BulkOptions
): BulkCall | undefined => {
  const first = changes[0]
  const kind = first === undefined ? undefined : kindNamed(first.kind)
  const offer = kind === undefined ? undefined : options.offers[kind.name]
  if (kind === undefined || offer === undefined || !changes.every((c) => c.kind === kind.name)) return undefined
  const bulk = apiOf(client, kind).bulk
  if (bulk === undefined) return undefined
  if (
    changes.length >= options.bulkThreshold &&
    changes.every((c) => c.action !== "delete" && offer.upsert.includes(c.action))
  ) {
    return {
      kind: kind.name,
      run: perRow(
        changes,
        bulk.upsert(changes.map((c) => ({
          uuid: c.action === "update" ? c.uuid : undefined,
          spec: decodeSpec(kind, c.after),
          owner: c.name,
          sequence: c.sequence,
          onlySequence: onlySequence(c)
        })))
      )
    }
  }
  if (offer.removeMany && changes.length > 1 && changes.every((c) => c.action === "delete")) {
    return {
      kind: kind.name,
      run: Effect.map(
        bulk.removeMany(changes.map((c) => c.uuid ?? "")),
        (errors) =>
          errors.map((error, i): RowResult =>
            error === undefined ? { _tag: "Saved", uuid: changes[i]?.uuid ?? "" } : { _tag: "CallFailed", error }
          )
      )
    }
  }
  return undefined
}

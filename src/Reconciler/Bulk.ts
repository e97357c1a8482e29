/**
 * The bulk calls a run of writes can go through, each gated by a capability of the firewall's
 * version (src/Opnsense/Version.ts, read from opnsense/core): rule creates and updates through
 * `upload_rules`, rule deletes through one `del_rule` comma list, alias creates through
 * `firewall/alias/import`. Every call reports each of its rows on its own, because OPNsense does:
 * an upload saves its valid rows and rejects the others, an import saves all or nothing.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { AliasSpec, RuleSpec } from "../Domain/Model.ts"
import type { Change } from "../Domain/Plan.ts"
import type { Subsystem } from "../Domain/Reports.ts"
import type { OpnsenseShape, RowOutcome } from "../Opnsense.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"

export const decodeAlias = Schema.decodeUnknownSync(AliasSpec)
export const decodeRule = Schema.decodeUnknownSync(RuleSpec)

export interface BulkOptions {
  /** at least this many creates/updates in a row go through upload_rules or the alias import */
  readonly bulkThreshold: number
  /** whether the firewall offers rules.upload (Version.ts `uploadRules`) */
  readonly bulk: boolean
  /** whether aliases.createMany (firewall/alias/import) is offered (Version.ts `aliasImport`) */
  readonly aliasImport: boolean
  /** whether del_rule takes comma lists (Version.ts `ruleDeleteLists`): a run of rule deletes is one call */
  readonly deleteLists: boolean
}

/** One row of a bulk call: the firewall's own outcome, or the error of the call that carried it. */
export type RowResult = RowOutcome | { readonly _tag: "CallFailed"; readonly error: OpnsenseError }

export interface BulkCall {
  /** reconfigured afterwards even when the call failed: it may have saved something */
  readonly subsystem: Subsystem
  /** one result per change, in order */
  readonly run: Effect.Effect<ReadonlyArray<RowResult>>
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
  const all = (kind: Change["kind"], test: (action: Change["action"]) => boolean) =>
    changes.every((c) => c.kind === kind && test(c.action))
  if (options.bulk && changes.length >= options.bulkThreshold && all("rule", (a) => a !== "delete")) {
    return {
      subsystem: "rule",
      run: perRow(
        changes,
        client.rules.upload(changes.map((c) => ({
          uuid: c.action === "update" ? c.uuid : undefined,
          spec: decodeRule(c.after),
          owner: c.name,
          sequence: c.sequence ?? 0,
          onlySequence: onlySequence(c)
        })))
      )
    }
  }
  if (options.deleteLists && changes.length > 1 && all("rule", (a) => a === "delete")) {
    return {
      subsystem: "rule",
      run: Effect.map(
        client.rules.removeMany(changes.map((c) => c.uuid ?? "")),
        (errors) =>
          errors.map((error, i): RowResult =>
            error === undefined ? { _tag: "Saved", uuid: changes[i]?.uuid ?? "" } : { _tag: "CallFailed", error }
          )
      )
    }
  }
  if (options.aliasImport && changes.length >= options.bulkThreshold && all("alias", (a) => a === "create")) {
    return {
      subsystem: "alias",
      run: perRow(
        changes,
        client.aliases.createMany(changes.map((c) => ({ spec: decodeAlias(c.after), owner: c.name })))
      )
    }
  }
  return undefined
}

/**
 * DATA_DIR/state.json: per site, the key → uuid inventory, the last applied plan and the unmanaged
 * objects seen then (the drift baseline); plus the audit-log anchor (entry count and last hash) so
 * truncating the log is detected. It is an index: the ownership markers on the firewall remain the
 * durable record, so losing this file loses no ownership.
 *
 * Schema history: v1 `{ "version": 1, "inventory": { "<site>/<kind>/<name>": "<uuid>" } }`;
 * v2 (current) below. `state migrate` upgrades in place (atomically).
 */
import * as Schema from "effect/Schema"
import { perKind } from "../Kinds/Registry.ts"

export const SCHEMA_VERSION = 2

const NameToUuid = Schema.Record(Schema.String, Schema.String)

/** Per kind name ("rule"), name → uuid; a kind with nothing recorded may be absent. */
export const Inventory = Schema.Record(Schema.String, NameToUuid)
export type Inventory = typeof Inventory.Type

export const SiteState = Schema.Struct({
  inventory: Inventory,
  lastApplied: Schema.optional(Schema.Struct({
    planId: Schema.String,
    desiredDigest: Schema.String,
    at: Schema.String,
    actor: Schema.String,
    result: Schema.String
  })),
  /** uuids of unmanaged objects seen at the last apply: newer ones "appeared" */
  unmanagedBaseline: Schema.optional(Schema.Record(Schema.String, Schema.Array(Schema.String)))
})
export type SiteState = typeof SiteState.Type

export const AuditAnchor = Schema.Struct({ count: Schema.Number, lastHash: Schema.String })
export type AuditAnchor = typeof AuditAnchor.Type

export const StateFile = Schema.Struct({
  schemaVersion: Schema.Literal(SCHEMA_VERSION),
  sites: Schema.Record(Schema.String, SiteState),
  audit: AuditAnchor
})
export type StateFile = typeof StateFile.Type

export const GENESIS = "0".repeat(64)

/** A site nothing was recorded for: an empty inventory per registered kind. */
export const emptySite: SiteState = { inventory: perKind(() => ({})) }
export const emptyState: StateFile = {
  schemaVersion: SCHEMA_VERSION,
  sites: {},
  audit: { count: 0, lastHash: GENESIS }
}

const StateV1 = Schema.Struct({ version: Schema.Literal(1), inventory: Schema.Record(Schema.String, Schema.String) })

export type Migration =
  | { readonly _tag: "Current"; readonly state: StateFile }
  | { readonly _tag: "Migrated"; readonly from: number; readonly state: StateFile }
  | { readonly _tag: "Unknown"; readonly reason: string }

/** The kinds a v1 file could hold (v1 predates every other kind). */
const V1_KINDS: ReadonlyArray<string> = ["vlan", "alias", "rule"]

/** Decode any known schema version, upgrading older ones in memory. */
export const decodeAnyVersion = (json: unknown): Migration => {
  const current = Schema.decodeUnknownExit(StateFile)(json)
  if (current._tag === "Success") return { _tag: "Current", state: current.value }
  const v1 = Schema.decodeUnknownExit(StateV1)(json)
  if (v1._tag === "Success") {
    const sites: Record<string, { inventory: Record<string, Record<string, string>> }> = {}
    for (const [key, uuid] of Object.entries(v1.value.inventory)) {
      const [site, kind, ...rest] = key.split("/")
      if (site === undefined || kind === undefined || !V1_KINDS.includes(kind) || rest.length === 0) {
        return { _tag: "Unknown", reason: `v1 inventory key "${key}" is not <site>/<kind>/<name>` }
      }
      const entry = (sites[site] ??= { inventory: { vlan: {}, alias: {}, rule: {} } })
      ;(entry.inventory[kind] ??= {})[rest.join("/")] = uuid
    }
    return { _tag: "Migrated", from: 1, state: { ...emptyState, sites } }
  }
  const version = typeof json === "object" && json !== null && "schemaVersion" in json
    ? String(json.schemaVersion)
    : "unknown"
  return {
    _tag: "Unknown",
    reason: `state.json has schema version ${version}, which this release does not know (expected ${SCHEMA_VERSION}): ${
      String(current.cause)
    }`
  }
}

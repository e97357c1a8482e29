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

export const SCHEMA_VERSION = 2

const NameToUuid = Schema.Record(Schema.String, Schema.String)

export const Inventory = Schema.Struct({ vlan: NameToUuid, alias: NameToUuid, rule: NameToUuid })
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
  unmanagedBaseline: Schema.optional(Schema.Struct({
    vlan: Schema.Array(Schema.String),
    alias: Schema.Array(Schema.String),
    rule: Schema.Array(Schema.String)
  }))
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

export const emptySite: SiteState = { inventory: { vlan: {}, alias: {}, rule: {} } }
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

const KINDS = ["vlan", "alias", "rule"] as const
type Kind = (typeof KINDS)[number]
const isKind = (value: string): value is Kind => KINDS.some((k) => k === value)

/** Decode any known schema version, upgrading older ones in memory. */
export const decodeAnyVersion = (json: unknown): Migration => {
  const current = Schema.decodeUnknownExit(StateFile)(json)
  if (current._tag === "Success") return { _tag: "Current", state: current.value }
  const v1 = Schema.decodeUnknownExit(StateV1)(json)
  if (v1._tag === "Success") {
    const sites: Record<string, { inventory: Record<Kind, Record<string, string>> }> = {}
    for (const [key, uuid] of Object.entries(v1.value.inventory)) {
      const [site, kind, ...rest] = key.split("/")
      if (site === undefined || kind === undefined || !isKind(kind) || rest.length === 0) {
        return { _tag: "Unknown", reason: `v1 inventory key "${key}" is not <site>/<kind>/<name>` }
      }
      const entry = (sites[site] ??= { inventory: { vlan: {}, alias: {}, rule: {} } })
      entry.inventory[kind][rest.join("/")] = uuid
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

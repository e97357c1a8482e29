/**
 * The OPNsense API as a service: the one way the project talks to a firewall. One instance per
 * site. It knows nothing of desired state or plans: it reads canonical live objects in bulk and
 * writes canonical specs, marking ownership through the description marker (Domain/Ownership.ts).
 *
 * The implementation lives in Opnsense/ (HTTP client, per-resource adapters, normalisation);
 * resilience (retry, circuit breaker, cache, tracing) is composed in from Resilience/.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type {
  AliasSpec,
  FirmwareVersion,
  LiveAlias,
  LiveRule,
  LiveSnapshot,
  LiveVlan,
  RuleSpec,
  VlanSpec
} from "./Domain/Model.ts"
import type { OpnsenseError } from "./Opnsense/Errors.ts"
import type { RowOutcome } from "./Opnsense/Upload.ts"

export type { RowOutcome } from "./Opnsense/Upload.ts"

export interface Backup {
  /** revision id as core/backup lists it (a timestamp string) */
  readonly revision: string
  readonly time: string
  readonly description: string
}

export interface Subsystem {
  /** rule/alias/vlan writes are not active until the subsystem is reconfigured or applied */
  readonly reconfigure: Effect.Effect<void, OpnsenseError>
}

export interface VlanApi extends Subsystem {
  readonly list: Effect.Effect<ReadonlyArray<LiveVlan>, OpnsenseError>
  /** returns the new uuid */
  readonly create: (spec: VlanSpec, owner: string) => Effect.Effect<string, OpnsenseError>
  /** `device`: the device name to set (a revert puts the old one back); default: keep or let OPNsense choose */
  readonly update: (uuid: string, spec: VlanSpec, owner: string, device?: string) => Effect.Effect<void, OpnsenseError>
  readonly remove: (uuid: string) => Effect.Effect<void, OpnsenseError>
}

export interface AliasApi extends Subsystem {
  readonly list: Effect.Effect<ReadonlyArray<LiveAlias>, OpnsenseError>
  readonly create: (spec: AliasSpec, owner: string) => Effect.Effect<string, OpnsenseError>
  /**
   * Create several aliases with one firewall/alias/import (all or nothing, one save), creating
   * missing categories first. One outcome per row, in order, Saved with the new uuid. A name that
   * already exists on the firewall is not sent (the import would overwrite that alias).
   */
  readonly createMany: (
    rows: ReadonlyArray<{ readonly spec: AliasSpec; readonly owner: string }>
  ) => Effect.Effect<ReadonlyArray<RowOutcome>, OpnsenseError>
  readonly update: (uuid: string, spec: AliasSpec, owner: string) => Effect.Effect<void, OpnsenseError>
  readonly remove: (uuid: string) => Effect.Effect<void, OpnsenseError>
}

export interface UploadRow {
  /** the rule to update; absent for a new rule */
  readonly uuid?: string | undefined
  readonly spec: RuleSpec
  readonly owner: string
  readonly sequence: number
  /** an update of the place only: nothing but `sequence` is written (as `setSequence`) */
  readonly onlySequence?: boolean | undefined
}

export interface RuleApi extends Subsystem {
  readonly list: Effect.Effect<ReadonlyArray<LiveRule>, OpnsenseError>
  readonly create: (spec: RuleSpec, owner: string, sequence: number) => Effect.Effect<string, OpnsenseError>
  readonly update: (uuid: string, spec: RuleSpec, owner: string, sequence: number) => Effect.Effect<void, OpnsenseError>
  /** change only the sequence (reordering without touching other fields) */
  readonly setSequence: (uuid: string, sequence: number) => Effect.Effect<void, OpnsenseError>
  readonly remove: (uuid: string) => Effect.Effect<void, OpnsenseError>
  /**
   * Delete several rules: del_rule with comma lists of uuids where the version takes them
   * (Version.ts `ruleDeleteLists`), one by one otherwise. One outcome per uuid, in order:
   * `undefined` when the rule is gone, the error when it may not be.
   */
  readonly removeMany: (
    uuids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<OpnsenseError | undefined>>
  /**
   * 26.1+: bulk insert (no `uuid`) and update (`uuid`) through upload_rules, creating missing
   * categories first. One outcome per row, in order: a row OPNsense rejected does not stop the
   * others (they are saved). Fails as a whole only when the call itself fails (NotFoundError
   * before 26.1).
   */
  readonly upload: (rows: ReadonlyArray<UploadRow>) => Effect.Effect<ReadonlyArray<RowOutcome>, OpnsenseError>
}

export interface BackupApi {
  readonly list: Effect.Effect<ReadonlyArray<Backup>, OpnsenseError>
  /** the newest revision: recorded before an apply so it can be reverted to */
  readonly current: Effect.Effect<Backup | undefined, OpnsenseError>
  /** config.xml of a revision; without one, the newest (the running config) */
  readonly download: (revision?: string) => Effect.Effect<string, OpnsenseError>
  readonly revert: (revision: string) => Effect.Effect<void, OpnsenseError>
}

export interface OpnsenseShape {
  readonly site: string
  /** base URL without credentials, for messages */
  readonly url: string
  /** detected once per site (core/firmware/status) and remembered */
  readonly version: Effect.Effect<FirmwareVersion, OpnsenseError>
  /** one bulk read per kind; served from cache when fresh, stale when the breaker is open */
  readonly snapshot: (options?: { readonly fresh?: boolean }) => Effect.Effect<LiveSnapshot, OpnsenseError>
  /** cheap reachability probe (core/system/status), with latency */
  readonly ping: Effect.Effect<{ readonly latencyMs: number }, OpnsenseError>
  readonly vlans: VlanApi
  readonly aliases: AliasApi
  readonly rules: RuleApi
  readonly backups: BackupApi
}

export class Opnsense extends Context.Service<Opnsense, OpnsenseShape>()("opnsense-mcp/Opnsense") {}

export {
  type ClientOptions,
  layer,
  layerConfig,
  layerSimulator,
  layerStandalone,
  makeClient,
  simulatorOptions
} from "./Opnsense/Layer.ts"

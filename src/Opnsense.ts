/**
 * The OPNsense API as a service: the one way the project talks to a firewall. One instance per
 * site. It knows nothing of desired state or plans: it reads canonical live objects in bulk and
 * writes canonical specs, marking ownership through the description marker (Domain/Ownership.ts).
 *
 * The implementation lives in Opnsense/ (HTTP client, shared toolbox) and in each kind's folder
 * under Kinds/ (wire adapter, normalisation);
 * resilience (retry, circuit breaker, cache, tracing) is composed in from Resilience/.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { FirmwareVersion, LiveSnapshot } from "./Domain/Model.ts"
import type { ClientCollections } from "./Kinds/Registry.ts"
import type { OpnsenseError } from "./Opnsense/Errors.ts"

export type { BulkRow, KindApi, Placement } from "./Kinds/Kind.ts"
export type { RowOutcome } from "./Opnsense/Rows.ts"

export interface Backup {
  /** revision id as core/backup lists it (a timestamp string) */
  readonly revision: string
  readonly time: string
  readonly description: string
}

export interface BackupApi {
  readonly list: Effect.Effect<ReadonlyArray<Backup>, OpnsenseError>
  /** the newest revision: recorded before an apply so it can be reverted to */
  readonly current: Effect.Effect<Backup | undefined, OpnsenseError>
  /** config.xml of a revision; without one, the newest (the running config) */
  readonly download: (revision?: string) => Effect.Effect<string, OpnsenseError>
  readonly revert: (revision: string) => Effect.Effect<void, OpnsenseError>
}

/** The calls on one firewall: reads, backups, and per kind (`client.rules`, ...; src/Kinds/Registry.ts). */
export type OpnsenseShape = OpnsenseBase & ClientCollections

export interface OpnsenseBase {
  readonly site: string
  /** base URL without credentials, for messages */
  readonly url: string
  /** detected once per site (core/firmware/status) and remembered */
  readonly version: Effect.Effect<FirmwareVersion, OpnsenseError>
  /** one bulk read per kind; served from cache when fresh, stale when the breaker is open */
  readonly snapshot: (options?: { readonly fresh?: boolean }) => Effect.Effect<LiveSnapshot, OpnsenseError>
  /** cheap reachability probe (core/system/status), with latency */
  readonly ping: Effect.Effect<{ readonly latencyMs: number }, OpnsenseError>
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

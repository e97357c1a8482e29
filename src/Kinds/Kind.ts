/**
 * What the product knows about one kind of firewall object, in one place. Each kind is a folder
 * under src/Kinds/ whose `index.ts` exports a `Kind`; Registry.ts lists them. The reconciler,
 * the plan store, the journal, drift, import, the MCP tools and the CLI work over the registry:
 * adding a kind is its folder, its simulator part and one registration line.
 *
 * A kind declares:
 * - its names: the plan's `kind` ("rule"), the YAML top-level key and the field of the loaded
 *   site, the live snapshot and the client that hold its objects ("rules");
 * - its canonical spec (the only form diffs compare) and its live object;
 * - how the YAML item is decoded, checked and normalised (`yaml`);
 * - how a live object is matched to a desired one (`identity`), what it references (the apply
 *   order follows from `dependsOn` and `references`) and whether it has an evaluation order
 *   (`sequence`, compiled from YAML order);
 * - the subsystem whose reconfigure makes its writes active;
 * - the YAML `import` writes for it, and the fields `list_live` filters on;
 * - its client: the wire adapter per version, built from the shared HTTP toolbox (ClientKit).
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { Located } from "../DesiredState/Located.ts"
import type { Issue, SiteConfig } from "../Domain/Desired.ts"
import type { FirmwareVersion, LiveInterface, Origin } from "../Domain/Model.ts"
import type { FieldDiff, SourceRef } from "../Domain/Plan.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"
import type { Requester } from "../Opnsense/Request.ts"
import type { RowOutcome } from "../Opnsense/Rows.ts"
import type * as Version from "../Opnsense/Version.ts"
import type { RetryOptions } from "../Resilience/Retry.ts"
import type { AliasTable } from "./Alias/Spec.ts"

/** A live object as identity sees it. */
export interface LiveItem<S> {
  readonly uuid: string
  readonly origin: Origin
  /** the desired-state name parsed from the ownership marker */
  readonly owner?: string | undefined
  readonly spec: S
}

/** A desired object: its name in YAML, canonical spec and where it is declared. */
export interface DesiredItem<S> {
  readonly name: string
  readonly spec: S
  readonly source: SourceRef
}

/** What the loader hands every kind's checks and normaliser besides its own items. */
export interface LoadContext {
  /**
   * the site's aliases by name with their types: address and port fields of every kind may name
   * an alias, so each kind checks and normalises its references against this table
   */
  readonly aliases: AliasTable
  /**
   * the site's items of another kind, by its YAML key, as decoded and located (a DHCP reservation
   * names its subnet by the subnet's desired-state name and must lie inside it; a route checks the
   * gateway it names against the site's `gateways`)
   */
  readonly items: (collection: string) => ReadonlyArray<Located<unknown>>
  /** the site's settings (sites.yaml): the outbound NAT mode, the declared `interfaces`, lint severities */
  readonly site: SiteConfig
}

export interface YamlPart<I, S> {
  /** the schema of one YAML item (its `fields` are the known keys; it also feeds the JSON Schema) */
  readonly input: Schema.Codec<I, unknown> & { readonly fields: Readonly<Record<string, unknown>> }
  /** description of the list in the JSON Schema */
  readonly description?: string
  /** fields holding a mapping whose keys are checked too (e.g. a rule's source and destination) */
  readonly nested?: Readonly<Record<string, ReadonlyArray<string>>>
  /** value checks across the kind's items (every problem with file:line:col) */
  readonly check: (items: ReadonlyArray<Located<I>>, context: LoadContext) => ReadonlyArray<Issue>
  /** the canonical spec of a checked item */
  readonly normalise: (input: I, context: LoadContext) => S
  /** the friendly YAML item for a spec (import, propose_change); `name` is the item's name */
  readonly render: (name: string, spec: S) => { readonly name: string } & Readonly<Record<string, unknown>>
}

/** Where a write puts an object besides its spec. */
export interface Placement<L> {
  /** ordered kinds: the sequence the object gets */
  readonly sequence?: number | undefined
  /** ordered kinds: only the place moved; nothing but the sequence is written */
  readonly onlySequence?: boolean | undefined
  /** a revert: the object as it was before the apply (e.g. a VLAN's device name) */
  readonly restore?: L | undefined
}

export interface BulkRow<S> {
  /** the object to update; absent for a new one */
  readonly uuid?: string | undefined
  readonly spec: S
  readonly owner: string
  readonly sequence?: number | undefined
  readonly onlySequence?: boolean | undefined
}

/** Which runs of writes one call can carry on the firewall's version. */
export interface BulkOffer {
  /** actions a run of at least the bulk threshold may carry in one `upsert` ([] = none) */
  readonly upsert: ReadonlyArray<"create" | "update">
  /** whether a run of deletes is one `removeMany` */
  readonly removeMany: boolean
}

export interface BulkApi<S> {
  readonly offer: Effect.Effect<BulkOffer, OpnsenseError>
  /** one outcome per row, in order; fails as a whole only when the call itself fails */
  readonly upsert: (rows: ReadonlyArray<BulkRow<S>>) => Effect.Effect<ReadonlyArray<RowOutcome>, OpnsenseError>
  /** one outcome per uuid, in order: undefined when it is gone, the error when it may not be */
  readonly removeMany: (uuids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<OpnsenseError | undefined>>
}

/** What a snapshot reads once and hands every kind. */
export interface ReadContext {
  /** category uuid → name */
  readonly categories: ReadonlyMap<string, string>
  /** the firewall's interfaces; undefined when they could not be read */
  readonly interfaces: ReadonlyArray<LiveInterface> | undefined
}

/** A kind's calls on one firewall. */
export interface KindApi<S, L> {
  /** every object of the kind (reads what it needs itself) */
  readonly list: Effect.Effect<ReadonlyArray<L>, OpnsenseError>
  /** the snapshot's read, with what the snapshot read once */
  readonly read: (context: ReadContext) => Effect.Effect<ReadonlyArray<L>, OpnsenseError>
  /** returns the new uuid */
  readonly create: (spec: S, owner: string, at?: Placement<L>) => Effect.Effect<string, OpnsenseError>
  readonly update: (uuid: string, spec: S, owner: string, at?: Placement<L>) => Effect.Effect<void, OpnsenseError>
  readonly remove: (uuid: string) => Effect.Effect<void, OpnsenseError>
  /** makes the subsystem's saved writes active */
  readonly reconfigure: Effect.Effect<void, OpnsenseError>
  readonly bulk?: BulkApi<S> | undefined
}

/** The shared HTTP toolbox a kind's client is built from (src/Opnsense/Client.ts). */
export interface ClientKit {
  readonly site: string
  readonly baseUrl: string
  readonly http: Requester
  readonly retry: RetryOptions
  readonly version: Effect.Effect<FirmwareVersion, OpnsenseError>
  readonly capabilities: Effect.Effect<Version.Capabilities, OpnsenseError>
  /** add_*: a retried create first looks for the object its earlier attempt may have made */
  readonly create: (
    path: string,
    wrapper: string,
    body: unknown,
    findExisting: Effect.Effect<string | undefined, OpnsenseError>
  ) => Effect.Effect<string, OpnsenseError>
  readonly update: (path: string, wrapper: string, body: unknown) => Effect.Effect<void, OpnsenseError>
  /** del_*: "not found" on a retry means the first attempt deleted it */
  readonly remove: (path: string, noun: string, uuid: string) => Effect.Effect<void, OpnsenseError>
  readonly reconfigure: (path: string, title: string) => Effect.Effect<void, OpnsenseError>
  /** any other write: refused on read-only versions, drops the cached snapshot */
  readonly writing: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | OpnsenseError>
  /** category uuid → name, read now */
  readonly categories: Effect.Effect<ReadonlyMap<string, string>, OpnsenseError>
  /** category names → uuids, creating the missing ones */
  readonly categoryIds: (names: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, OpnsenseError>
  /** a write carrying categories: forget the known categories when it fails (one may have gone) */
  readonly forgettingCategories: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
  readonly interfaces: Effect.Effect<ReadonlyArray<LiveInterface> | undefined, OpnsenseError>
}

/** How `list_live` shows a kind's objects: one flat row each, and the fields shown by default. */
export interface Listing<L> {
  /** `name`, `uuid`, `managed`, `origin` and the spec's fields, one level deep */
  readonly row: (live: L) => Readonly<Record<string, unknown>>
  readonly fields: ReadonlyArray<string>
}

export interface Kind<
  N extends string = string,
  C extends string = string,
  S = unknown,
  L extends LiveItem<S> = LiveItem<S>,
  I = unknown
> {
  /** the plan's `kind`, the journal's and the inventory's key: "vlan" */
  readonly name: N
  /** YAML top-level key and the field of the loaded site, the snapshot and the client: "vlans" */
  readonly collection: C
  /** ["VLAN", "VLANs"] */
  readonly noun: readonly [string, string]
  /** the reconfigure unit its writes need: kinds sharing one are reconfigured once */
  readonly subsystem: string
  /** the kinds whose objects this kind's specs name: they are written first and deleted after */
  readonly dependsOn: ReadonlyArray<string>
  readonly spec: Schema.Codec<S, unknown>
  readonly live: Schema.Codec<L, unknown>
  readonly yaml: YamlPart<I, S>
  readonly identity: {
    /** the natural key used to adopt an unmanaged object; undefined = never adopt */
    readonly adoptionKey: (spec: S) => string | undefined
    /** how an object is named where it has no desired name (prune, unclaimed) */
    readonly label: (live: L) => string
    /** how drift lists an unmanaged object (default: label) */
    readonly unmanagedLabel?: (live: L) => string
    /** objects the API cannot write besides non-MVC ones (e.g. built-in aliases) */
    readonly readOnly?: (live: L) => boolean
    /**
     * whether the API can write an object (default: an MVC object whose uuid is a uuid); a kind
     * whose API key is no uuid (an interface assignment's `opt1`) says so here
     */
    readonly writable?: (live: L) => boolean
    /**
     * why unmanaged objects of this kind are never deleted, even where the site prunes unmanaged
     * objects (an interface assignment: WAN and LAN are unmanaged on most boxes); undefined = the
     * site's `prune_unmanaged` decides
     */
    readonly keepUnmanaged?: string
    /** why read-only objects are left out of an import, as lines (default: how many) */
    readonly skipped?: (readOnly: ReadonlyArray<L>) => ReadonlyArray<string>
  }
  /** names of objects of the same kind a spec needs written first (an alias's nested aliases) */
  readonly references?: (spec: S) => ReadonlyArray<string>
  /** an evaluation order: sequences compiled from YAML order, kept where the order holds */
  readonly sequence?: {
    readonly of: (live: L) => number
    readonly max: (version: FirmwareVersion) => number
  }
  /**
   * why the API cannot read or write this kind on a version (undefined = it can): plan fails for
   * desired objects of the kind there, drift and import say the kind could not be read
   */
  readonly unavailable?: (version: FirmwareVersion) => string | undefined
  /**
   * why this kind's objects are reverted through the API even when the whole config.xml is
   * restored (a VLAN device leaves the kernel only when the API noted it); undefined = no need
   */
  readonly revertThroughApi?: string
  /**
   * why this kind's writes need the subsystems of the kinds it depends on active first, and its
   * own reconfigure before their deletes (an interface assignment: a new VLAN's device is offered
   * only after the VLAN reconfigure; a VLAN is deletable only once the assignment reconfigure took
   * its interface out). The apply then reconfigures those subsystems in between (Order.ts
   * compileSteps). undefined = the writes of a run need nothing active.
   */
  readonly activeDependencies?: string
  /** fields besides the spec a revert puts back (a VLAN's device) */
  readonly restoreDiff?: (pre: L, now: L | undefined) => ReadonlyArray<FieldDiff>
  /**
   * A site setting (sites.yaml) rather than a list of YAML items: the firewall has exactly one
   * live object of the kind (its uuid and owner are the setting's name), and a change of the
   * setting is the update of that object, so plan, apply (with its subsystem's one reconfigure),
   * journal, undo and drift handle it as any other change. The object is matched to the site's
   * value by its name; when the site leaves the setting out it is read-only (never changed,
   * imported or pruned); it is never created or deleted. undefined = an ordinary kind.
   */
  readonly setting?: {
    /** the site's value as the one desired object; undefined when the site leaves it as it is */
    readonly desired: (config: SiteConfig) => DesiredItem<S> | undefined
    /** why this version's API cannot read it (plan warns instead of comparing); undefined when it can */
    readonly unreadable: (version: FirmwareVersion) => string | undefined
  }
  /**
   * what of a spec the firewall's version cannot hold, as short phrases ("TXT records (26.1+)");
   * [] = all of it. Plan warns per change; the kind's client refuses such writes before sending.
   * Undefined = every supported version holds every spec.
   */
  readonly unsupported?: (spec: S, version: FirmwareVersion) => ReadonlyArray<string>
  readonly importer: {
    /** file the import writes, in the site folder */
    readonly file: string
    /** the YAML name of an imported object; `known` is the name it was owned as */
    readonly name: (live: L, known: string | undefined) => string
    /** the name is the object's key on the firewall too: it cannot be changed on the way in */
    readonly fixedName?: boolean
  }
  readonly listing: Listing<L>
  readonly client: (kit: ClientKit) => KindApi<S, L>
}

/** Any registered kind, as the generic code handles it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKind = Kind<string, string, any, any, any>

/** Define a kind with its types checked against each other. */
export const defineKind = <N extends string, C extends string, S, L extends LiveItem<S>, I>(
  kind: Kind<N, C, S, L, I>
): Kind<N, C, S, L, I> => kind

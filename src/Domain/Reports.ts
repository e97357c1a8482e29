/**
 * What the reconciler reports besides the plan: the outcome of an apply, a drift report and the
 * result of an import. These are what `apply --json` / `drift --json` print, what the MCP tools
 * return as structured content and what the audit log records.
 */
import * as Schema from "effect/Schema"
import { Origin, ResourceKind } from "./Model.ts"
import { ChangeAction, FieldDiff, SourceRef } from "./Plan.ts"

/** `reverted`: done, then undone when the safety layer restored the revision from before the apply */
export const ChangeStatus = Schema.Literals(["done", "failed", "skipped", "reverted"])
export type ChangeStatus = typeof ChangeStatus.Type

/** One change of the plan as it went when applied. */
export const ChangeOutcome = Schema.Struct({
  action: ChangeAction,
  kind: ResourceKind,
  name: Schema.String,
  /** the uuid written (the new one for a create) */
  uuid: Schema.optional(Schema.String),
  status: ChangeStatus,
  /** what went wrong, pointing at the YAML line when the object has one */
  error: Schema.optional(Schema.String),
  /** OPNsense field → message, from a validation failure */
  validations: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  source: Schema.optional(SourceRef)
})
export type ChangeOutcome = typeof ChangeOutcome.Type

/** A subsystem that is reconfigured/applied once at the end of an apply. */
/** A reconfigure unit: kinds sharing one are reconfigured once ("vlan", "alias", "rule", ...). */
export const Subsystem = Schema.String
export type Subsystem = string

/** What the safety layer did around an apply (docs/safety.md); absent when it did not run. */
export const SafetyReport = Schema.Struct({
  /** fencing token of the apply lock held for the whole apply */
  lockToken: Schema.optional(Schema.Number),
  /** config revision (core/backup) recorded before the apply: what a revert restores */
  revision: Schema.optional(Schema.String),
  /** an interrupted earlier apply found in the journal and recovered first */
  recovered: Schema.optional(Schema.String),
  /** post-apply checks: API reachable, re-plan empty, TCP probes */
  verification: Schema.optional(Schema.Struct({ ok: Schema.Boolean, failures: Schema.Array(Schema.String) })),
  /** DATA_DIR file holding the config.xml that ran before the apply (mode 0600) */
  undo: Schema.optional(Schema.String),
  /**
   * set when verification failed and the apply was undone: `revision` when the recorded revision
   * was restored, `inverse` when it had been rotated away and the journal was undone object by object
   */
  revert: Schema.optional(Schema.Struct({
    revision: Schema.String,
    mode: Schema.optional(Schema.Literals(["revision", "inverse"])),
    result: Schema.Literals(["reverted", "failed"]),
    reconfigured: Schema.Array(Subsystem),
    /** inverse: the writes it made */
    writes: Schema.optional(Schema.Number),
    error: Schema.optional(Schema.String)
  }))
})
export type SafetyReport = typeof SafetyReport.Type

export const ApplyResult = Schema.Literals(["applied", "nothing-to-do", "failed"])
export type ApplyResult = typeof ApplyResult.Type

export const ApplyReport = Schema.Struct({
  site: Schema.String,
  planId: Schema.String,
  actor: Schema.String,
  startedAt: Schema.String,
  finishedAt: Schema.String,
  result: ApplyResult,
  changes: Schema.Array(ChangeOutcome),
  /** subsystems reconfigured at the end, in the order they were */
  reconfigured: Schema.Array(Subsystem),
  /** re-plan after the apply: clean when it is empty */
  verification: Schema.Struct({
    clean: Schema.Boolean,
    /** "~ rule allow-dns: destination.port" for every change the re-plan still shows */
    remaining: Schema.Array(Schema.String)
  }),
  /** set when blocked changes were applied on an explicit override (with its reason) */
  override: Schema.optional(Schema.String),
  /** lock, backup, verification and revert around the apply (src/Safety) */
  safety: Schema.optional(SafetyReport),
  /** one readable sentence */
  message: Schema.String
})
export type ApplyReport = typeof ApplyReport.Type

/** A managed object whose live fields differ from the desired state. */
export const DriftedObject = Schema.Struct({
  kind: ResourceKind,
  name: Schema.String,
  uuid: Schema.String,
  diff: Schema.Array(FieldDiff),
  source: Schema.optional(SourceRef)
})
export type DriftedObject = typeof DriftedObject.Type

/** An object on the firewall that the desired state does not name. */
export const UnmanagedObject = Schema.Struct({
  kind: ResourceKind,
  uuid: Schema.String,
  /** alias name, VLAN device, or rule description */
  label: Schema.String,
  origin: Origin,
  /** not in the baseline recorded at the last apply: it appeared since */
  appeared: Schema.Boolean
})
export type UnmanagedObject = typeof UnmanagedObject.Type

/**
 * A live object that claims to be managed (ownership marker, or a state.json record) but that no
 * desired item claims: the plan deletes it. `forged` when nothing we did explains it: a second
 * object carrying the marker of a managed one, or a marker naming an object this site never
 * recorded. An object we created whose item left the desired state is a pending delete instead.
 */
export const UnclaimedObject = Schema.Struct({
  kind: ResourceKind,
  /** the name its marker (or state.json) gives */
  name: Schema.String,
  uuid: Schema.String,
  /** alias name, VLAN device, or rule description */
  label: Schema.String,
  why: Schema.String,
  forged: Schema.Boolean
})
export type UnclaimedObject = typeof UnclaimedObject.Type

export const DriftReport = Schema.Struct({
  site: Schema.String,
  checkedAt: Schema.String,
  firewallVersion: Schema.String,
  /** managed objects changed on the firewall, field by field */
  drifted: Schema.Array(DriftedObject),
  /** managed objects (inventory or marker) that are gone from the firewall */
  missing: Schema.Array(Schema.Struct({ kind: ResourceKind, name: Schema.String, uuid: Schema.String })),
  /** desired objects never created yet (a pending change, not drift) */
  pending: Schema.Array(Schema.Struct({ kind: ResourceKind, name: Schema.String })),
  /** writable objects nobody manages; never touched unless the site opts in to pruning */
  unmanaged: Schema.Array(UnmanagedObject),
  /** objects that claim to be managed but no desired item claims (the plan's deletes of owned objects) */
  unclaimed: Schema.Array(UnclaimedObject),
  /** rules the filter API shows read-only (legacy, automatic): never touched */
  readOnly: Schema.Struct({ legacy: Schema.Number, automatic: Schema.Number, builtin: Schema.Number }),
  /** kinds the firewall's version has no API for, or the API key may not read, with why: nothing of them was compared */
  unreadable: Schema.optional(Schema.Array(Schema.String)),
  /** true when drifted, missing, forged-unclaimed or appeared-unmanaged objects exist (`drift` exits 2) */
  hasDrift: Schema.Boolean,
  /**
   * true when the firewall could not be read (circuit breaker open) and the report compares the
   * last snapshot read, taken at `checkedAt`: its findings are not current
   */
  stale: Schema.optional(Schema.Boolean)
})
export type DriftReport = typeof DriftReport.Type

/** A file `import` produced, relative to the site folder. */
export const ImportedFile = Schema.Struct({ path: Schema.String, content: Schema.String })
export type ImportedFile = typeof ImportedFile.Type

export const ImportResult = Schema.Struct({
  site: Schema.String,
  files: Schema.Array(ImportedFile),
  /** objects imported per kind ("rule": 12) */
  counts: Schema.Record(Schema.String, Schema.Number),
  /** objects left out (built-in aliases, legacy/automatic rules) and why */
  skipped: Schema.Array(Schema.String)
})
export type ImportResult = typeof ImportResult.Type

/** One line of DATA_DIR/audit.log. `hash` chains each entry to the one before it. */
export const AuditEntry = Schema.Struct({
  seq: Schema.Number,
  at: Schema.String,
  actor: Schema.String,
  site: Schema.String,
  action: Schema.Literals(["apply", "import"]),
  planId: Schema.String,
  result: Schema.String,
  changes: Schema.Array(
    Schema.Struct({
      action: ChangeAction,
      kind: ResourceKind,
      name: Schema.String,
      uuid: Schema.optional(Schema.String),
      status: ChangeStatus
    })
  ),
  override: Schema.optional(Schema.String),
  prevHash: Schema.String,
  hash: Schema.String
})
export type AuditEntry = typeof AuditEntry.Type

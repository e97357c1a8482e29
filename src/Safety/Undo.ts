/**
 * The undo an apply keeps for itself. OPNsense writes one config revision per save and keeps
 * `system/backupcount` of them (100 when unset), pruning the oldest after every save, so an apply
 * of 100 writes or more rotates away the revision recorded before it, and `revert_backup` cannot
 * find it any more (opnsense/core 25.7, 26.1 and 26.7.2:
 * src/opnsense/mvc/app/library/OPNsense/Core/Config.php backupCount, cleanupBackups, save).
 *
 * So before writing, the apply keeps the running config.xml in DATA_DIR/undo (mode 0600: it holds
 * password hashes and keys; never logged), and the live snapshot its plan was made from. A revert
 * then chooses:
 *
 *   - the recorded revision is still listed → `revert_backup` (the whole config.xml);
 *   - it is gone → the inverse of what the journal says was written, from the pre-apply snapshot:
 *     delete what was created, put updated objects back to their pre-apply spec, re-create what was
 *     deleted (with its old uuid: `set` is an upsert, opnsense/core 26.7.2:
 *     src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableModelControllerBase.php setBase),
 *     then reconfigure each touched subsystem once and check that nothing differs from before.
 *
 * Either way VLANs go first through the API (del_item, set_item): only those calls note a device
 * for destruction, and `vlan_settings/reconfigure` destroys a device that left the config only when
 * it was noted; a revision restore notes nothing, so without this a VLAN the apply created would
 * stay in the kernel (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php delItemAction,
 * src/opnsense/scripts/interfaces/reconfigure_vlans.php).
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { LiveSnapshot, ResourceKind } from "../Domain/Model.ts"
import type { Change, FieldDiff } from "../Domain/Plan.ts"
import type { AnyKind, LiveItem, Placement } from "../Kinds/Kind.ts"
import { apiOf, kindNamed, kinds, liveOf } from "../Kinds/Registry.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"
import { reconfigure } from "../Reconciler/Apply.ts"
import { fieldDiff } from "../Reconciler/Diff.ts"
import type { StoreError } from "../Reconciler/Errors.ts"
import { compileSteps, orderChanges, RECONFIGURE_ORDER, subsystemOf } from "../Reconciler/Order.ts"
import { listDir, writeAtomic } from "../Store/Files.ts"
import type { JournalStep } from "./Journal.ts"
import { siteFileName } from "./Lock.ts"
import { revert, type RevertOutcome } from "./Verify.ts"

/** Revisions OPNsense keeps when config.xml has no `system/backupcount` (Config.php backupCount, 25.7–26.7.2). */
export const DEFAULT_BACKUP_COUNT = 100

/** PHP `intval` of a string: leading blanks, a sign and digits; 0 when there are none. */
const intval = (text: string): number => {
  const m = /^\s*([+-]?\d+)/.exec(text)
  return m?.[1] === undefined ? 0 : Number.parseInt(m[1], 10)
}

/**
 * The retention a config.xml sets: `system/backupcount` when present and `intval() >= 0`, else the
 * default; `configured` says whether the file set it (Config.php backupCount).
 */
export const retentionOf = (xml: string): { readonly count: number; readonly configured: boolean } => {
  // only system/ has a backupcount element; an empty one is set to intval("") = 0
  if (/<backupcount\s*\/>/.test(xml)) return { count: 0, configured: true }
  const raw = /<backupcount>([^<]*)<\/backupcount>/.exec(xml)?.[1]
  if (raw === undefined) return { count: DEFAULT_BACKUP_COUNT, configured: false }
  const n = intval(raw)
  return n >= 0 ? { count: n, configured: true } : { count: DEFAULT_BACKUP_COUNT, configured: false }
}

/**
 * Plans with fewer saves are not checked against the retention: it would cost a download of
 * config.xml for every small plan, and a retention set below ~12 is the only case it would miss.
 */
export const RETENTION_CHECK_FROM = 10

/** Config saves a plan's changes make at most: one per change (a bulk upload makes fewer). */
export const savesOf = (changes: ReadonlyArray<Change>): number => changes.length

/**
 * The plan warning when its saves come near the retention (80 %): the revision recorded before the
 * apply may be pruned before a revert needs it. `source` says where the count came from.
 */
export const retentionWarning = (
  saves: number,
  retention: { readonly count: number; readonly configured: boolean },
  source: "config" | "default"
): string | undefined => {
  if (saves < Math.ceil(retention.count * 0.8)) return undefined
  const where = source === "config" && retention.configured
    ? `the firewall keeps ${retention.count} configuration revisions (system/backupcount in its config.xml)`
    : `the firewall is assumed to keep ${retention.count} configuration revisions (OPNsense's default; ${
      source === "config" ? "its config.xml sets no system/backupcount" : "its config.xml could not be read"
    })`
  const fate = saves >= retention.count
    ? "the revision recorded before the apply will be pruned before it ends"
    : "other saves during the apply may prune the revision recorded before it"
  return `this plan makes up to ${saves} config saves and ${where}: ${fate}; a revert then writes the inverse of the apply from the pre-apply snapshot instead of restoring that revision`
}

// --- the pre-apply config.xml in DATA_DIR -------------------------------------------------------

export interface UndoFiles {
  readonly dir: string
  /** keep `xml` for an apply; returns the file's path */
  readonly keep: (site: string, applyId: string, xml: string) => Effect.Effect<string, StoreError>
}

/** DATA_DIR/undo/<site>-<applyId>.xml, written atomically with mode 0600; the newest `retain` per site stay. */
export const undoFiles = (dataDir: string, retain = 10): UndoFiles => {
  const dir = path.join(dataDir, "undo")
  const keep = Effect.fn("Undo.keep")(function*(site: string, applyId: string, xml: string) {
    const prefix = `${siteFileName(site)}-`
    const file = path.join(dir, `${prefix}${applyId}.xml`)
    yield* writeAtomic(file, xml)
    // applyIds start with a base-36 timestamp of equal length: name order is time order
    const mine = (yield* listDir(dir)).filter((n) => n.startsWith(prefix) && n.endsWith(".xml")).sort()
    const old = mine.slice(0, Math.max(0, mine.length - retain))
    yield* Effect.promise(() => Promise.all(old.map((n) => fs.rm(path.join(dir, n), { force: true }))))
    return file
  })
  return { dir, keep }
}

// --- the inverse of an apply --------------------------------------------------------------------

/** What the journal says an apply wrote: per kind, the uuids and the desired-state names. */
export interface Touched {
  readonly uuids: ReadonlyMap<ResourceKind, ReadonlySet<string>>
  readonly owners: ReadonlyMap<ResourceKind, ReadonlySet<string>>
  readonly kinds: ReadonlySet<ResourceKind>
}

export const touchedBy = (steps: ReadonlyArray<JournalStep>): Touched => {
  const uuids = new Map<ResourceKind, Set<string>>()
  const owners = new Map<ResourceKind, Set<string>>()
  const touchedKinds = new Set<ResourceKind>()
  const add = (map: Map<ResourceKind, Set<string>>, kind: ResourceKind, value: string) => {
    if (value === "") return
    const set = map.get(kind) ?? new Set<string>()
    set.add(value)
    map.set(kind, set)
  }
  for (const { intent, outcome } of steps) {
    if (intent.op === "reconfigure" || intent.op === "revert") continue
    // failed and unfinished calls count too: they may have saved something
    touchedKinds.add(intent.kind)
    if (intent.uuid !== undefined) add(uuids, intent.kind, intent.uuid)
    for (const name of intent.names) add(owners, intent.kind, name)
    if (outcome?.status === "done") { for (const uuid of outcome.uuids) add(uuids, intent.kind, uuid) }
  }
  return { uuids, owners, kinds: touchedKinds }
}

/** The pre-apply spec an object goes back to, and where (its sequence, its device). */
export interface Restore {
  readonly spec: unknown
  readonly at: Placement<LiveItem<unknown>>
}

/** One write that puts an object back; `owner` "" writes no ownership marker (it had none). */
export interface InverseWrite {
  readonly change: Change
  readonly owner: string
  /** undefined: delete (the apply created it) */
  readonly restore: Restore | undefined
  /** the apply deleted it: it comes back with its old uuid */
  readonly recreate: boolean
}

interface Pair {
  readonly uuid: string
  readonly pre: LiveItem<unknown> | undefined
  readonly now: LiveItem<unknown> | undefined
}

/** The pre-apply and current object of every uuid the apply touched (by uuid or by owner name). */
const pairs = (
  before: ReadonlyArray<LiveItem<unknown>>,
  now: ReadonlyArray<LiveItem<unknown>>,
  kind: ResourceKind,
  touched: Touched
): ReadonlyArray<Pair> => {
  const pre = new Map(before.filter((o) => o.origin === "mvc").map((o) => [o.uuid, o]))
  const cur = new Map(now.filter((o) => o.origin === "mvc").map((o) => [o.uuid, o]))
  const owners = touched.owners.get(kind) ?? new Set<string>()
  const candidates = new Set(touched.uuids.get(kind) ?? [])
  for (const o of [...pre.values(), ...cur.values()]) {
    if (o.owner !== undefined && owners.has(o.owner)) candidates.add(o.uuid)
  }
  return [...candidates].map((uuid) => ({ uuid, pre: pre.get(uuid), now: cur.get(uuid) }))
}

/** Fields besides the spec a revert puts back: the sequence of an ordered kind, a kind's own (a VLAN's device). */
const extraDiff = (
  kind: AnyKind,
  pre: LiveItem<unknown>,
  now: LiveItem<unknown> | undefined
): ReadonlyArray<FieldDiff> => {
  const order = kind.sequence
  const sequence = order === undefined
    ? []
    : order.of(pre) !== (now === undefined ? undefined : order.of(now))
    ? [{ path: "sequence", from: now === undefined ? null : order.of(now), to: order.of(pre) }]
    : []
  return [...(kind.restoreDiff?.(pre, now) ?? []), ...sequence]
}

const inverseOf = (kind: AnyKind, { uuid, pre, now }: Pair): InverseWrite | undefined => {
  if (pre === undefined) {
    if (now === undefined) return undefined
    const name = now.owner ?? ""
    return {
      change: {
        action: "delete",
        kind: kind.name,
        name,
        uuid,
        before: now.spec,
        reason: "created by the reverted apply"
      },
      owner: name,
      restore: undefined,
      recreate: false
    }
  }
  const owner = pre.owner ?? ""
  const diff = [
    ...fieldDiff(now?.spec, pre.spec),
    ...extraDiff(kind, pre, now),
    ...(owner !== (now?.owner ?? "") ? [{ path: "owner", from: now?.owner ?? null, to: pre.owner ?? null }] : [])
  ]
  if (now !== undefined && diff.length === 0) return undefined
  const sequence = kind.sequence?.of(pre)
  return {
    change: {
      action: "update",
      kind: kind.name,
      name: owner,
      uuid,
      ...(now === undefined ? {} : { before: now.spec }),
      after: pre.spec,
      diff,
      ...(sequence === undefined ? {} : { sequence }),
      reason: now === undefined ? "deleted by the reverted apply" : "changed by the reverted apply"
    },
    owner,
    restore: {
      spec: pre.spec,
      at: {
        sequence,
        onlySequence: now !== undefined && sequence !== undefined && diff.every((d) => d.path === "sequence"),
        restore: pre
      }
    },
    recreate: now === undefined
  }
}

/**
 * The writes that make the objects an apply touched what they were in `before`, given what they
 * are `now`; [] when nothing the apply touched differs any more. In execution order.
 */
export const inverseWrites = (
  before: LiveSnapshot,
  now: LiveSnapshot,
  touched: Touched
): ReadonlyArray<InverseWrite> => {
  const writes = kinds.flatMap((kind) =>
    pairs(liveOf(before, kind), liveOf(now, kind), kind.name, touched).map((p) => inverseOf(kind, p))
  ).filter((w): w is InverseWrite => w !== undefined)
  // the apply's own order rules (rules before the aliases they use, members before containers)
  const byChange = new Map(writes.map((w) => [w.change, w]))
  return orderChanges(writes.map((w) => w.change)).flatMap((c) => {
    const w = byChange.get(c)
    return w === undefined ? [] : [w]
  })
}

export const describeWrite = (w: InverseWrite): string =>
  `${w.recreate ? "re-create" : w.change.action} ${w.change.kind} ${w.change.name || (w.change.uuid ?? "")}`

const writeOne = (client: OpnsenseShape, w: InverseWrite): Effect.Effect<void, OpnsenseError> => {
  const uuid = w.change.uuid ?? ""
  const kind = kindNamed(w.change.kind)
  if (kind === undefined) {
    return Effect.die(new Error(`"${w.change.kind}" is not a kind of object opnsense-mcp manages`))
  }
  const api = apiOf(client, kind)
  const r = w.restore
  return r === undefined ? api.remove(uuid) : api.update(uuid, r.spec, w.owner, r.at)
}

/**
 * Every write, in order, on to the end (an undo restores what it can); the failures as lines. The
 * reconfigures a kind needs between writes run as in an apply (Order.ts compileSteps: an interface
 * assignment's deletion is reconfigured before its VLAN is deleted); the callers reconfigure at the end.
 */
export const writeAll = (
  client: OpnsenseShape,
  writes: ReadonlyArray<InverseWrite>
): Effect.Effect<ReadonlyArray<string>> =>
  Effect.gen(function*() {
    const errors: Array<string> = []
    const steps = compileSteps(writes.map((w) => w.change))
    const last = steps.findLastIndex((step) => step._tag === "Write")
    for (const step of steps.slice(0, last + 1)) {
      if (step._tag === "Reconfigure") {
        const r = yield* Effect.result(reconfigure(client, step.subsystem))
        if (r._tag === "Failure") errors.push(`reconfigure ${step.subsystem}: ${r.failure.message}`)
        continue
      }
      const w = writes[step.index]
      if (w === undefined) continue
      const r = yield* Effect.result(writeOne(client, w))
      if (r._tag === "Failure") errors.push(`${describeWrite(w)}: ${r.failure.message}`)
    }
    return errors
  })

/** Reconfigure the subsystem of each touched kind once, in the apply's order; the failures as lines. */
const reconfigureAll = (client: OpnsenseShape, touchedKinds: ReadonlySet<ResourceKind>) =>
  Effect.gen(function*() {
    const subsystems = new Set([...touchedKinds].map(subsystemOf))
    const reconfigured: Array<string> = []
    const errors: Array<string> = []
    for (const subsystem of RECONFIGURE_ORDER.filter((s) => subsystems.has(s))) {
      const r = yield* Effect.result(reconfigure(client, subsystem))
      if (r._tag === "Success") reconfigured.push(subsystem)
      else errors.push(`reconfigure ${subsystem}: ${r.failure.message}`)
    }
    return { reconfigured, errors }
  })

/** Kinds whose objects must be reverted through the API even when the whole config is restored. */
const throughApi = kinds.filter((k) => k.revertThroughApi !== undefined).map((k) => k.name)

export interface UndoInput {
  /** the config revision recorded before the apply */
  readonly revision: string | undefined
  /** the live snapshot the plan was made from: the state before the apply's first write */
  readonly before: LiveSnapshot | undefined
  readonly touched: Touched
}

/**
 * Undo an apply: revision restore when the recorded revision is still listed, the inverse of the
 * journal otherwise (see the module comment). VLANs are undone through the API first either way.
 */
export const undo = (client: OpnsenseShape, input: UndoInput): Effect.Effect<RevertOutcome> =>
  Effect.gen(function*() {
    const { before, touched } = input
    const revision = input.revision ?? ""
    const listed = input.revision === undefined
      ? { _tag: "Listed" as const, present: false }
      : yield* client.backups.list.pipe(
        Effect.map((all) => ({ _tag: "Listed" as const, present: all.some((b) => b.revision === input.revision) })),
        Effect.orElseSucceed(() => ({ _tag: "Unknown" as const }))
      )
    const useRevision = listed._tag === "Unknown" || listed.present
    const now = before === undefined || (useRevision && !throughApi.some((k) => touched.kinds.has(k)))
      ? undefined
      : yield* Effect.result(client.snapshot({ fresh: true }))
    const current = now?._tag === "Success" ? now.success : undefined
    yield* Effect.annotateCurrentSpan({ mode: useRevision ? "revision" : "inverse" })

    if (useRevision && input.revision !== undefined) {
      // e.g. a device leaves the kernel only when del_item/set_item noted it: undo VLANs through them first
      const vlanWrites = before !== undefined && current !== undefined
        ? inverseWrites(before, current, touched).filter((w) => throughApi.includes(w.change.kind) && !w.recreate)
        : []
      const vlanErrors = yield* writeAll(client, vlanWrites)
      const touchedKinds = new Set(touched.kinds)
      for (const w of vlanWrites) touchedKinds.add(w.change.kind)
      const restored = yield* revert(client, input.revision, touchedKinds)
      const errors = [...vlanErrors, ...(restored.error === undefined ? [] : [restored.error])]
      // a VLAN write that failed may leave its device in the kernel: the revert is not complete
      return {
        ...restored,
        mode: "revision" as const,
        ...(vlanErrors.length === 0 ? {} : { result: "failed" as const }),
        ...(errors.length === 0 ? {} : { error: errors.join("; ") })
      }
    }

    if (before === undefined || current === undefined) {
      return {
        revision,
        mode: "inverse" as const,
        result: "failed" as const,
        reconfigured: [],
        error: input.revision === undefined
          ? "no config revision was recorded before the apply and no pre-apply snapshot is at hand"
          : `revision ${input.revision} is no longer kept by the firewall (rotated away) and ${
            before === undefined ? "no pre-apply snapshot is at hand" : "the firewall could not be read"
          }`
      }
    }
    const writes = inverseWrites(before, current, touched)
    const writeErrors = yield* writeAll(client, writes)
    const { reconfigured, errors } = yield* reconfigureAll(
      client,
      new Set([...touched.kinds, ...writes.map((w) => w.change.kind)])
    )
    // the check: nothing the apply touched differs from the pre-apply snapshot any more
    const after = yield* Effect.result(client.snapshot({ fresh: true }))
    const remaining = after._tag === "Success"
      ? inverseWrites(before, after.success, touched).map(describeWrite)
      : [`the firewall could not be read after the revert: ${after.failure.message}`]
    const problems = [
      ...writeErrors,
      ...errors,
      ...(remaining.length === 0 ? [] : [`still different from before the apply: ${remaining.join("; ")}`])
    ]
    return {
      revision,
      mode: "inverse" as const,
      result: problems.length === 0 ? "reverted" as const : "failed" as const,
      reconfigured,
      writes: writes.length,
      ...(problems.length === 0 ? {} : { error: problems.join("; ") })
    }
  }).pipe(Effect.withSpan("Safety.undo"))

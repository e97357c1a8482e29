/**
 * Drift: what changed on the firewall outside git. Managed objects (owned by marker or recorded in
 * state.json) whose live fields differ from the desired state are reported field by field; managed
 * objects that disappeared are missing; unmanaged objects are listed separately, flagged when they
 * appeared after the baseline recorded at the last apply. Owned objects no desired item claims
 * (the identity's orphans, which the plan deletes) are listed as unclaimed: drift when their
 * ownership is forged (a duplicate marker, or a marker naming an object this site never recorded),
 * a pending delete when state.json shows we created them. Read-only rules and built-in aliases are
 * only counted. Kinds the API key may not read are named in `unreadable` and not compared.
 */
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { DriftReport, UnclaimedObject, UnmanagedObject } from "../Domain/Reports.ts"
import { desiredOf, kinds, liveOf } from "../Kinds/Registry.ts"
import type { SiteState } from "../Store/StateFile.ts"
import { fieldDiff, identifySite, identityOf, sequenceTargets } from "./Diff.ts"
import { unreadableKinds, unreadKinds } from "./Unavailable.ts"

export const driftReport = (desired: DesiredSite, live: LiveSnapshot, state: SiteState, now: Date): DriftReport => {
  const identity = identifySite(desired, live, state.inventory)
  const drifted: Array<DriftReport["drifted"][number]> = []
  const missing: Array<DriftReport["missing"][number]> = []
  const pending: Array<DriftReport["pending"][number]> = []
  const unmanaged: Array<UnmanagedObject> = []
  const unclaimed: Array<UnclaimedObject> = []
  const readOnly = { legacy: 0, automatic: 0, builtin: 0 }
  const baseline = state.unmanagedBaseline
  const liveUuids = new Set(kinds.flatMap((kind) => liveOf(live, kind).map((l) => l.uuid)))

  // a kind the key may not read is not compared (an empty list would make every managed object missing)
  const unread = new Set(unreadKinds(live))

  for (const kind of kinds) {
    if (unread.has(kind.name)) continue
    const identified = identityOf(identity, kind)
    const items = desiredOf(desired, kind)
    const byName = new Map(identified.matches.map((m) => [m.desired.name, m]))
    const sequences = sequenceTargets(kind, items, identified, live)
    // adopted matches were never managed: not drift, just pending adoption
    for (const item of items) {
      const m = byName.get(item.name)
      if (m === undefined || m.by === "adopted") continue
      const target = sequences.get(item.name)
      const current = kind.sequence?.of(m.live)
      const order = target === undefined || target === current ? [] : [{ path: "sequence", from: current, to: target }]
      const diff = [...fieldDiff(m.live.spec, m.desired.spec), ...order]
      if (diff.length > 0) {
        drifted.push({ kind: kind.name, name: item.name, uuid: m.live.uuid, diff, source: m.desired.source })
      }
    }
    for (const d of identified.unmatched) {
      const uuid = state.inventory[kind.name]?.[d.name]
      if (uuid !== undefined && !liveUuids.has(uuid)) missing.push({ kind: kind.name, name: d.name, uuid })
      else pending.push({ kind: kind.name, name: d.name })
    }
    const label = kind.identity.unmanagedLabel ?? kind.identity.label
    for (const l of identified.unmanaged) {
      unmanaged.push({
        kind: kind.name,
        uuid: l.uuid,
        label: label(l),
        origin: l.origin,
        appeared: baseline !== undefined && !(baseline[kind.name] ?? []).includes(l.uuid)
      })
    }
    // the identity's orphans as the report lists them: the same finding the plan deletes
    for (const o of identified.orphans) {
      unclaimed.push({
        kind: kind.name,
        name: o.name,
        uuid: o.live.uuid,
        label: kind.identity.label(o.live),
        why: o.why,
        forged: o.cause === "duplicate-marker" || o.cause === "unrecorded-marker"
      })
    }
    for (const r of identified.readOnly) {
      if (r.origin === "legacy") readOnly.legacy++
      else if (r.origin === "automatic") readOnly.automatic++
      else readOnly.builtin++
    }
  }

  const unreadable = unreadableKinds(live)
  return {
    site: desired.config.name,
    checkedAt: now.toISOString(),
    ...(unreadable.length > 0 ? { unreadable } : {}),
    firewallVersion: live.version.raw,
    drifted,
    missing,
    pending,
    unmanaged,
    unclaimed,
    readOnly,
    hasDrift: drifted.length > 0 || missing.length > 0 || unclaimed.some((u) => u.forged) ||
      unmanaged.some((u) => u.appeared)
  }
}

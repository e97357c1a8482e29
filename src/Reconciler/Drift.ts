/**
 * Drift: what changed on the firewall outside git. Managed objects (owned by marker or recorded in
 * state.json) whose live fields differ from the desired state are reported field by field; managed
 * objects that disappeared are missing; unmanaged objects are listed separately, flagged when they
 * appeared after the baseline recorded at the last apply. Owned objects no desired item claims
 * (the identity's orphans, which the plan deletes) are listed as unclaimed: drift when their
 * ownership is forged (a duplicate marker, or a marker naming an object this site never recorded),
 * a pending delete when state.json shows we created them. Read-only rules and built-in aliases are
 * only counted.
 */
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { DriftReport, UnclaimedObject, UnmanagedObject } from "../Domain/Reports.ts"
import type { SiteState } from "../Store/StateFile.ts"
import { fieldDiff, identifySite, ruleSequenceTargets } from "./Diff.ts"
import type { Orphan } from "./Identity.ts"

/** The identity's orphans of one kind as the report lists them: the same finding the plan deletes. */
const unclaimedOf = <L extends { readonly uuid: string }>(
  kind: "vlan" | "alias" | "rule",
  orphans: ReadonlyArray<Orphan<L>>,
  label: (live: L) => string
): ReadonlyArray<UnclaimedObject> =>
  orphans.map((o) => ({
    kind,
    name: o.name,
    uuid: o.live.uuid,
    label: label(o.live),
    why: o.why,
    forged: o.cause === "duplicate-marker" || o.cause === "unrecorded-marker"
  }))

export const driftReport = (desired: DesiredSite, live: LiveSnapshot, state: SiteState, now: Date): DriftReport => {
  const identity = identifySite(desired, live, state.inventory)
  const drifted: Array<DriftReport["drifted"][number]> = []
  const push = (
    kind: "vlan" | "alias" | "rule",
    name: string,
    uuid: string,
    diff: DriftReport["drifted"][number]["diff"],
    source: DriftReport["drifted"][number]["source"]
  ) => {
    if (diff.length > 0) drifted.push({ kind, name, uuid, diff, ...(source === undefined ? {} : { source }) })
  }
  // adopted matches were never managed: not drift, just pending adoption
  for (const m of identity.vlans.matches) {
    if (m.by !== "adopted") {
      push("vlan", m.desired.name, m.live.uuid, fieldDiff(m.live.spec, m.desired.spec), m.desired.source)
    }
  }
  for (const m of identity.aliases.matches) {
    if (m.by !== "adopted") {
      push("alias", m.desired.name, m.live.uuid, fieldDiff(m.live.spec, m.desired.spec), m.desired.source)
    }
  }
  const byName = new Map(identity.rules.matches.map((m) => [m.desired.name, m]))
  const sequences = ruleSequenceTargets(desired, identity.rules, live)
  desired.rules.forEach((rule) => {
    const m = byName.get(rule.name)
    if (m === undefined || m.by === "adopted") return
    const target = sequences.get(rule.name)
    const order = target === undefined || target === m.live.sequence
      ? []
      : [{ path: "sequence", from: m.live.sequence, to: target }]
    push("rule", rule.name, m.live.uuid, [...fieldDiff(m.live.spec, m.desired.spec), ...order], m.desired.source)
  })

  const liveUuids = new Set([...live.vlans, ...live.aliases, ...live.rules].map((l) => l.uuid))
  const missing: Array<DriftReport["missing"][number]> = []
  const pending: Array<DriftReport["pending"][number]> = []
  for (
    const [kind, unmatched] of [["vlan", identity.vlans.unmatched], ["alias", identity.aliases.unmatched], [
      "rule",
      identity.rules.unmatched
    ]] as const
  ) {
    for (const d of unmatched) {
      const uuid = state.inventory[kind][d.name]
      if (uuid !== undefined && !liveUuids.has(uuid)) missing.push({ kind, name: d.name, uuid })
      else pending.push({ kind, name: d.name })
    }
  }

  const baseline = state.unmanagedBaseline
  const unmanaged: Array<UnmanagedObject> = [
    ...identity.vlans.unmanaged.map((l) => ({
      kind: "vlan" as const,
      uuid: l.uuid,
      label: l.device,
      origin: l.origin
    })),
    ...identity.aliases.unmanaged.map((l) => ({
      kind: "alias" as const,
      uuid: l.uuid,
      label: l.spec.name,
      origin: l.origin
    })),
    ...identity.rules.unmanaged.map((l) => ({
      kind: "rule" as const,
      uuid: l.uuid,
      label: l.spec.description || `(sequence ${l.sequence})`,
      origin: l.origin
    }))
  ].map((u) => ({ ...u, appeared: baseline !== undefined && !baseline[u.kind].includes(u.uuid) }))

  const unclaimed = [
    ...unclaimedOf("vlan", identity.vlans.orphans, (l) => l.device),
    ...unclaimedOf("alias", identity.aliases.orphans, (l) => l.spec.name),
    ...unclaimedOf("rule", identity.rules.orphans, (l) => l.spec.description || l.uuid)
  ]

  const ruleOrigins = identity.rules.readOnly
  return {
    site: desired.config.name,
    checkedAt: now.toISOString(),
    firewallVersion: live.version.raw,
    drifted,
    missing,
    pending,
    unmanaged,
    unclaimed,
    readOnly: {
      legacy: ruleOrigins.filter((r) => r.origin === "legacy").length,
      automatic: ruleOrigins.filter((r) => r.origin === "automatic").length,
      builtin: identity.aliases.readOnly.length
    },
    hasDrift: drifted.length > 0 || missing.length > 0 || unclaimed.some((u) => u.forged) ||
      unmanaged.some((u) => u.appeared)
  }
}

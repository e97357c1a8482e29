/**
 * From a diff to the plan document (`plan --json`): ordered changes, summary, warnings, and the
 * digests that make a plan identifiable (planId) and its staleness detectable (liveDigest).
 */
import type { DesiredSite } from "../Domain/Desired.ts"
import { byCodeUnit, canonicalJson, sha256 } from "../Domain/Digest.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { Plan } from "../Domain/Plan.ts"
import { desiredOf, kinds, liveOf } from "../Kinds/Registry.ts"
import { diffSite, type Inventory, type SiteIdentity } from "./Diff.ts"
import { orderChanges } from "./Order.ts"
import { unreadKinds, unreadWarnings } from "./Unavailable.ts"
import { versionWarnings } from "./VersionWarnings.ts"

// one digest per snapshot object and left-out kinds: plan, the stale-plan check and the safety guard all ask for it
const liveDigests = new WeakMap<LiveSnapshot, Map<string, string>>()

/**
 * What the firewall holds, independent of when it was read or whether it came from cache: every
 * kind but `omit`, by default the kinds the snapshot's key could not read. A plan made with a key
 * that lacks a kind's privilege records the kind (Plan.unread) so that apply, reading with a key
 * that has it, leaves it out as well (`matchesPlan`).
 */
export const liveDigest = (live: LiveSnapshot, omit: ReadonlyArray<string> = unreadKinds(live)): string => {
  let known = liveDigests.get(live)
  if (known === undefined) {
    known = new Map()
    liveDigests.set(live, known)
  }
  const key = [...omit].sort(byCodeUnit).join(",")
  const digest = known.get(key)
  if (digest !== undefined) return digest
  const byUuid = <A extends { readonly uuid: string }>(items: ReadonlyArray<A>) =>
    [...items].sort((a, b) => byCodeUnit(a.uuid, b.uuid))
  const compared = kinds.filter((kind) => !omit.includes(kind.name))
  const made = sha256(
    canonicalJson(Object.fromEntries(compared.map((kind) => [kind.collection, byUuid(liveOf(live, kind))])))
  )
  known.set(key, made)
  return made
}

/** Whether a snapshot holds what the plan was made against (the kinds the plan did not read left out). */
export const matchesPlan = (live: LiveSnapshot, plan: Plan): boolean =>
  liveDigest(live, plan.unread ?? []) === plan.liveDigest

export const planId = (desiredDigest: string, live: string, version: string): string =>
  sha256(`${desiredDigest}\n${live}\n${version}`)

export interface BuiltPlan {
  readonly plan: Plan
  readonly identity: SiteIdentity
}

export const buildPlan = (desired: DesiredSite, live: LiveSnapshot, inventory: Inventory, now: Date): BuiltPlan => {
  const { changes, identity } = diffSite(desired, live, inventory)
  const ordered = orderChanges(changes)
  const digest = liveDigest(live)
  const count = (action: "create" | "update" | "delete") => ordered.filter((c) => c.action === action).length
  const warnings: Array<string> = []
  if (live.stale) {
    warnings.push("the live snapshot came from cache while the firewall was unreachable; apply will re-read it")
  }
  const legacy = live.rules.filter((r) => r.origin === "legacy").length
  const automatic = live.rules.filter((r) => r.origin === "automatic").length
  if (legacy + automatic > 0) {
    warnings.push(
      `${legacy} legacy and ${automatic} automatic rules exist on the firewall; the API cannot write them, so they are never touched`
    )
  }
  warnings.push(...versionWarnings(desired, live, ordered))
  // kinds the key may not read: Live.ts has refused the plan already when it needs one of them
  warnings.push(...unreadWarnings(live))
  const unread = unreadKinds(live)
  // a site setting this version's API cannot read is not compared: say so instead
  for (const kind of kinds) {
    const why = kind.setting === undefined || desiredOf(desired, kind).length === 0
      ? undefined
      : kind.setting.unreadable(live.version)
    if (why !== undefined) warnings.push(why)
  }
  const identified = Object.values(identity)
  const unmanaged = identified.reduce((n, k) => n + k.unmanaged.length, 0)
  if (unmanaged > 0 && !desired.config.pruneUnmanaged) {
    warnings.push(
      `${unmanaged} unmanaged objects on the firewall are left alone (prune_unmanaged is off in sites.yaml)`
    )
  }
  const kept = identified.reduce((n, k) => n + k.matches.length, 0)
  const orphans = identified.reduce((n, k) => n + k.orphans.length, 0)
  const destroysAll = kept === 0 && orphans > 0
  if (destroysAll) {
    warnings.push(
      `this plan deletes all ${orphans} objects site "${desired.config.name}" manages and keeps none: the desired ` +
        "state read names none of them (is it the right directory?); apply refuses it without --allow-destroy"
    )
  }
  return {
    identity,
    plan: {
      planId: planId(desired.digest, digest, live.version.raw),
      site: desired.config.name,
      createdAt: now.toISOString(),
      firewallVersion: live.version.raw,
      liveDigest: digest,
      desiredDigest: desired.digest,
      changes: ordered,
      summary: { create: count("create"), update: count("update"), delete: count("delete") },
      warnings,
      blocked: [],
      ...(unread.length > 0 ? { unread } : {}),
      ...(destroysAll ? { destroysAll } : {})
    }
  }
}

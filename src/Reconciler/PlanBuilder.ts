/**
 * From a diff to the plan document of CONTRACT §5: ordered changes, summary, warnings, and the
 * digests that make a plan identifiable (planId) and its staleness detectable (liveDigest).
 */
import { createHash } from "node:crypto"
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { Plan } from "../Domain/Plan.ts"
import { diffSite, type Inventory, type SiteIdentity } from "./Diff.ts"
import { orderChanges } from "./Order.ts"

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The original canonical form, kept for values that are not plain JSON data (toJSON, class instances). */
const canonicalViaReplacer = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => byCodeUnit(a, b)))
      : v)

const isRecord = (value: object): value is Readonly<Record<string, unknown>> => !Array.isArray(value)

const NOT_PLAIN: unique symbol = Symbol("not plain JSON data")

/**
 * A copy of plain JSON data with every object's keys in sorted order, or NOT_PLAIN. Properties are
 * assigned in one order per key list (sorted once per list and call: objects of one kind share
 * it), so the copies share hidden classes and the native JSON.stringify stays on its fast path:
 * about twice as fast as sorting inside a replacer.
 */
const sortedCopy = (value: unknown, orders: Map<string, ReadonlyArray<string>>): unknown => {
  if (typeof value !== "object" || value === null) return value
  if ("toJSON" in value) return NOT_PLAIN
  const proto: unknown = Object.getPrototypeOf(value)
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return NOT_PLAIN
    const out: Array<unknown> = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const item = sortedCopy(value[i], orders)
      if (item === NOT_PLAIN) return NOT_PLAIN
      out[i] = item
    }
    return out
  }
  if ((proto !== Object.prototype && proto !== null) || !isRecord(value)) return NOT_PLAIN
  const keys = Object.keys(value)
  const id = keys.join("\u0000")
  let order = orders.get(id)
  if (order === undefined) {
    order = [...keys].sort(byCodeUnit)
    orders.set(id, order)
  }
  const out: Record<string, unknown> = {}
  for (const key of order) {
    // an own "__proto__" (JSON.parse makes them) would set the copy's prototype, not a property
    if (key === "__proto__") return NOT_PLAIN
    const item = sortedCopy(value[key], orders)
    if (item === NOT_PLAIN) return NOT_PLAIN
    out[key] = item
  }
  return out
}

/** JSON with object keys sorted, so equal values always hash equally. */
export const canonicalJson = (value: unknown): string => {
  const copy = sortedCopy(value, new Map())
  return copy === NOT_PLAIN ? canonicalViaReplacer(value) : JSON.stringify(copy)
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")

// one digest per snapshot object: plan, the stale-plan check and the safety guard all ask for it
const liveDigests = new WeakMap<LiveSnapshot, string>()

/** What the firewall holds, independent of when it was read or whether it came from cache. */
export const liveDigest = (live: LiveSnapshot): string => {
  const known = liveDigests.get(live)
  if (known !== undefined) return known
  const byUuid = <A extends { readonly uuid: string }>(items: ReadonlyArray<A>) =>
    [...items].sort((a, b) => byCodeUnit(a.uuid, b.uuid))
  const digest = sha256(
    canonicalJson({ vlans: byUuid(live.vlans), aliases: byUuid(live.aliases), rules: byUuid(live.rules) })
  )
  liveDigests.set(live, digest)
  return digest
}

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
  const unmanaged = identity.vlans.unmanaged.length + identity.aliases.unmanaged.length +
    identity.rules.unmanaged.length
  if (unmanaged > 0 && !desired.config.pruneUnmanaged) {
    warnings.push(`${unmanaged} unmanaged objects on the firewall are left alone (pruneUnmanaged is off)`)
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
      blocked: []
    }
  }
}

/**
 * Kinds the snapshot holds empty without the firewall being empty of them: those the firewall's
 * version has no API for (Kind.unavailable), and those the API key lacks the privilege to read
 * (LiveSnapshot.unreadable). Their desired objects make plan fail before anything is compared;
 * drift and import say the kind could not be read, so an empty live list is never taken for
 * "none on the firewall". A kind the key cannot read is planned without only when the plan could
 * not have changed anything of it: the site declares none, does not prune unmanaged objects of
 * it, and state.json records none as managed.
 */
import * as Effect from "effect/Effect"
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot, UnreadableKind } from "../Domain/Model.ts"
import type { AnyKind, DesiredItem } from "../Kinds/Kind.ts"
import { desiredOf, kindNamed, kinds } from "../Kinds/Registry.ts"
import { type PermissionError, UnsupportedVersionError } from "../Opnsense/Errors.ts"
import { kindsNotRead, notReadText, permissionError } from "../Opnsense/Unreadable.ts"
import type { Inventory } from "../Store/StateFile.ts"

/** One line per kind the version cannot read, or the key may not: "port forwards cannot be read: <why>". */
export const unreadableKinds = (live: LiveSnapshot): ReadonlyArray<string> => kindsNotRead(live).map((n) => n.why)

/** The names of the kinds the snapshot's key may not read. */
export const unreadKinds = (live: LiveSnapshot): ReadonlyArray<string> => (live.unreadable ?? []).map((u) => u.kind)

/** Fails when the site declares objects of a kind its firewall's version has no API for. */
export const refuseUnavailable = (
  desired: DesiredSite,
  live: LiveSnapshot
): Effect.Effect<void, UnsupportedVersionError> => {
  const refused = kinds.flatMap((kind) => {
    const why = kind.unavailable?.(live.version)
    const items = desiredOf(desired, kind)
    if (why === undefined || items.length === 0) return []
    return [{ kind: kind.name, text: `${items.length} desired ${declared(kind, items)}: ${why}` }]
  })
  if (refused.length === 0) return Effect.void
  return Effect.fail(
    new UnsupportedVersionError({
      message: `site "${desired.config.name}" cannot be planned: ${refused.map((r) => r.text).join("; ")}`,
      site: desired.config.name,
      version: live.version.raw,
      missing: refused.map((r) => r.kind)
    })
  )
}

/** "DHCP subnets (dhcp.yaml:3:5)": the noun for that many, and where the first is declared */
const declared = (kind: AnyKind, items: ReadonlyArray<DesiredItem<unknown>>): string => {
  const first = items[0]?.source
  const at = first === undefined ? "" : ` (${first.file}:${first.line}:${first.column})`
  return `${kind.noun[items.length === 1 ? 0 : 1]}${at}`
}

/** Why the plan needs the objects of a kind the key may not read; undefined when it can do without them. */
const neededBecause = (desired: DesiredSite, entry: UnreadableKind, inventory: Inventory): string | undefined => {
  // a cached snapshot may name a kind this build no longer has: nothing can need it
  const kind = kindNamed(entry.kind)
  if (kind === undefined) return undefined
  const [one, many] = kind.noun
  const items = desiredOf(desired, kind)
  const site = `site "${desired.config.name}"`
  if (items.length > 0) return `${site} declares ${items.length} ${declared(kind, items)}, so ${many} must be read`
  if (desired.config.pruneUnmanaged && kind.identity.keepUnmanaged === undefined) {
    return `${site} prunes unmanaged objects (prune_unmanaged in sites.yaml), so ${many} must be read`
  }
  const managed = Object.keys(inventory[kind.name] ?? {})
  if (managed.length > 0) {
    return `state.json records ${managed.length} ${managed.length === 1 ? one : many} of ${site} as managed (${
      managed.slice(0, 3).join(", ")
    }${
      managed.length > 3 ? ", …" : ""
    }), so ${many} must be read: the plan deletes managed objects the site no longer declares`
  }
  return undefined
}

/**
 * Fails with the PermissionError the snapshot met when the plan needs a kind the key may not read;
 * otherwise the plan goes on without it and `unreadWarnings` says so.
 */
export const refuseUnreadable = (
  desired: DesiredSite,
  live: LiveSnapshot,
  inventory: Inventory
): Effect.Effect<void, PermissionError> => {
  for (const entry of live.unreadable ?? []) {
    const why = neededBecause(desired, entry, inventory)
    if (why !== undefined) return Effect.fail(permissionError(desired.config.name, entry, why))
  }
  return Effect.void
}

/** The plan's warning per kind it went on without. */
export const unreadWarnings = (live: LiveSnapshot): ReadonlyArray<string> =>
  (live.unreadable ?? []).map((entry) =>
    `${notReadText(entry)}; the site declares none, so none are planned and none on the firewall are touched`
  )

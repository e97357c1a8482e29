/**
 * Kinds the firewall's version has no API for (Kind.unavailable): their desired objects make plan
 * fail before anything is compared, and drift and import say the kind could not be read, so an
 * empty live list is never taken for "none on the firewall".
 */
import * as Effect from "effect/Effect"
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import { desiredOf, kinds } from "../Kinds/Registry.ts"
import { UnsupportedVersionError } from "../Opnsense/Errors.ts"

/** One line per kind the version cannot read: "port forwards: <why>". */
export const unreadableKinds = (live: LiveSnapshot): ReadonlyArray<string> =>
  kinds.flatMap((kind) => {
    const why = kind.unavailable?.(live.version)
    return why === undefined ? [] : [`${kind.noun[1]} cannot be read: ${why}`]
  })

/** Fails when the site declares objects of a kind its firewall's version has no API for. */
export const refuseUnavailable = (
  desired: DesiredSite,
  live: LiveSnapshot
): Effect.Effect<void, UnsupportedVersionError> => {
  const refused = kinds.flatMap((kind) => {
    const why = kind.unavailable?.(live.version)
    const items = desiredOf(desired, kind)
    if (why === undefined || items.length === 0) return []
    const first = items[0]?.source
    const at = first === undefined ? "" : ` (${first.file}:${first.line}:${first.column})`
    return [{ kind: kind.name, text: `${items.length} desired ${kind.noun[items.length === 1 ? 0 : 1]}${at}: ${why}` }]
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

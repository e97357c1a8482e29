/**
 * Kinds a snapshot could not read because the API key lacks their privilege (403). The snapshot
 * holds them empty and names them (LiveSnapshot.unreadable) instead of failing, so a key without,
 * say, the Kea privilege still plans a site that declares no DHCP; whoever needs such a kind's
 * objects turns the entry back into the PermissionError it was.
 */
import type { LiveSnapshot, UnreadableKind } from "../Domain/Model.ts"
import { kindNamed, kinds } from "../Kinds/Registry.ts"
import { PermissionError } from "./Errors.ts"

/** The snapshot's entry for a kind it could not read; undefined when it read the kind. */
export const unreadableEntry = (live: LiveSnapshot, kind: string): UnreadableKind | undefined =>
  live.unreadable?.find((u) => u.kind === kind)

/** The entry of a refused list read. */
export const fromPermissionError = (kind: string, error: PermissionError): UnreadableKind => ({
  kind,
  endpoint: error.endpoint,
  ...(error.privilege === undefined ? {} : { privilege: error.privilege }),
  message: error.message
})

/** "DHCP subnets were not read: the API key lacks the privilege "page-dhcp-kea-v4 (…)"" */
export const notReadText = (entry: UnreadableKind): string => {
  const [one, many] = kindNamed(entry.kind)?.noun ?? [entry.kind, entry.kind]
  const notRead = `${many} ${one === many ? "was" : "were"} not read`
  return entry.privilege === undefined
    ? `${notRead}: the API key may not call ${entry.endpoint} (403 Forbidden)`
    : `${notRead}: the API key lacks the privilege "${entry.privilege}"`
}

/** A kind the snapshot holds empty without the firewall being empty of it, and why. */
export interface NotRead {
  readonly kind: string
  /** "port forwards cannot be read: OPNsense 25.7: …", "DHCP subnets were not read: the API key lacks …" */
  readonly why: string
}

/** The kinds the firewall's version has no API for, then those the API key may not read. */
export const kindsNotRead = (live: LiveSnapshot): ReadonlyArray<NotRead> => [
  ...kinds.flatMap((kind) => {
    const why = kind.unavailable?.(live.version)
    return why === undefined ? [] : [{ kind: kind.name, why: `${kind.noun[1]} cannot be read: ${why}` }]
  }),
  ...(live.unreadable ?? []).map((entry) => ({ kind: entry.kind, why: notReadText(entry) }))
]

/** The refusal again, as the error, with why the caller cannot do without the kind. */
export const permissionError = (site: string, entry: UnreadableKind, why?: string): PermissionError =>
  new PermissionError({
    message: why === undefined ? entry.message : `${entry.message}; ${why}`,
    site,
    endpoint: entry.endpoint,
    ...(entry.privilege === undefined ? {} : { privilege: entry.privilege })
  })

/**
 * The ownership marker: how an object on the firewall says "I am managed by opnsense-mcp, and my
 * desired-state name is X". It lives at the end of the object's description, because every kind
 * has a description, the firewall keeps it verbatim, it survives backups and restores, and it
 * survives the loss of DATA_DIR (state.json is an index, never the only record).
 *
 *   "IoT DNS [gitops:iot-dns]"   → description "IoT DNS", owner "iot-dns"
 *   "[gitops:iot-dns]"           → description "",        owner "iot-dns"
 *   "anything else"              → description unchanged, no owner (unmanaged)
 */

const MARKER = /\s*\[gitops:([A-Za-z0-9_.:-]{1,64})\]$/

export interface Marked {
  readonly description: string
  readonly owner: string | undefined
}

export const parseMarker = (raw: string): Marked => {
  const match = MARKER.exec(raw)
  if (match === null) return { description: raw, owner: undefined }
  return { description: raw.slice(0, match.index), owner: match[1] }
}

/** `owner` "" writes no marker: how a revert puts back an object that was not ours before the apply. */
export const withMarker = (description: string, owner: string): string =>
  owner === "" ? description : description === "" ? `[gitops:${owner}]` : `${description} [gitops:${owner}]`

/** Longest user description that still fits OPNsense's 255-character limit once marked. */
export const maxDescriptionLength = (owner: string): number => 255 - ` [gitops:${owner}]`.length

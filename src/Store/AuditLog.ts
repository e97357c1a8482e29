/**
 * DATA_DIR/audit.log: one JSON line per apply, append-only. Each entry's `hash` is the sha256 of
 * the previous entry's hash and the entry's own canonical JSON (without `hash`), so editing,
 * removing or reordering a line breaks the chain, and the anchor in state.json (count and last
 * hash) catches a truncated tail.
 */
import { Schema } from "effect"
import { canonicalJson, sha256 } from "../Domain/Digest.ts"
import { AuditEntry } from "../Domain/Reports.ts"
import { type AuditAnchor, GENESIS } from "./StateFile.ts"

export type AuditDraft = Omit<AuditEntry, "seq" | "prevHash" | "hash">

export const entryHash = (entry: Omit<AuditEntry, "hash">): string =>
  sha256(`${entry.prevHash}\n${canonicalJson(entry)}`)

export const chain = (draft: AuditDraft, anchor: AuditAnchor): AuditEntry => {
  const unsealed = { ...draft, seq: anchor.count + 1, prevHash: anchor.lastHash }
  return { ...unsealed, hash: entryHash(unsealed) }
}

export interface AuditCheck {
  readonly entries: ReadonlyArray<AuditEntry>
  readonly problems: ReadonlyArray<string>
}

/** Decode and check every line; problems name the line. */
export const checkLog = (text: string, anchor: AuditAnchor): AuditCheck => {
  const problems: Array<string> = []
  const entries: Array<AuditEntry> = []
  let prev = GENESIS
  const lines = text.split("\n").filter((l) => l.trim() !== "")
  lines.forEach((line, i) => {
    const n = i + 1
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      problems.push(`audit.log line ${n}: not JSON`)
      return
    }
    const decoded = Schema.decodeUnknownExit(AuditEntry)(json)
    if (decoded._tag === "Failure") {
      problems.push(`audit.log line ${n}: not an audit entry`)
      return
    }
    const entry = decoded.value
    const { hash, ...rest } = entry
    if (entry.seq !== n) {
      problems.push(`audit.log line ${n}: sequence ${entry.seq}, expected ${n} (a line was removed or reordered)`)
    }
    if (entry.prevHash !== prev) {
      problems.push(`audit.log line ${n}: previous-hash does not match line ${n - 1} (chain broken)`)
    }
    if (entryHash(rest) !== hash) problems.push(`audit.log line ${n}: content does not match its hash (edited)`)
    prev = hash
    entries.push(entry)
  })
  if (entries.length < anchor.count) {
    problems.push(`audit.log has ${entries.length} entries but state.json recorded ${anchor.count} (truncated)`)
  } else if (anchor.count > 0 && entries[anchor.count - 1]?.hash !== anchor.lastHash) {
    problems.push(`audit.log entry ${anchor.count} does not carry the hash state.json recorded (rewritten)`)
  }
  return { entries, problems }
}

/** The anchor the last well-formed line of the log gives (undefined for an empty log). */
export const lastEntry = (text: string): AuditAnchor | undefined => {
  const line = text.split("\n").filter((l) => l.trim() !== "").pop()
  if (line === undefined) return undefined
  try {
    const decoded = Schema.decodeUnknownExit(AuditEntry)(JSON.parse(line))
    return decoded._tag === "Success" ? { count: decoded.value.seq, lastHash: decoded.value.hash } : undefined
  } catch {
    return undefined
  }
}

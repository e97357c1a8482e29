/**
 * The MCP write audit: one JSON line per write-tool call (propose_change, import_live, apply_plan),
 * in DATA_DIR/mcp-audit.log, hash-chained by the same code as the reconciler's audit.log
 * (Store/AuditLog.ts), so truncation or edits show. The reconciler records what an apply did to the
 * firewall; this records who asked for what through MCP, including refusals. `audit_log` shows both.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as AuditLog from "../Store/AuditLog.ts"
import { McpConfig } from "./Config.ts"
export const McpAuditEntry = Schema.Struct({
  seq: Schema.Number,
  at: Schema.String,
  actor: Schema.String,
  tool: Schema.String,
  /** the call's arguments with secrets removed */
  arguments: Schema.Unknown,
  outcome: Schema.Literals(["ok", "error", "refused"]),
  /** one sentence: what happened (branch and commit, planId, the refusal) */
  detail: Schema.String,
  durationMs: Schema.Number,
  prevHash: Schema.String,
  hash: Schema.String
})
export type McpAuditEntry = typeof McpAuditEntry.Type

export type McpAuditInput = Omit<McpAuditEntry, "seq" | "prevHash" | "hash">

const decodeEntry = Schema.decodeUnknownOption(McpAuditEntry)
const decode: AuditLog.DecodeEntry<McpAuditEntry> = (json) => {
  const decoded = decodeEntry(json)
  return decoded._tag === "Some" ? decoded.value : undefined
}

export const fileName = "mcp-audit.log"

export interface McpAuditLog {
  readonly append: (entry: McpAuditInput) => Effect.Effect<void>
  readonly read: (limit: number) => Effect.Effect<ReadonlyArray<McpAuditEntry>>
}

/** The entries that decode (a reader shows what it can; `state verify`-style checks name the rest). */
const readAll = (file: string) =>
  Effect.promise(() => fs.readFile(file, "utf8").catch(() => "")).pipe(
    Effect.map((text) => AuditLog.checkChain(text, { label: fileName, decode }).entries)
  )

/** The audit log under `dataDir`. Appends are serialised within the process and cost O(1) in the log's size. */
export const make = (dataDir: string): Effect.Effect<McpAuditLog> =>
  Effect.gen(function*() {
    const file = path.join(dataDir, fileName)
    const log = yield* AuditLog.make(file, fileName, decode)
    const append = (input: McpAuditInput) =>
      log.append(input, AuditLog.emptyHead).pipe(
        Effect.asVoid,
        // the audit must never turn a done write into a reported failure; the log says it failed
        Effect.catchCause((cause) => Effect.logError("could not append to the MCP audit log", cause))
      )
    const read = (limit: number) => Effect.map(readAll(file), (entries) => entries.slice(-limit))
    return { append, read }
  })

export class McpAudit extends Context.Service<McpAudit, McpAuditLog>()("opnsense-mcp/McpAudit") {}

/** The audit log in McpConfig's DATA_DIR. */
export const layer: Layer.Layer<McpAudit, never, McpConfig> = Layer.effect(
  McpAudit,
  McpConfig.use((config) => make(config.dataDir))
)

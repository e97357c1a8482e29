/**
 * The MCP write audit: one JSON line per write-tool call (propose_change, import_live, apply_plan),
 * in DATA_DIR/mcp-audit.log, hash-chained like the reconciler's audit.log so truncation or edits
 * show. The reconciler records what an apply did to the firewall; this records who asked for what
 * through MCP, including refusals. `audit_log` shows both.
 */
import { Context, Effect, Layer, Schema, Semaphore } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
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

const decodeLine = Schema.decodeUnknownOption(Schema.fromJsonString(McpAuditEntry))

const hashOf = (entry: Omit<McpAuditEntry, "hash">) => createHash("sha256").update(JSON.stringify(entry)).digest("hex")

export const fileName = "mcp-audit.log"

export interface McpAuditLog {
  readonly append: (entry: McpAuditInput) => Effect.Effect<void>
  readonly read: (limit: number) => Effect.Effect<ReadonlyArray<McpAuditEntry>>
}

const readAll = (file: string) =>
  Effect.promise(() => fs.readFile(file, "utf8").catch(() => "")).pipe(
    Effect.map((text) =>
      text.split("\n").filter((l) => l.trim() !== "").flatMap((line) => {
        const decoded = decodeLine(line)
        return decoded._tag === "Some" ? [decoded.value] : []
      })
    )
  )

/** The audit log under `dataDir`. Appends are serialised within the process. */
export const make = (dataDir: string): Effect.Effect<McpAuditLog> =>
  Effect.gen(function*() {
    const file = path.join(dataDir, fileName)
    const lock = yield* Semaphore.make(1)
    const append = (input: McpAuditInput) =>
      lock.withPermits(1)(
        Effect.gen(function*() {
          const entries = yield* readAll(file)
          const last = entries.at(-1)
          const body = { seq: (last?.seq ?? 0) + 1, ...input, prevHash: last?.hash ?? "" }
          const entry: McpAuditEntry = { ...body, hash: hashOf(body) }
          yield* Effect.promise(async () => {
            await fs.mkdir(dataDir, { recursive: true })
            await fs.appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 })
          })
        })
      ).pipe(
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

/** The MCP write audit: chained by the store's one implementation, continued across restarts, never over a torn line. */
import { Effect, Schema } from "effect"
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { fileName, make, McpAuditEntry, type McpAuditInput } from "../../src/Mcp/Audit.ts"
import { checkChain } from "../../src/Store/AuditLog.ts"

const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

const call = (tool: string): McpAuditInput => ({
  at: "2026-01-01T00:00:00.000Z",
  actor: "agent",
  tool,
  arguments: { summary: "x" },
  outcome: "ok",
  detail: `${tool} done`,
  durationMs: 5
})

const decode = (json: unknown) => {
  const decoded = Schema.decodeUnknownOption(McpAuditEntry)(json)
  return decoded._tag === "Some" ? decoded.value : undefined
}

describe("MCP audit log", () => {
  it("chains entries like audit.log and continues the chain after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-audit-"))
    const first = await run(make(dir))
    await run(first.append(call("propose_change")))
    await run(first.append(call("import_live")))
    const restarted = await run(make(dir))
    await run(restarted.append(call("apply_plan")))
    const text = readFileSync(join(dir, fileName), "utf8")
    const checked = checkChain(text, { label: fileName, decode })
    expect(checked.problems).toEqual([])
    expect(checked.entries.map((e) => [e.seq, e.tool])).toEqual([
      [1, "propose_change"],
      [2, "import_live"],
      [3, "apply_plan"]
    ])
    expect((await run(restarted.read(2))).map((e) => e.tool)).toEqual(["import_live", "apply_plan"])
  })

  it("does not chain over a torn last line: the call is not recorded and the line stays for a person to see", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-audit-"))
    const log = await run(make(dir))
    await run(log.append(call("propose_change")))
    const file = join(dir, fileName)
    appendFileSync(file, "{\"seq\":2,\"at\":")
    const torn = readFileSync(file, "utf8")
    await run(log.append(call("apply_plan")))
    await run((await run(make(dir))).append(call("apply_plan")))
    expect(readFileSync(file, "utf8")).toBe(torn)
    expect(checkChain(torn, { label: fileName, decode }).problems).toEqual([
      "mcp-audit.log line 2: incomplete (an append was interrupted); remove that partial line"
    ])
  })
})

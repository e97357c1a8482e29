/**
 * MCP over stdio: `opnsense-mcp serve --stdio` as a child process, driven by the official client,
 * against the simulator. stdio defaults to read-write, and the client's elicitation answers the
 * apply confirmation (2025 era through the SDK's server→client request; 2026-07-28 through
 * input_required rounds).
 */
import type { Client } from "@modelcontextprotocol/client"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TOOL_NAMES } from "../../src/Mcp.ts"
import { connectStdio, type Stack, startStack } from "./harness.ts"

let stack: Stack

beforeAll(async () => {
  stack = await startStack()
})

afterAll(async () => {
  await stack?.close()
})

const text = (result: { content?: unknown }) =>
  Array.isArray(result.content) ? result.content.map((c: { text?: string }) => c.text ?? "").join("\n") : ""

/** Lines written to `serve --stdio` one after the other (each after the answer to the one before). */
const exchange = async (lines: ReadonlyArray<string>): Promise<Array<Record<string, unknown>>> => {
  const child = spawn(process.execPath, [
    path.join(import.meta.dirname, "..", "..", "src", "index.ts"),
    "serve",
    "--stdio"
  ], {
    env: { ...process.env, ...stack.env },
    stdio: ["pipe", "pipe", "ignore"]
  })
  const answers: Array<Record<string, unknown>> = []
  const reader = createInterface({ input: child.stdout })
  const waiting: Array<(line: string) => void> = []
  reader.on("line", (line) => waiting.shift()?.(line))
  try {
    for (const line of lines) {
      const answered = new Promise<string>((resolve) => waiting.push(resolve))
      child.stdin.write(`${line}\n`)
      answers.push(JSON.parse(await answered) as Record<string, unknown>)
    }
  } finally {
    child.kill()
  }
  return answers
}

const envelope = (version: string) => ({
  _meta: {
    "io.modelcontextprotocol/protocolVersion": version,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: "test", version: "1" }
  }
})

describe("MCP over stdio: each line answered on its own", () => {
  it("answers malformed lines with JSON-RPC errors instead of leaving the client waiting", async () => {
    const answers = await exchange(["not json", "[1,2]", "\"text\"", JSON.stringify({ id: 5, method: "ping" })])
    expect(answers.map((a) => [a["id"], (a["error"] as { code: number }).code])).toEqual([
      [null, -32700],
      [null, -32600],
      [null, -32600],
      [5, -32600]
    ])
  })

  it("refuses a request claiming an unsupported revision after a 2026-07-28 one was served", async () => {
    const answers = await exchange([
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: envelope("2026-07-28") }),
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: envelope("2099-01-01") }),
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list", params: envelope("2026-07-28") })
    ])
    expect(answers[0]).toHaveProperty("result")
    expect(answers[1]).toMatchObject({ id: 2, error: { code: -32022, data: { requested: "2099-01-01" } } })
    expect(answers[2]).toHaveProperty("result")
  })
})

describe("MCP over stdio", () => {
  it("logs each tool call with its own trace and span", async () => {
    const client = await connectStdio(stack, { env: { LOG_LEVEL: "info" } })
    try {
      await client.callTool({ name: "validate", arguments: {} })
      await client.callTool({ name: "lint", arguments: {} })
    } finally {
      await client.close()
    }
    const logFile = path.join(stack.env["LOG_DIR"] ?? "", "app.log")
    const calls = fs.readFileSync(logFile, "utf8").split("\n").filter((l) => l.includes("\"mcp tool call\""))
      .map((l) => JSON.parse(l) as { tool: string; traceId?: string; spanId?: string })
      .filter((c) => c.tool === "validate" || c.tool === "lint").slice(-2)
    expect(calls.map((c) => c.tool)).toEqual(["validate", "lint"])
    expect(calls.every((c) => c.spanId !== undefined && c.traceId !== undefined)).toBe(true)
    expect(calls[0]?.spanId).not.toBe(calls[1]?.spanId)
    expect(calls[0]?.traceId).not.toBe(calls[1]?.traceId)
  })

  it("negotiates 2025-06-18 and 2025-11-25, and lists the tools, prompts and resources", async () => {
    for (const version of ["2025-06-18", "2025-11-25"]) {
      const client = await connectStdio(stack, { protocolVersions: [version] })
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe(version)
        const { tools } = await client.listTools()
        expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort())
        const { prompts } = await client.listPrompts()
        expect(prompts.map((p) => p.name).sort()).toEqual([
          "add_vlan",
          "fixed_address",
          "investigate_drift",
          "review_plan"
        ])
        const { resources } = await client.listResources()
        expect(resources.map((r) => r.uri)).toEqual(
          expect.arrayContaining(["audit://log", "desired-state://file/vlans.yaml"])
        )
        const file = await client.readResource({ uri: "desired-state://file/vlans.yaml" })
        expect(JSON.stringify(file.contents)).toContain("Keep tags in sync with the switch config")
      } finally {
        await client.close()
      }
    }
  })

  it("plans and applies with the user's confirmation asked through elicitation (2026-07-28)", async () => {
    const asked: Array<string> = []
    const client: Client = await connectStdio(stack, {
      era: "modern",
      elicit: (message) => (asked.push(message), { action: "accept", content: { confirm: true } })
    })
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28")
      const planned = await client.callTool({ name: "plan", arguments: {} })
      expect(planned.isError, text(planned)).toBeFalsy()
      const plan = planned.structuredContent as { planId: string; summary: { create: number } }
      expect(plan.summary.create).toBe(5)
      const applied = await client.callTool({ name: "apply_plan", arguments: { planId: plan.planId } })
      expect(applied.isError, text(applied)).toBeFalsy()
      expect((applied.structuredContent as { result: string }).result).toBe("applied")
      expect(asked).toHaveLength(1)
      expect(asked[0]).toContain("create 5, update 0, delete 0")
      const resource = await client.readResource({ uri: "plan://latest/default" })
      expect(JSON.stringify(resource.contents)).toContain("planId")
    } finally {
      await client.close()
    }
  })

  it("asks through a 2025-era elicitation request too", async () => {
    fs.appendFileSync(
      path.join(stack.dir, "aliases.yaml"),
      "  - name: printers\n    type: host\n    content: [10.10.0.9]\n"
    )
    const asked: Array<string> = []
    const client = await connectStdio(stack, {
      protocolVersions: ["2025-11-25"],
      elicit: (message) => (asked.push(message), { action: "accept", content: { confirm: true } })
    })
    try {
      const planned = await client.callTool({ name: "plan", arguments: {} })
      const plan = planned.structuredContent as { planId: string }
      const applied = await client.callTool({ name: "apply_plan", arguments: { planId: plan.planId } })
      expect(applied.isError, text(applied)).toBeFalsy()
      expect(asked).toEqual([expect.stringContaining("+ alias printers")])
    } finally {
      await client.close()
    }
  })

  it("honours MCP_READ_ONLY=true over stdio too", async () => {
    const client = await connectStdio(stack, { env: { MCP_READ_ONLY: "true" } })
    try {
      const result = await client.callTool({ name: "apply_plan", arguments: { planId: "0".repeat(64) } })
      expect(result.isError).toBe(true)
      expect(text(result)).toContain("read-only")
    } finally {
      await client.close()
    }
  })
})

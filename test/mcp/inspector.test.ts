/**
 * The MCP Inspector's CLI (pinned) lists the tools of `serve --stdio` in strict mode and reports no
 * schema-portability warning (it flagged `{}` sub-schemas, the JSON Schema of `unknown` values,
 * which Tool.ts now spells out as any JSON value).
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { TOOL_NAMES } from "../../src/Mcp.ts"

const ROOT = resolve(import.meta.dirname, "../..")

describe("MCP Inspector CLI", () => {
  it("lists every tool with no schema warning", () => {
    const dir = mkdtempSync(join(tmpdir(), "inspector-"))
    const run = spawnSync(
      join(ROOT, "node_modules/.bin/mcp-inspector"),
      [
        "--cli",
        "--strict",
        "-e",
        `DATA_DIR=${join(dir, "data")}`,
        "-e",
        `LOG_DIR=${join(dir, "logs")}`,
        "-e",
        "LOG_LEVEL=error",
        process.execPath,
        join(ROOT, "src/index.ts"),
        "serve",
        "--stdio",
        "--method",
        "tools/list"
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 90_000 }
    )
    expect(run.status, run.stderr).toBe(0)
    const tools = (JSON.parse(run.stdout) as { tools: ReadonlyArray<{ name: string }> }).tools.map((t) => t.name)
    expect(tools.sort()).toEqual([...TOOL_NAMES].sort())
    expect(run.stderr).not.toMatch(/Warning|warnings? across/)
  }, 120_000)
})

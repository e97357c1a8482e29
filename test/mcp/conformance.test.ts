/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance) against `serve` over
 * Streamable HTTP (the embedded sandbox behind it). Every server scenario runs; the ones that need
 * the suite's own fixtures, or an optional capability this server does not offer, are listed with
 * the reason in conformance-baseline.yml. The suite exits 1 on any other failure and on a listed
 * scenario that passes. Its summary is printed with the test output.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../support/ports.ts"

const ROOT = resolve(import.meta.dirname, "../..")
let server: ChildProcess
let url = ""

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "conformance-"))
  const port = await freePort()
  server = spawn(process.execPath, [join(ROOT, "src/index.ts"), "serve"], {
    env: {
      PATH: process.env["PATH"] ?? "",
      PORT: String(port),
      DATA_DIR: dir,
      LOG_DIR: join(dir, "logs"),
      LOG_LEVEL: "warn"
    },
    stdio: ["ignore", "ignore", "pipe"]
  })
  url = await new Promise<string>((resolveUrl, reject) => {
    let seen = ""
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${seen}`)), 25_000)
    server.once("exit", (code) => reject(new Error(`serve exited (${code}): ${seen}`)))
    server.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
      const found = /serving on (http:\/\/\S+)/.exec(seen)
      if (found?.[1] !== undefined) {
        clearTimeout(timer)
        resolveUrl(`${found[1]}/mcp`)
      }
    })
  })
})

afterAll(() => {
  server?.kill()
})

describe("MCP conformance suite (server scenarios)", () => {
  it("passes every scenario that applies", () => {
    const out = mkdtempSync(join(tmpdir(), "conformance-results-"))
    const run = spawnSync(
      join(ROOT, "node_modules/.bin/conformance"),
      ["server", "--url", url, "--expected-failures", join(import.meta.dirname, "conformance-baseline.yml"), "-o", out],
      { encoding: "utf8", timeout: 120_000 }
    )
    const summary = run.stdout.slice(run.stdout.indexOf("=== SUMMARY ==="))
    console.log(summary)
    expect(run.status, `${summary}\n${run.stderr.slice(-2000)}`).toBe(0)
    expect(summary).toContain("✓ server-initialize")
    expect(summary).toContain("✓ logging-set-level")
    expect(summary).toContain("✓ dns-rebinding-protection")
  }, 150_000)
})

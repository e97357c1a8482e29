import { execFile } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

interface Span {
  readonly name: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
}

// An OTLP/HTTP (JSON) receiver on loopback: what Jaeger or a collector would get.
const spans: Array<Span> = []
const bodies: Array<string> = []
const receiver = createServer((req, res) => {
  let body = ""
  req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
  req.on("end", () => {
    bodies.push(body)
    const parsed = JSON.parse(body) as {
      resourceSpans?: Array<{ scopeSpans: Array<{ spans: Array<Span> }> }>
    }
    for (const rs of parsed.resourceSpans ?? []) for (const ss of rs.scopeSpans) spans.push(...ss.spans)
    res.setHeader("content-type", "application/json")
    res.end("{}")
  })
})

beforeAll(() => new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve)))
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())))

describe("CLI tracing", () => {
  it("exports one trace per command, with the command span as root and the work below it", async () => {
    const { port } = receiver.address() as AddressInfo
    const dataDir = mkdtempSync(join(tmpdir(), "trace-data-"))
    await promisify(execFile)(process.execPath, ["src/index.ts", "plan"], {
      env: {
        ...process.env,
        OPNSENSE_URL: "",
        DATA_DIR: dataDir,
        LOG_DIR: join(dataDir, "logs"),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`
      }
    })
    const root = spans.find((s) => s.name === "cli.plan")
    expect(root, `spans: ${spans.map((s) => s.name).join(", ")}`).toBeDefined()
    expect(root?.parentSpanId ?? "").toBe("")
    const inTrace = spans.filter((s) => s.traceId === root?.traceId)
    const names = new Set(inTrace.map((s) => s.name))
    for (const name of ["DesiredState.load", "Opnsense.snapshot", "Reconciler.plan"]) expect(names).toContain(name)
    // the sandbox's generated credentials never leave the process in a span
    expect(bodies.join("\n")).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/)
  }, 60_000)
})

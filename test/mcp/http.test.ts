/**
 * MCP over Streamable HTTP with the official client, against the simulator: the tool surface on
 * both protocol eras, plan, and the HTTP refusals (token, Host, Origin, body size, read-only).
 */
import * as http from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TOOL_NAMES } from "../../src/Mcp.ts"
import { connectHttp, type HttpServer, secret, type Stack, startHttp, startStack } from "./harness.ts"

let stack: Stack
let server: HttpServer

beforeAll(async () => {
  stack = await startStack()
  server = await startHttp(stack)
})

afterAll(async () => {
  await server?.close()
  await stack?.close()
})

const text = (result: { content?: ReadonlyArray<{ type: string; text?: string }> }) =>
  (result.content ?? []).map((c) => c.text ?? "").join("\n")

describe("MCP over HTTP", () => {
  for (const era of ["legacy", "modern"] as const) {
    it(`lists every tool with title, schemas and annotations (${era} era)`, async () => {
      const client = await connectHttp(server, { era })
      try {
        expect(client.getProtocolEra()).toBe(era)
        expect(client.getNegotiatedProtocolVersion()).toBe(era === "modern" ? "2026-07-28" : "2025-11-25")
        const { tools } = await client.listTools()
        expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort())
        for (const tool of tools) {
          expect(tool.title, tool.name).toBeTruthy()
          expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(80)
          expect(tool.inputSchema.type, tool.name).toBe("object")
          expect(tool.outputSchema?.type, tool.name).toBe("object")
          for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
            expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe("boolean")
          }
        }
        const byName = new Map(tools.map((t) => [t.name, t]))
        expect(byName.get("apply_plan")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
        expect(byName.get("propose_change")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false })
        expect(byName.get("import_live")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false })
        for (
          const name of [
            "opnsense_status",
            "list_live",
            "validate",
            "plan",
            "lint",
            "explain_traffic",
            "check_intents",
            "drift_report",
            "audit_log"
          ]
        ) {
          expect(byName.get(name)?.annotations, name).toMatchObject({ readOnlyHint: true, destructiveHint: false })
        }
        expect(byName.get("apply_plan")?.inputSchema.required).toEqual(["planId"])
        expect(Object.keys(byName.get("list_live")?.inputSchema.properties ?? {})).toEqual(
          expect.arrayContaining(["kind", "filter", "fields", "limit", "cursor"])
        )
      } finally {
        await client.close()
      }
    })
  }

  it("plans: structured plan JSON plus a readable summary", async () => {
    const client = await connectHttp(server, { era: "modern" })
    try {
      const result = await client.callTool({ name: "plan", arguments: {} })
      expect(result.isError, text(result)).toBeFalsy()
      const plan = result.structuredContent as {
        planId: string
        summary: { create: number }
        changes: Array<{ kind: string; name: string }>
      }
      expect(plan.planId).toMatch(/^[0-9a-f]{64}$/)
      expect(plan.summary.create).toBe(5)
      expect(plan.changes.map((c) => `${c.kind}:${c.name}`)).toEqual(
        expect.arrayContaining([
          "vlan:staff",
          "alias:staff_net",
          "alias:dns_resolvers",
          "rule:staff-dns",
          "rule:staff-block-rest"
        ])
      )
      expect(text(result)).toContain("Plan: 5 to create, 0 to update, 0 to delete.")
      expect(text(result)).toContain(plan.planId)
    } finally {
      await client.close()
    }
  })

  it("refuses apply_plan in read-only mode (the HTTP default)", async () => {
    const client = await connectHttp(server)
    try {
      const planned = await client.callTool({ name: "plan", arguments: {} })
      const planId = (planned.structuredContent as { planId: string }).planId
      const result = await client.callTool({
        name: "apply_plan",
        arguments: { planId, confirm: true, summary: "create 5, update 0, delete 0" }
      })
      expect(result.isError).toBe(true)
      expect(text(result)).toMatch(/read-only \(MCP_READ_ONLY=true/)
      expect(stack.sim.requests.count((e) => /\/(add|set|del)_|reconfigure|apply/.test(e.endpoint))).toBe(0)
    } finally {
      await client.close()
    }
  })

  it("returns argument errors as isError results that say what to fix", async () => {
    const client = await connectHttp(server)
    try {
      const result = await client.callTool({ name: "list_live", arguments: { kind: "router" } })
      expect(result.isError).toBe(true)
      expect(text(result)).toMatch(/kind/)
    } finally {
      await client.close()
    }
  })
})

describe("MCP over HTTP: request guards", () => {
  let guarded: HttpServer
  beforeAll(async () => {
    guarded = await startHttp(stack, { authToken: secret("s3cret-token-value"), maxBodyBytes: 4096 })
  })
  afterAll(async () => {
    await guarded?.close()
  })

  const post = (headers: Record<string, string>, body = "{}") =>
    fetch(guarded.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body
    })

  it("refuses to serve on a non-loopback HOST without a token", async () => {
    await expect(startHttp(stack, { host: "0.0.0.0" })).rejects.toThrow(
      /refusing to serve \/mcp on 0\.0\.0\.0 without MCP_AUTH_TOKEN/
    )
  })

  it("applies one revision rule: no header outside initialize is 2025-03-26 and refused, a malformed header and a batch too", async () => {
    const auth = { authorization: "Bearer s3cret-token-value" }
    const list = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" })
    const noHeader = await post(auth, list)
    expect(noHeader.status).toBe(400)
    const refused = (await noHeader.json()) as { id: unknown; error: { message: string } }
    expect(refused.id).toBe(7)
    expect(refused.error.message).toContain("taken as revision 2025-03-26")
    const old = await post({ ...auth, "mcp-protocol-version": "2025-03-26" }, list)
    expect(old.status).toBe(400)
    const garbage = await post({ ...auth, "mcp-protocol-version": "garbage" }, list)
    expect(garbage.status).toBe(400)
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toContain(
      "\"garbage\" is not a protocol revision"
    )
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } }
    }
    const batch = await post(auth, JSON.stringify([init]))
    expect(batch.status).toBe(400)
    expect(await batch.text()).toContain("batches are not part of MCP")
    // initialize alone needs no header, and a request with the negotiated header is served
    expect((await post(auth, JSON.stringify(init))).status).toBe(200)
    expect((await post({ ...auth, "mcp-protocol-version": "2025-06-18" }, list)).status).toBe(200)
  })

  it("refuses a missing token and a wrong token with 401 and a hint", async () => {
    const missing = await post({})
    expect(missing.status).toBe(401)
    expect(await missing.text()).toContain("missing bearer token")
    const wrong = await post({ authorization: "Bearer nope" })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).toContain("wrong bearer token")
    await expect(connectHttp(guarded, { token: "nope" })).rejects.toThrow()
  })

  it("serves a client that presents the token", async () => {
    const client = await connectHttp(guarded, { token: "s3cret-token-value" })
    try {
      const { tools } = await client.listTools()
      expect(tools).toHaveLength(TOOL_NAMES.length)
    } finally {
      await client.close()
    }
  })

  /** node:http, because fetch never lets a caller set Host */
  const postWithHost = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(guarded.url, {
        method: "POST",
        headers: { host, authorization: "Bearer s3cret-token-value", "content-type": "application/json" }
      }, (res) => {
        let body = ""
        res.on("data", (chunk) => (body += String(chunk)))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on("error", reject)
      req.end("{}")
    })

  it("refuses foreign Host and Origin headers (DNS rebinding) and oversized bodies", async () => {
    const auth = { authorization: "Bearer s3cret-token-value" }
    const rebinding = await postWithHost("evil.example:1234")
    expect(rebinding.status).toBe(403)
    expect(rebinding.body).toContain("MCP_ALLOWED_HOSTS")
    expect((await postWithHost(`localhost:${guarded.url.port}`)).status).not.toBe(403)
    const origin = await post({ ...auth, origin: "https://evil.example" })
    expect(origin.status).toBe(403)
    expect(await origin.text()).toContain("MCP_ALLOWED_ORIGINS")
    const local = await post({ ...auth, origin: "http://localhost:5173" })
    expect(local.status).not.toBe(403)
    const big = await post(
      auth,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(10_000) } })
    )
    expect(big.status).toBe(413)
  })
})

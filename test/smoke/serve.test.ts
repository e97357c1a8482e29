/** `npm run test:smoke`: start `serve` as a user would and touch every public face once. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Instance, startInstance } from "../scripts/instance.ts"

let instance: Instance
const mcp = { authorization: "Bearer script-mcp-token" }

describe("smoke: serve", () => {
  beforeAll(async () => {
    instance = await startInstance()
  }, 30_000)
  afterAll(async () => {
    await instance.stop()
  })

  it("answers health, version, metrics, live objects, plan and MCP initialize", async () => {
    const health = await fetch(`${instance.url}/health`)
    expect(health.status).toBe(200)
    expect(((await health.json()) as { status: string }).status).toBe("ok")
    expect(((await (await fetch(`${instance.url}/version`)).json()) as { version: string }).version).toMatch(
      /^\d+\.\d+\.\d+/
    )
    expect(await (await fetch(`${instance.url}/metrics`)).text()).toMatch(/^# HELP opnsense_mcp_/m)
    const rules = await fetch(`${instance.url}/api/rules`, { headers: mcp })
    expect(rules.status).toBe(200)
    const plan = (await (await fetch(`${instance.url}/api/plan`, { headers: mcp })).json()) as {
      planId: string
      summary: { create: number }
    }
    expect(plan.summary.create).toBe(1)
    const init = await fetch(`${instance.url}/mcp`, {
      method: "POST",
      headers: { ...mcp, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "smoke", version: "1" } }
      })
    })
    expect(init.status).toBe(200)
    expect(await init.text()).toMatch(/opnsense-mcp/)
    expect((await fetch(`${instance.url}/mcp`, { method: "POST" })).status).toBe(401)
  })
})

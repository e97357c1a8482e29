/**
 * Gateways and routes through the MCP tools: list_live rows, propose_change upserts by kind, and
 * explain_traffic naming the gateway of a policy-routing rule.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"
import { callOk, callTool, git, resultText, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: false }, (stack) => {
  fs.writeFileSync(
    path.join(stack.dir, "routing.yaml"),
    "gateways:\n  - name: LAB_GW\n    interface: lan\n    address: 192.168.1.254\n" +
      "rules:\n  - name: lab-via-gw\n    interface: lan\n    action: pass\n    destination: 10.50.0.0/16\n    gateway: LAB_GW\n"
  )
  git(stack.root, "add", ".")
  git(stack.root, "commit", "--quiet", "-m", "routing")
})

describe("gateways and routes over MCP", () => {
  it("lists the firewall's gateways with the listing's default fields", async () => {
    const listed = await callOk(mcp.client, "list_live", { kind: "gateway" })
    const items = listed["items"] as ReadonlyArray<Record<string, unknown>>
    expect(items).toEqual([
      expect.objectContaining({ name: "WAN_GW", managed: false, interface: "wan", address: "203.0.113.1" })
    ])
    const routes = await callOk(mcp.client, "list_live", { kind: "route" })
    expect(routes["items"]).toEqual([])
  })

  it("proposes a route by kind as a commit whose YAML loads", async () => {
    const proposed = await callOk(mcp.client, "propose_change", {
      summary: "Route the lab network",
      reason: "the lab sits behind LAB_GW",
      edits: [{ op: "upsert", kind: "route", name: "lab-net", value: { network: "10.50.0.0/16", gateway: "LAB_GW" } }]
    })
    const branch = proposed["branch"] as string
    const files = git(mcp.stack.root, "show", "--name-only", "--format=", branch)
    const file = files.split("\n").find((f) => f.endsWith(".yaml")) ?? ""
    const text = git(mcp.stack.root, "show", `${branch}:${file}`)
    const gateways = fs.readFileSync(path.join(mcp.stack.dir, "routing.yaml"), "utf8")
    const loaded = loadSite(defaultSite, [{ path: file, text }, { path: "routing.yaml", text: gateways }])
    expect(loaded.issues).toEqual([])
    expect(loaded.site?.routes).toEqual([
      expect.objectContaining({
        name: "lab-net",
        spec: { network: "10.50.0.0/16", gateway: "LAB_GW", description: "", enabled: true }
      })
    ])
  })

  it("explain_traffic names the gateway a deciding pass rule routes through", async () => {
    const result = await callTool(mcp.client, "explain_traffic", {
      source: "192.168.1.20",
      destination: "10.50.3.4",
      protocol: "tcp",
      port: 443,
      interface: "lan"
    })
    expect((result.structuredContent as Record<string, unknown> | undefined)?.["decidedBy"]).toMatchObject({
      rule: "lab-via-gw",
      gateway: "LAB_GW"
    })
    expect(resultText(result).split("\n")[0]).toBe("PASS by lab-via-gw, routed through gateway LAB_GW")
  })
})

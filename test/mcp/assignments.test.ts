/**
 * Interface assignments through MCP, over HTTP against the simulator (26.7): list_live shows the
 * firewall's assignments, and propose_change upserts one as a YAML item that loads back.
 */
import { describe, expect, it } from "vitest"
import { callOk, git, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: false })

describe("assignments over MCP", () => {
  it("list_live shows each assignment with its identifier, device, description and lock", async () => {
    const live = await callOk(mcp.client, "list_live", { kind: "assignment" })
    expect(live["matching"]).toBe(2)
    expect(JSON.stringify(live)).toContain("\"identifier\":\"wan\"")
    expect(JSON.stringify(live)).toContain("\"device\":\"igb1\"")
  })

  it("propose_change upserts an assignment as a YAML item", async () => {
    const proposal = await callOk(mcp.client, "propose_change", {
      summary: "Assign igb3 as DMZ",
      reason: "The DMZ switch is on igb3.",
      edits: [{ op: "upsert", kind: "assignment", name: "dmz", value: { device: "igb3", description: "DMZ" } }]
    })
    const branch = String(proposal["branch"])
    const files = git(mcp.stack.root, "show", "--name-only", "--format=", branch)
    const file = files.split("\n").find((f) => f.endsWith(".yaml")) ?? ""
    const yaml = git(mcp.stack.root, "show", `${branch}:${file}`)
    expect(yaml).toContain("assignments:")
    expect(yaml).toMatch(/device: igb3\n\s+description: DMZ\n\s+name: dmz/)
    // the proposal's plan (the fixture's other items are not on the firewall either) creates it
    const plan = proposal["plan"] as { readonly changes: ReadonlyArray<Record<string, unknown>> }
    expect(plan.changes).toContainEqual(expect.objectContaining({
      action: "create",
      kind: "assignment",
      name: "dmz",
      after: { device: "igb3", description: "DMZ", lock: true }
    }))
  })
})

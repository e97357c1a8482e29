/**
 * Outbound NAT rules and 1:1 NAT through MCP over HTTP: list_live rows of both kinds (and the
 * outbound NAT mode), and propose_change upserting one of each into a new file on a branch whose
 * plan creates exactly them.
 */
import { describe, expect, it } from "vitest"
import { callOk, git, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: false }, (stack) => {
  stack.sim.state.natOutboundMode = "hybrid"
})

describe("NAT kinds over MCP", () => {
  it("proposes an outbound NAT rule and a 1:1 entry, and lists them live once applied", async () => {
    const proposal = (await callOk(mcp.client, "propose_change", {
      summary: "NAT for the web server",
      reason: "the web server gets its own public address",
      edits: [
        {
          op: "upsert",
          kind: "outbound_nat",
          name: "web-out",
          value: { interface: "wan", source: "192.168.1.10", target: "203.0.113.10" }
        },
        {
          op: "upsert",
          kind: "one_to_one_nat",
          name: "web-public",
          value: { internal: "192.168.1.10", external: "203.0.113.10", description: "web" }
        }
      ]
    })) as { branch: string; plan?: { summary: unknown; changes: ReadonlyArray<{ kind: string; name: string }> } }
    // the fixture's own five objects are not on the (empty) simulator yet either
    expect(proposal.plan?.summary).toEqual({ create: 7, update: 0, delete: 0 })
    expect(proposal.plan?.changes.filter((c) => c.kind.endsWith("nat")).map((c) => `${c.kind}:${c.name}`)).toEqual([
      "outbound_nat:web-out",
      "one_to_one_nat:web-public"
    ])
    const files = git(mcp.stack.root, "show", "--name-only", "--format=", proposal.branch)
    expect(files).toContain("desired-state/outbound_nat.yaml")
    expect(files).toContain("desired-state/one_to_one_nat.yaml")
    expect(git(mcp.stack.root, "show", `${proposal.branch}:desired-state/one_to_one_nat.yaml`)).toContain(
      "external: 203.0.113.10"
    )

    git(mcp.stack.root, "merge", "--quiet", "--ff-only", proposal.branch)
    const plan = await callOk(mcp.client, "plan", {})
    const applied = await callOk(mcp.client, "apply_plan", {
      planId: plan["planId"],
      confirm: true,
      summary: "create 7, update 0, delete 0"
    })
    expect(applied["result"]).toBe("applied")

    const snat = await callOk(mcp.client, "list_live", { kind: "outbound_nat" })
    const rows = snat["items"] as ReadonlyArray<Record<string, unknown>>
    expect(rows.find((r) => r["name"] === "web-out")).toMatchObject({
      managed: true,
      origin: "mvc",
      interface: "wan",
      target: "203.0.113.10"
    })
    const one = await callOk(mcp.client, "list_live", { kind: "one_to_one_nat" })
    expect(one["items"]).toEqual([
      expect.objectContaining({ name: "web-public", managed: true, type: "binat", external: "203.0.113.10" })
    ])
    const mode = await callOk(mcp.client, "list_live", { kind: "outbound_nat_mode" })
    expect(mode["items"]).toEqual([{ name: "outbound_nat_mode", mode: "hybrid" }])
  })
})

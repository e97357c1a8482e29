/**
 * drift_report over MCP sees what plan deletes: a rule someone made on the firewall with an
 * ownership marker naming a rule this site never managed is drift (hasDrift, listed as forged),
 * not "No drift".
 */
import { describe, expect, it } from "vitest"
import { ruleSpec } from "../reconciler/fixtures.ts"
import { createMarkedRuleOutOfBand } from "../support/firewall.ts"
import { callOk, resultText, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: true })

describe("drift_report", () => {
  it("reports a rule with a forged ownership marker as drift", async () => {
    const uuid = await createMarkedRuleOutOfBand(mcp.stack.sim, ruleSpec({ description: "allow all" }), "ghost-rule")
    const result = await mcp.client.callTool({ name: "drift_report", arguments: {} })
    const report = await callOk(mcp.client, "drift_report", {})
    expect(report["hasDrift"]).toBe(true)
    expect(report["unclaimed"]).toEqual([
      expect.objectContaining({ kind: "rule", name: "ghost-rule", uuid, label: "allow all", forged: true })
    ])
    expect(resultText(result)).toContain(`rule allow all ${uuid} carries a forged ownership marker [gitops:ghost-rule]`)
    expect(resultText(result)).not.toContain("No drift")
  })
})

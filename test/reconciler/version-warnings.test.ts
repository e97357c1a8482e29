/**
 * A plan against a version that cannot take its changes says so (the client refuses them at apply:
 * docs/client.md "Version matrix"), instead of leaving the surprise to apply.
 */
import { describe, expect, it } from "vitest"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import { emptyInventory } from "../../src/Reconciler/Diff.ts"
import { buildPlan } from "../../src/Reconciler/PlanBuilder.ts"
import { aliasSpec, dAlias, dRule, ruleSpec, site, snapshot } from "./fixtures.ts"

const NOW = new Date("2026-01-01T00:00:00.000Z")
const at = (raw: string): LiveSnapshot["version"] => {
  const [major = 0, minor = 0, patch = 0] = raw.split(".").map(Number)
  return { major, minor, patch, raw }
}

describe("plan warnings for what the firewall's version cannot take", () => {
  const desired = site({
    aliases: [dAlias(aliasSpec("nets"))],
    rules: [
      dRule("both-ways", ruleSpec({ direction: "any" })),
      dRule("plain", ruleSpec())
    ]
  })

  it("24.7: every change will be refused, and why", () => {
    const { plan } = buildPlan(desired, snapshot({}, at("24.7.12")), emptyInventory, NOW)
    expect(plan.warnings).toContainEqual(expect.stringContaining(
      "OPNsense 24.7.12 is read-only for opnsense-mcp (writes need 25.7 or later): apply will refuse these 3 changes"
    ))
  })

  it("25.7: the rule with direction any will be refused; 26.1 takes it", () => {
    const old = buildPlan(desired, snapshot({}, at("25.7.11")), emptyInventory, NOW).plan
    expect(old.warnings).toContainEqual(
      "rule \"both-ways\": OPNsense 25.7.11 has no direction \"any\" (in and out only); apply will refuse it"
    )
    expect(old.warnings.join("\n")).not.toContain("\"plain\"")
    const current = buildPlan(desired, snapshot({}, at("26.1.5")), emptyInventory, NOW).plan
    expect(current.warnings.join("\n")).not.toContain("both-ways")
  })
})

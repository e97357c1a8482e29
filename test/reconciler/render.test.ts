import { describe, expect, it } from "vitest"
import type { ApplyReport, DriftReport } from "../../src/Domain/Reports.ts"
import { emptyInventory } from "../../src/Reconciler/Diff.ts"
import { buildPlan } from "../../src/Reconciler/PlanBuilder.ts"
import { renderApplyReport, renderDrift, renderPlan } from "../../src/Reconciler/Render.ts"
import { aliasSpec, dAlias, dRule, dVlan, lAlias, lRule, ruleSpec, site, snapshot, UUID, vlanSpec } from "./fixtures.ts"

const NOW = new Date("2026-01-01T00:00:00Z")

const plan = buildPlan(
  site({
    vlans: [dVlan("iot", vlanSpec({ description: "IoT devices" }), 2)],
    aliases: [dAlias(aliasSpec("iot_net", { content: ["10.30.0.0/24"] }), 7)],
    rules: [
      dRule(
        "iot-dns",
        ruleSpec({
          protocol: "UDP",
          source: { addresses: ["iot_net"], invert: false, port: "" },
          destination: { addresses: ["10.0.0.53"], invert: false, port: "853" }
        }),
        12
      )
    ]
  }),
  snapshot({
    aliases: [lAlias(UUID(1), aliasSpec("old_net"), "old_net")],
    rules: [
      lRule(
        UUID(2),
        ruleSpec({
          protocol: "UDP",
          source: { addresses: ["iot_net"], invert: false, port: "" },
          destination: { addresses: ["10.0.0.53"], invert: false, port: "53" }
        }),
        100,
        "iot-dns"
      )
    ]
  }),
  // old_net was ours (recorded), so its delete is a plain removal from the desired state
  { ...emptyInventory, alias: { old_net: UUID(1) } },
  NOW
).plan

describe("rendering for people", () => {
  it("renders a plan with + ~ - markers, field diffs and a summary line (golden)", async () => {
    await expect(renderPlan(plan, { colour: false })).toMatchFileSnapshot("golden/plan.txt")
  })

  it("renders an empty plan as one sentence (golden)", async () => {
    await expect(renderPlan({ ...plan, changes: [], summary: { create: 0, update: 0, delete: 0 } }, { colour: false }))
      .toMatchFileSnapshot("golden/plan-empty.txt")
  })

  it("colours only when asked", () => {
    expect(renderPlan(plan, { colour: false })).not.toContain("\u001b[")
    const coloured = renderPlan(plan, { colour: true })
    expect(coloured).toContain("\u001b[32m+\u001b[0m")
    expect(coloured).toContain("\u001b[31m-\u001b[0m")
  })

  it("renders an apply report with the YAML line of a rejected change (golden)", async () => {
    const report: ApplyReport = {
      site: "default",
      planId: plan.planId,
      actor: "alice",
      startedAt: NOW.toISOString(),
      finishedAt: NOW.toISOString(),
      result: "failed",
      changes: [
        { action: "create", kind: "alias", name: "iot_net", status: "done", uuid: UUID(9) },
        {
          action: "update",
          kind: "rule",
          name: "iot-dns",
          status: "failed",
          uuid: UUID(2),
          source: { file: "main.yaml", line: 12, column: 5 },
          error:
            "main.yaml:12:5: rule \"iot-dns\": OPNsense rejected it: rule.destination_port: Please specify a valid portnumber, name, alias or range."
        },
        {
          action: "delete",
          kind: "alias",
          name: "old_net",
          status: "skipped",
          uuid: UUID(1),
          error: "not attempted: an earlier change failed"
        }
      ],
      reconfigured: ["alias", "rule"],
      verification: { clean: false, remaining: ["~ rule iot-dns: destination.port"] },
      message: "Apply failed: 1 of 3 changes applied. The firewall runs what it saved; run plan to see what is left."
    }
    await expect(renderApplyReport(report, { colour: false })).toMatchFileSnapshot("golden/apply-failed.txt")
  })

  it("renders drift field by field with unmanaged objects apart (golden)", async () => {
    const report: DriftReport = {
      site: "default",
      checkedAt: NOW.toISOString(),
      firewallVersion: "26.7.5",
      drifted: [{ kind: "rule", name: "iot-dns", uuid: UUID(2), diff: [{ path: "log", from: true, to: false }] }],
      missing: [{ kind: "alias", name: "iot_net", uuid: UUID(1) }],
      pending: [{ kind: "vlan", name: "guest" }],
      unmanaged: [{ kind: "rule", uuid: UUID(5), label: "hand-made", origin: "mvc", appeared: true }, {
        kind: "alias",
        uuid: UUID(6),
        label: "rfc1918",
        origin: "mvc",
        appeared: false
      }],
      unclaimed: [
        {
          kind: "rule",
          name: "iot-dns",
          uuid: UUID(7),
          label: "allow all",
          why: `duplicate of ${UUID(2)} (same ownership marker)`,
          forged: true
        },
        {
          kind: "alias",
          name: "old_net",
          uuid: UUID(8),
          label: "old_net",
          why: "removed from the desired state",
          forged: false
        }
      ],
      readOnly: { legacy: 1, automatic: 3, builtin: 8 },
      hasDrift: true
    }
    await expect(renderDrift(report, { colour: false })).toMatchFileSnapshot("golden/drift.txt")
  })
})

/**
 * The outbound NAT mode as a site setting (sites.yaml `outbound_nat_mode`), against the
 * simulator over HTTPS: on 26.7 a difference plans as an update of `outbound_nat_mode`, applies
 * through source_nat/set with the one filter reload and re-plans empty; on 26.1 (no API for the
 * mode) the plan warns and changes nothing.
 */
import { afterEach, describe, expect, it } from "vitest"
import { Reconciler } from "../../src/Reconciler.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const sites = (mode?: string) =>
  `sites:\n  - name: default\n    path: .\n${mode === undefined ? "" : `    outbound_nat_mode: ${mode}\n`}`
const RULE = "outbound_nat:\n  - name: lan-out\n    interface: wan\n    source: lan\n    target: wanip\n"

describe("outbound NAT mode on 26.7", () => {
  it("plans the difference as an update, applies it with one filter reload, re-plans empty", async () => {
    h = await startHarness({
      version: "26.7",
      unmanaged: false,
      seed: { natOutboundMode: "automatic" },
      files: { "sites.yaml": sites("hybrid"), "nat.yaml": RULE }
    })
    const harness = h
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    expect(plan.changes.map((c) => [c.action, c.kind, c.name])).toEqual([
      ["create", "outbound_nat", "lan-out"],
      ["update", "outbound_nat_mode", "outbound_nat_mode"]
    ])
    expect(plan.changes[1]?.diff).toEqual([{ path: "mode", from: "automatic", to: "hybrid" }])
    expect(plan.changes[1]?.reason).toBeUndefined()
    harness.sim.requests.clear()
    const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
    expect(report.result).toBe("applied")
    expect(report.verification).toEqual({ clean: true, remaining: [] })
    expect(harness.sim.requests.count("/api/firewall/source_nat/set")).toBe(1)
    expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
    expect(harness.sim.requests.count("/api/firewall/source_nat/apply")).toBe(0)
    expect(harness.sim.state.natOutboundMode).toBe("hybrid")
    expect(harness.sim.state.applied.natOutboundMode).toBe("hybrid")
    expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
  })

  it("takes manual for advanced, and leaves the mode alone when the site does not set it", async () => {
    h = await startHarness({
      version: "26.7",
      unmanaged: false,
      seed: { natOutboundMode: "hybrid" },
      files: { "sites.yaml": sites("manual") }
    })
    const harness = h
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    expect(plan.changes.map((c) => [c.name, c.diff])).toEqual([
      ["outbound_nat_mode", [{ path: "mode", from: "hybrid", to: "advanced" }]]
    ])
    expect((await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))).result).toBe("applied")
    expect(harness.sim.state.natOutboundMode).toBe("advanced")

    // without a mode in sites.yaml: nothing to change, nothing to import, nothing drifted
    const { writeFileSync } = await import("node:fs")
    const { join } = await import("node:path")
    writeFileSync(join(harness.desiredDir, "sites.yaml"), sites())
    expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    expect((await run(harness, Reconciler.use((r) => r.drift()))).hasDrift).toBe(false)
    const imported = await run(harness, Reconciler.use((r) => r.importLive()))
    expect(imported.skipped).toContain(
      "outbound NAT mode advanced: a site setting, written as outbound_nat_mode in sites.yaml"
    )
    // the mode is never written to a resource file (the sandbox's gateway and assignments are)
    expect(imported.files.map((f) => f.path).filter((p) => !["gateways.yaml", "assignments.yaml"].includes(p))).toEqual(
      []
    )
    expect(imported.files.some((f) => f.content.includes("outbound_nat_mode"))).toBe(false)
  })
})

describe("outbound NAT mode on 26.1 (no API for it)", () => {
  it("warns that the mode must be set in the GUI and plans only the rule", async () => {
    h = await startHarness({
      version: "26.1",
      unmanaged: false,
      seed: { natOutboundMode: "automatic" },
      files: { "sites.yaml": sites("hybrid"), "nat.yaml": RULE }
    })
    const harness = h
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    expect(plan.changes.map((c) => [c.action, c.kind])).toEqual([["create", "outbound_nat"]])
    expect(plan.warnings.join("\n")).toMatch(
      /outbound_nat_mode: OPNsense 26\.1\.\d+ has no API for the outbound NAT mode/
    )
    expect(plan.warnings.join("\n")).toContain("set it in the GUI")
    harness.sim.requests.clear()
    const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
    expect(report.result).toBe("applied")
    expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
    expect(harness.sim.state.natOutboundMode).toBe("automatic")
    const again = await run(harness, Reconciler.use((r) => r.plan()))
    expect(again.changes).toEqual([])
    expect(again.warnings.join("\n")).toContain("no API for the outbound NAT mode")
  })
})

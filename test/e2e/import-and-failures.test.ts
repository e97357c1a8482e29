import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { kindNames } from "../../src/Kinds/Registry.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import { Store } from "../../src/Store/Store.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const writeImport = (harness: Harness, files: ReadonlyArray<{ readonly path: string; readonly content: string }>) => {
  for (const f of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, f))
  for (const f of files) writeFileSync(join(harness.desiredDir, f.path), f.content)
}

describe("import", () => {
  it("writes YAML that, loaded and planned, gives an empty plan (26.7)", async () => {
    h = await startHarness({ version: "26.7", files: {} })
    const harness = h
    const result = await run(harness, Reconciler.use((r) => r.importLive()))
    // the sandbox's objects of every kind: WAN, LAN and VLAN 10 assigned, the WAN gateway, one port forward
    expect(result.counts).toEqual({
      ...Object.fromEntries(kindNames.map((k) => [k, 0])),
      vlan: 1,
      alias: 3,
      rule: 3,
      assignment: 3,
      gateway: 1,
      port_forward: 1
    })
    expect(result.skipped.join("\n")).toContain("legacy/automatic")
    writeImport(harness, result.files)
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    expect(plan.changes).toEqual([])
  })

  it("without recording the inventory, the plan only adopts (adds markers), never creates or deletes (26.1)", async () => {
    h = await startHarness({ version: "26.1", files: {} })
    const harness = h
    const result = await run(harness, Reconciler.use((r) => r.importLive({ recordInventory: false })))
    writeImport(harness, result.files)
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    // 1 VLAN, 3 aliases, 3 rules, the WAN gateway and the port forward (26.1 has no assignment API)
    expect(plan.summary).toEqual({ create: 0, update: 9, delete: 0 })
    expect(plan.changes.every((c) => c.reason?.startsWith("adopt"))).toBe(true)
    const report = await run(harness, Reconciler.use((r) => r.apply(plan, { approve: true })))
    expect(report.verification.clean).toBe(true)
  })
})

describe("apply failures", () => {
  it("reports an OPNsense validation failure against the YAML line and stops, keeping state consistent", async () => {
    h = await startHarness({
      version: "26.7",
      files: {
        "a.yaml": "aliases:\n  - name: web\n    type: host\n    content: [10.0.0.80]\n",
        "b.yaml":
          "rules:\n  - name: ok-rule\n    interface: lan\n    action: pass\n    destination: web\n  - name: bad-gateway\n    interface: lan\n    action: pass\n    gateway: NO_SUCH_GW\n  - name: after\n    interface: lan\n    action: block\n"
      }
    })
    const harness = h
    const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
    expect(report.result).toBe("failed")
    const bad = report.changes.find((c) => c.name === "bad-gateway")
    expect(bad?.status).toBe("failed")
    expect(bad?.error).toMatch(/^b\.yaml:6:\d+: rule "bad-gateway": OPNsense rejected it: rule\.gateway/)
    // the alias made it and was activated; the next plan shows exactly what is left
    expect(report.reconfigured).toContain("alias")
    const next = await run(harness, Reconciler.use((r) => r.plan()))
    expect(next.changes.map((c) => `${c.action} ${c.name}`).sort()).toEqual(
      report.changes.filter((c) => c.status !== "done").map((c) => `${c.action} ${c.name}`).sort()
    )
  })
})

describe("bulk", () => {
  it("creates many rules in one upload_rules call on 26.7, then re-plans empty", async () => {
    const rules = Array.from(
      { length: 25 },
      (_, i) =>
        `  - name: bulk-${i}\n    interface: lan\n    action: pass\n    protocol: tcp\n    destination: { address: 10.0.${i}.1, port: 443 }\n`
    ).join("")
    h = await startHarness({ version: "26.7", files: { "rules.yaml": `rules:\n${rules}` } })
    const harness = h
    harness.sim.requests.clear()
    const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
    expect(report.result).toBe("applied")
    expect(report.verification.clean).toBe(true)
    expect(harness.sim.requests.count("/api/firewall/filter/upload_rules")).toBe(1)
    expect(harness.sim.requests.count("/api/firewall/filter/add_rule")).toBe(0)
    expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
    const inventory = await run(harness, Store.use((s) => s.site("default")))
    expect(Object.keys(inventory.inventory["rule"] ?? {})).toHaveLength(25)
  })
})

/**
 * Bulk writes end to end against a simulator that answers upload_rules as opnsense/core's importCsv
 * does: new rules with category names nobody created yet, thousands of rules, rule updates through
 * upload_rules, and deletes by comma list.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Reconciler } from "../../src/Reconciler.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** `count` rules on lan, each in one of two categories that do not exist on the firewall yet. */
export const manyRules = (count: number, port = 443) =>
  `rules:\n${
    Array.from(
      { length: count },
      (_, i) =>
        `  - name: bulk-${i}\n    interface: lan\n    action: pass\n    protocol: tcp\n    destination: { address: 10.${
          Math.floor(i / 250)
        }.${i % 250}.1, port: ${port} }\n    categories: [${i % 2 === 0 ? "web" : "web, new-cat"}]\n`
    ).join("")
  }`

for (const version of ["26.1", "26.7"] as const) {
  describe(`bulk rule writes on ${version}`, () => {
    it("applies 25 new rules with new category names through one upload_rules call, re-plan empty", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "rules.yaml": manyRules(25) } })
      const harness = h
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      expect(report.message).toMatch(/^Applied 25 changes; the re-plan is empty/)
      expect(report.result).toBe("applied")
      expect(report.changes.every((c) => c.status === "done" && c.uuid !== undefined)).toBe(true)
      expect(harness.sim.requests.count("/api/firewall/filter/upload_rules")).toBe(1)
      expect(harness.sim.requests.count("/api/firewall/filter/add_rule")).toBe(0)
      expect(harness.sim.requests.count("/api/firewall/category/add_item")).toBe(2)
      const next = await run(harness, Reconciler.use((r) => r.plan()))
      expect(next.changes).toEqual([])
    })

    it("reports a batch with invalid rows truthfully: valid rows applied, the others failed with the message", async () => {
      const bad = new Set([2, 13, 24])
      // [header, rule 0, rule 1, …], each rule ending in a newline
      const rules = manyRules(25).split("  - name: ").map((item, i) =>
        bad.has(i - 1) ? `${item}    gateway: NO_SUCH_GW\n` : item
      ).join("  - name: ")
      h = await startHarness({ version, unmanaged: false, files: { "rules.yaml": rules } })
      const harness = h
      const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      expect(report.result).toBe("failed")
      expect(report.message).toMatch(/^Apply failed: 22 of 25 changes applied/)
      const failed = report.changes.filter((c) => c.status === "failed")
      expect(failed.map((c) => c.name).sort()).toEqual(["bulk-13", "bulk-2", "bulk-24"])
      for (const c of failed) expect(c.error).toMatch(/OPNsense rejected it: rule\.gateway: /)
      expect(report.changes.filter((c) => c.status === "done")).toHaveLength(22)
      expect(report.reconfigured).toEqual(["rule"])
      const ours = [...harness.sim.state.applied.rules.values()].filter((r) => r["description"]?.includes("[gitops:"))
      expect(ours).toHaveLength(22)
      const next = await run(harness, Reconciler.use((r) => r.plan()))
      expect(next.changes.map((c) => `${c.action} ${c.name}`).sort()).toEqual([
        "create bulk-13",
        "create bulk-2",
        "create bulk-24"
      ])
    })

    it("updates 25 rules through one upload_rules call and deletes them with one del_rule list", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "rules.yaml": manyRules(25) } })
      const harness = h
      await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      const before = new Set(harness.sim.state.rules.keys())

      writeFileSync(join(harness.desiredDir, "rules.yaml"), manyRules(25, 8443))
      harness.sim.requests.clear()
      const updated = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      expect(updated.result).toBe("applied")
      expect(updated.changes.filter((c) => c.action === "update" && c.status === "done")).toHaveLength(25)
      expect(updated.verification.clean).toBe(true)
      expect(harness.sim.requests.count("/api/firewall/filter/upload_rules")).toBe(1)
      expect(harness.sim.requests.count("/api/firewall/filter/set_rule")).toBe(0)
      // updated in place: the same uuids
      expect(new Set(harness.sim.state.rules.keys())).toEqual(before)

      writeFileSync(join(harness.desiredDir, "rules.yaml"), "rules: []\n")
      harness.sim.requests.clear()
      const deleted = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true, allowDestroy: true })))
      expect(deleted.result).toBe("applied")
      expect(deleted.changes.filter((c) => c.action === "delete" && c.status === "done")).toHaveLength(25)
      expect(harness.sim.requests.count("/api/firewall/filter/del_rule")).toBe(1)
      expect(harness.sim.state.rules.size).toBe(0)
      const next = await run(harness, Reconciler.use((r) => r.plan()))
      expect(next.changes).toEqual([])
    })

    it("reorders 25 rules with one upload of only @uuid and sequence", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "rules.yaml": manyRules(25) } })
      const harness = h
      await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      const [head = "", ...items] = manyRules(25).split("  - name: ")
      writeFileSync(join(harness.desiredDir, "rules.yaml"), [head, ...items.reverse()].join("  - name: "))
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.length).toBeGreaterThanOrEqual(20)
      expect(plan.changes.every((c) => c.diff?.every((d) => d.path === "sequence"))).toBe(true)
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.apply(plan, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification.clean).toBe(true)
      expect(harness.sim.requests.count("/api/firewall/filter/upload_rules")).toBe(1)
      expect(harness.sim.requests.count("/api/firewall/filter/set_rule")).toBe(0)
    })

    it("applies 2,000 new rules in upload_rules chunks of 500, re-plan empty", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "rules.yaml": manyRules(2000) } })
      const harness = h
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification.clean).toBe(true)
      expect(report.changes.filter((c) => c.status === "done")).toHaveLength(2000)
      expect(harness.sim.requests.count("/api/firewall/filter/upload_rules")).toBe(4)
      expect(harness.sim.requests.count("/api/firewall/filter/add_rule")).toBe(0)
      expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
      const next = await run(harness, Reconciler.use((r) => r.plan()))
      expect(next.changes).toEqual([])
    }, 60_000)
  })
}

/** `count` network aliases, every tenth one nesting the one before it. */
const manyAliases = (count: number) =>
  `aliases:\n${
    Array.from({ length: count }, (_, i) =>
      `  - name: net_${i}\n    type: network\n    categories: [imported]\n    content: [${
        i % 10 === 9 ? `net_${i - 1}` : `10.77.${i}.0/24`
      }]\n`).join("")
  }`

for (const version of ["26.1", "26.7"] as const) {
  describe(`bulk alias creates on ${version}`, () => {
    it("creates 25 aliases (some nesting others) with one firewall/alias/import, re-plan empty", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "aliases.yaml": manyAliases(25) } })
      const harness = h
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      expect(report.result).toBe("applied")
      expect(report.changes.every((c) => c.status === "done" && c.uuid !== undefined)).toBe(true)
      expect(harness.sim.requests.count("/api/firewall/alias/import")).toBe(1)
      expect(harness.sim.requests.count("/api/firewall/alias/add_item")).toBe(0)
      expect(harness.sim.requests.count("/api/firewall/alias/reconfigure")).toBe(1)
      const next = await run(harness, Reconciler.use((r) => r.plan()))
      expect(next.changes).toEqual([])
    })

    it("reports an all-or-nothing import truthfully: the invalid alias with its message, the rest not saved", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "aliases.yaml": manyAliases(25) } })
      const harness = h
      // what importAction answers when one alias fails the model's validation (nothing is saved)
      harness.sim.faults.failNext(1, 200, {
        existing: 0,
        new: 25,
        validations: { "net_4.content": "Entry \"10.77.4.0/33\" is not a valid hostname, IP address or range." },
        status: "failed"
      }, "/api/firewall/alias/import")
      const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
      expect(report.result).toBe("failed")
      const bad = report.changes.find((c) => c.name === "net_4")
      expect(bad?.status).toBe("failed")
      expect(bad?.error).toMatch(/^aliases\.yaml:\d+:\d+: alias "net_4": OPNsense rejected it: alias\.content: Entry/)
      expect(bad?.validations).toEqual({
        "alias.content": "Entry \"10.77.4.0/33\" is not a valid hostname, IP address or range."
      })
      const others = report.changes.filter((c) => c.name !== "net_4")
      expect(others.every((c) => c.status === "failed" && c.error?.includes("all or nothing"))).toBe(true)
      expect(report.message).toContain("0 of 25 changes applied")
      expect([...harness.sim.state.aliases.values()].some((a) => a["name"]?.startsWith("net_"))).toBe(false)
    })
  })
}

import { Effect } from "effect"
import { rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import { Store } from "../../src/Store/Store.ts"
import { type Harness, startHarness } from "./harness.ts"

/** Unmanaged objects as they were: uuid → spec, for "unmanaged objects survive every scenario". */
const unmanagedOf = (live: LiveSnapshot) =>
  JSON.stringify(
    [...live.vlans, ...live.aliases, ...live.rules].filter((o) => o.owner === undefined).map((o) => [o.uuid, o.spec])
      .sort()
  )

for (const version of ["26.1", "26.7"] as const) {
  describe(`reconcile against the simulator (${version})`, () => {
    let h: Harness
    const run = <A, E>(effect: Effect.Effect<A, E, Reconciler | Store | Opnsense>) =>
      Effect.runPromise(Effect.provide(effect, h.layer))
    let unmanagedBefore: string

    beforeAll(async () => {
      h = await startHarness({ version })
      unmanagedBefore = unmanagedOf(await run(Opnsense.use((c) => c.snapshot({ fresh: true }))))
    })
    afterAll(() => h.close())

    it("plans, applies with one reconfigure per subsystem, and re-plans empty", async () => {
      const plan = await run(Reconciler.use((r) => r.plan()))
      expect(plan.summary).toEqual({ create: 11, update: 0, delete: 0 })
      h.sim.requests.clear()
      const report = await run(Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification).toEqual({ clean: true, remaining: [] })
      expect(report.changes.every((c) => c.status === "done")).toBe(true)
      expect(h.sim.requests.count("/api/interfaces/vlan_settings/reconfigure")).toBe(1)
      expect(h.sim.requests.count("/api/firewall/alias/reconfigure")).toBe(1)
      expect(h.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
      const again = await run(Reconciler.use((r) => r.plan()))
      expect(again.changes).toEqual([])
    })

    it("still plans empty after losing state.json", async () => {
      rmSync(join(h.dataDir, "state.json"))
      const plan = await run(Reconciler.use((r) => r.plan()))
      expect(plan.changes).toEqual([])
    })

    it("reports an out-of-band change as drift, field by field, and refuses the stale plan", async () => {
      const plan = await run(Reconciler.use((r) => r.plan()))
      await run(Effect.gen(function*() {
        const client = yield* Opnsense
        const live = yield* client.snapshot({ fresh: true })
        const rule = live.rules.find((r) => r.owner === "iot-web")
        if (rule === undefined) throw new Error("iot-web not on the firewall")
        yield* client.rules.update(rule.uuid, { ...rule.spec, log: true }, "iot-web", { sequence: rule.sequence })
      }))
      const drift = await run(Reconciler.use((r) => r.drift()))
      expect(drift.hasDrift).toBe(true)
      expect(drift.drifted.map((d) => [d.name, d.diff])).toEqual([["iot-web", [{
        path: "log",
        from: true,
        to: false
      }]]])
      // 26.7 lists legacy rules read-only in the rule search; 26.1.5 does not show them at all
      if (version === "26.7") expect(drift.readOnly.legacy).toBeGreaterThan(0)
      else expect(drift.readOnly.legacy).toBe(0)
      const refused = await run(Effect.flip(Reconciler.use((r) => r.apply(plan.planId, { approve: true }))))
      expect(refused._tag).toBe("StalePlan")
      // a fresh plan repairs it
      const repair = await run(Reconciler.use((r) => r.planAndApply({ approve: true })))
      expect(repair.result).toBe("applied")
      const clean = await run(Reconciler.use((r) => r.drift()))
      expect(clean.hasDrift).toBe(false)
    })

    it("left every unmanaged object as it was", async () => {
      const live = await run(Opnsense.use((c) => c.snapshot({ fresh: true })))
      expect(unmanagedOf(live)).toBe(unmanagedBefore)
    })

    it("records every apply in a hash-chained audit log that verifies", async () => {
      const entries = await run(Reconciler.use((r) => r.auditLog()))
      expect(entries.map((e) => e.result)).toEqual(["applied", "applied"])
      const verify = await run(Store.use((s) => s.verify))
      expect(verify.problems).toEqual([])
    })
  })
}

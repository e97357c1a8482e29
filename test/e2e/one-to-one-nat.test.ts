/**
 * 1:1 NAT entries end to end against the simulator over HTTPS: plan, apply with one filter
 * reconfigure, re-plan empty, update, delete, adoption and import, on 26.1 and 26.7.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Reconciler } from "../../src/Reconciler.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const NAT = `aliases:
  - name: partners
    type: network
    content: [198.51.100.0/24]
one_to_one_nat:
  - name: web
    internal: 192.168.1.10
    external: 203.0.113.10
    description: Web server
  - name: partner-gw
    interface: wan
    type: nat
    internal: 192.168.1.0/28
    external: 203.0.113.16/28
    destination: partners
    nat_reflection: disable
`

const replace = (harness: Harness, files: Readonly<Record<string, string>>) => {
  for (const f of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, f))
  for (const [file, content] of Object.entries(files)) writeFileSync(join(harness.desiredDir, file), content)
}

for (const version of ["26.1", "26.7"] as const) {
  describe(`1:1 NAT (${version})`, () => {
    it("plans, applies with one filter reconfigure, re-plans empty; updates and deletes", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "nat.yaml": NAT } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => [c.action, c.kind, c.name])).toEqual([
        ["create", "alias", "partners"],
        ["create", "one_to_one_nat", "web"],
        ["create", "one_to_one_nat", "partner-gw"]
      ])
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification).toEqual({ clean: true, remaining: [] })
      expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
      expect(harness.sim.requests.count("/api/firewall/one_to_one/apply")).toBe(0)
      const stored = [...harness.sim.state.onetoone.values()].find((r) => r["description"]?.includes("partner-gw"))
      expect(stored).toMatchObject({
        interface: "wan",
        type: "nat",
        source_net: "192.168.1.0/28",
        destination_net: "partners",
        external: "203.0.113.16/28",
        natreflection: "disable"
      })
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

      replace(harness, {
        "nat.yaml": NAT.replace("description: Web server", "description: Web server\n    log: true").replace(
          /  - name: partner-gw[\s\S]*$/,
          ""
        )
      })
      const next = await run(harness, Reconciler.use((r) => r.plan()))
      expect(next.changes.map((c) => [c.action, c.name, c.diff?.map((d) => d.path)])).toEqual([
        ["delete", "partner-gw", undefined],
        ["update", "web", ["log"]]
      ])
      harness.sim.requests.clear()
      const applied = await run(harness, Reconciler.use((r) => r.apply(next.planId, { approve: true })))
      expect(applied.result).toBe("applied")
      expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })

    it("imports seeded entries to YAML that plans empty, and adopts them by every field", async () => {
      h = await startHarness({
        version,
        unmanaged: false,
        seed: {
          onetoone: [
            { interface: "wan", source_net: "192.168.1.10", external: "203.0.113.10", description: "web" },
            { interface: "wan", type: "nat", source_net: "lan", external: "203.0.113.20", enabled: "0" }
          ]
        },
        files: {}
      })
      const harness = h
      const imported = await run(harness, Reconciler.use((r) => r.importLive()))
      expect(imported.counts["one_to_one_nat"]).toBe(2)
      replace(harness, Object.fromEntries(imported.files.map((f) => [f.path, f.content])))
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
      rmSync(join(harness.dataDir, "state.json"))
      const adopt = await run(harness, Reconciler.use((r) => r.plan()))
      // the sandbox objects of other kinds (WAN gateway, assignments) are adopted too
      const own = adopt.changes.filter((c) => c.kind === "one_to_one_nat")
      expect(own.map((c) => [c.action, c.reason?.slice(0, 5)])).toEqual([["update", "adopt"], [
        "update",
        "adopt"
      ]])
      expect((await run(harness, Reconciler.use((r) => r.apply(adopt.planId, { approve: true })))).result).toBe(
        "applied"
      )
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })
  })
}

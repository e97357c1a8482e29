/**
 * Gateways and static routes end to end against the simulator over HTTPS: plan, apply with one
 * routing reconfigure, re-plan empty, update, adopt, delete in dependency order, import.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Opnsense } from "../../src/Opnsense.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const gateways =
  "gateways:\n  - name: LAB_GW\n    interface: lan\n    address: 192.168.1.254\n    description: lab router\n"
const routes = "routes:\n  - name: lab-net\n    network: 10.50.0.0/16\n    gateway: LAB_GW\n    description: lab\n"

const write = (harness: Harness, files: Readonly<Record<string, string>>) => {
  for (const f of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, f))
  for (const [path, content] of Object.entries(files)) writeFileSync(join(harness.desiredDir, path), content)
}

for (const version of ["26.1", "26.7"] as const) {
  describe(`gateways and routes (${version})`, () => {
    it("plan creates the gateway before the route, apply reconfigures routing once, re-plan is empty", async () => {
      h = await startHarness({ version, files: { "gateways.yaml": gateways, "routes.yaml": routes } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
        "create gateway LAB_GW",
        "create route lab-net"
      ])
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification).toEqual({ clean: true, remaining: [] })
      expect(report.reconfigured).toEqual(["routing"])
      expect(harness.sim.requests.count("/api/routes/routes/reconfigure")).toBe(1)
      expect(harness.sim.requests.count("/api/routing/settings/reconfigure")).toBe(0)
      // what runs is what was written: the route and its gateway
      expect([...harness.sim.state.applied.routes.values()].map((r) => r["network"])).toEqual(["10.50.0.0/16"])
      expect([...harness.sim.state.applied.gateways.values()].map((g) => g["name"]).sort()).toEqual([
        "LAB_GW",
        "WAN_GW"
      ])
      const again = await run(harness, Reconciler.use((r) => r.plan()))
      expect(again.changes).toEqual([])

      // a changed field is an update
      write(harness, {
        "gateways.yaml": gateways,
        "routes.yaml": routes.replace("lab\n", "lab network\n    enabled: false\n")
      })
      const update = await run(harness, Reconciler.use((r) => r.plan()))
      expect(update.changes.map((c) => `${c.action} ${c.name}`)).toEqual(["update lab-net"])
      expect(update.changes[0]?.diff).toEqual([
        { path: "description", from: "lab", to: "lab network" },
        { path: "enabled", from: true, to: false }
      ])
      const updated = await run(harness, Reconciler.use((r) => r.apply(update.planId, { approve: true })))
      expect(updated.result).toBe("applied")
      // Route.xml has `disabled` up to 26.1.9 and `enabled` from 26.1.10 (26.1 emulates 26.1.5)
      const stored = [...harness.sim.state.routes.values()][0]
      expect(version === "26.7" ? stored?.["enabled"] : stored?.["disabled"]).toBe(version === "26.7" ? "0" : "1")
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

      // removal deletes the route before the gateway (the firewall refuses the other order)
      write(harness, { "empty.yaml": "aliases: []\n" })
      const removal = await run(harness, Reconciler.use((r) => r.plan()))
      expect(removal.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
        "delete route lab-net",
        "delete gateway LAB_GW"
      ])
      harness.sim.requests.clear()
      const removed = await run(
        harness,
        Reconciler.use((r) => r.apply(removal.planId, { approve: true, allowDestroy: true }))
      )
      expect(removed.result).toBe("applied")
      expect(harness.sim.requests.count("/api/routes/routes/reconfigure")).toBe(1)
      expect(harness.sim.state.applied.routes.size).toBe(0)
    })

    it("adopts an unmanaged route with the same network and gateway, and an unmanaged gateway by name", async () => {
      h = await startHarness({
        version,
        seed: {
          gateways: [
            { name: "WAN_GW", address: "203.0.113.1", ipprotocol: "inet" },
            { name: "LAB_GW", address: "192.168.1.254", ipprotocol: "inet", interface: "lan", descr: "lab router" }
          ],
          routes: [{ network: "10.50.0.0/16", gateway: "LAB_GW", descr: "lab" }]
        },
        files: { "gateways.yaml": gateways, "routes.yaml": routes }
      })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => `${c.action} ${c.name} ${c.reason ?? ""}`.trim())).toEqual([
        expect.stringMatching(/^update LAB_GW adopt/),
        expect.stringMatching(/^update lab-net adopt/)
      ])
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.verification.clean).toBe(true)
      const live = await run(harness, Opnsense.use((c) => c.snapshot({ fresh: true })))
      expect(live.routes.map((r) => r.owner)).toEqual(["lab-net"])
    })

    it("imports a seeded box's gateways and routes into YAML that plans empty", async () => {
      h = await startHarness({
        version,
        seed: {
          gateways: [
            { name: "WAN_GW", address: "203.0.113.1", ipprotocol: "inet" },
            { name: "LAB_GW", address: "192.168.1.254", ipprotocol: "inet", interface: "lan" }
          ],
          routes: [
            { network: "10.50.0.0/16", gateway: "LAB_GW", descr: "lab" },
            { network: "10.60.0.0/16", gateway: "WAN_GW" }
          ]
        },
        files: {}
      })
      const harness = h
      const result = await run(harness, Reconciler.use((r) => r.importLive()))
      expect(result.counts).toMatchObject({ gateway: 2, route: 2 })
      const files = Object.fromEntries(result.files.map((f) => [f.path, f.content]))
      expect(files["routes.yaml"]).toContain("network: 10.50.0.0/16")
      expect(files["gateways.yaml"]).toContain("name: LAB_GW")
      write(harness, files)
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes).toEqual([])
    })
  })
}

describe("a gateway on an interface the firewall does not have", () => {
  it("fails its write with OPNsense's message at the gateway's YAML line, and the route is not written (26.7)", async () => {
    h = await startHarness({
      version: "26.7",
      files: { "gateways.yaml": gateways.replace("interface: lan", "interface: opt9"), "routes.yaml": routes }
    })
    const harness = h
    const report = await run(harness, Reconciler.use((r) => r.planAndApply({ approve: true })))
    expect(report.result).toBe("failed")
    const gateway = report.changes.find((c) => c.name === "LAB_GW")
    expect(gateway?.error).toMatch(
      /^gateways\.yaml:2:\d+: gateway "LAB_GW": OPNsense rejected it: gateway_item\.interface/
    )
    expect(report.changes.find((c) => c.name === "lab-net")?.status).not.toBe("done")
    expect(harness.sim.state.routes.size).toBe(0)
  })
})

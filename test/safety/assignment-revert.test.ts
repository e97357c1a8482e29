/**
 * An apply that creates a VLAN, assigns it and puts a rule on the new interface, then fails its
 * verification (a probe of a closed port), is reverted: the assignment is deleted through the API
 * and reconfigured before its VLAN is deleted (the API refuses a VLAN config.xml still assigns),
 * and the firewall is as it was before, with both the whole-config restore and the inverse writes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator } from "../../src/Simulator.ts"
import { cleanup, closedPort, instance, sites, tempRoot, writeTree } from "./harness.ts"

const DESIRED = `
vlans:
  - { name: lab, parent: igb2, tag: 70 }
assignments:
  - { name: lab, vlan: lab, description: LAB }
rules:
  - name: lab-web
    interface: LAB
    action: pass
    protocol: tcp
    destination: { port: 443 }
`

const scenario = (backupCount: number | undefined) =>
  Effect.gen(function*() {
    const sim = yield* simulator({ version: "26.7", ...(backupCount === undefined ? {} : { backupCount }) })
    const root = tempRoot()
    yield* Effect.addFinalizer(() => Effect.sync(() => cleanup(root)))
    const port = yield* closedPort
    const desiredDir = writeTree(join(root, "desired"), {
      "sites.yaml": sites(`    probes:\n      - { host: 127.0.0.1, port: ${port}, timeout_ms: 500 }\n`),
      "main.yaml": DESIRED
    })
    const layer = instance({ sim, desiredDir, dataDir: join(root, "data") })
    const interfacesBefore = sim.state.interfaces.map((i) => i.identifier)
    const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
    return { sim, report, interfacesBefore }
  })

describe("reverting an apply that assigned a new VLAN", () => {
  it.live(
    "by restoring the revision: assignment deleted and reconfigured before the VLAN",
    () =>
      Effect.gen(function*() {
        const { sim, report, interfacesBefore } = yield* scenario(undefined)
        expect(report.result).toBe("failed")
        expect(report.safety?.revert).toMatchObject({ mode: "revision", result: "reverted" })
        expect(sim.state.interfaces.map((i) => i.identifier)).toEqual(interfacesBefore)
        expect([...sim.state.vlans.values()].map((v) => v["tag"])).toEqual(["10"])
        expect(sim.state.pendingInterfaces.size).toBe(0)
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("by inverse writes when the revision rotated away", () =>
    Effect.gen(function*() {
      const { sim, report, interfacesBefore } = yield* scenario(1)
      expect(report.result).toBe("failed")
      expect(report.safety?.revert).toMatchObject({ mode: "inverse", result: "reverted" })
      expect(sim.state.interfaces.map((i) => i.identifier)).toEqual(interfacesBefore)
      expect([...sim.state.vlans.values()].map((v) => v["tag"])).toEqual(["10"])
    }).pipe(Effect.scoped), 60_000)
})

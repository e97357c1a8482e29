/**
 * The interfaces desired rules name are checked against the firewall's interface list at plan time
 * (against the simulator): a description ("GUEST") becomes the identifier (opt2), an unknown or
 * ambiguous name fails the plan with the YAML line, before any write; before 26.7 a VLAN named
 * instead of an interface gets the advice to assign its device in the GUI.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator, type SeedData, type SimulatorOptions } from "../../src/Simulator.ts"
import { cleanup, instance, tempRoot, writeTree } from "../safety/harness.ts"

const setup = (yaml: string, options: SimulatorOptions) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const sim = yield* simulator(options)
      const root = tempRoot()
      const desiredDir = writeTree(join(root, "desired"), { "main.yaml": yaml })
      return { sim, root, layer: instance({ sim, desiredDir, dataDir: join(root, "data") }) }
    }),
    ({ root }) => Effect.sync(() => cleanup(root))
  )

/** A box with a GUEST interface on the physical igb2 (opt2; opt1 is the unmanaged MGMT VLAN). */
const guestBox: SeedData = {
  interfaces: [
    { identifier: "wan", device: "igb0", description: "WAN", ipaddr: "203.0.113.2", subnet: "24", gateway: "WAN_GW" },
    { identifier: "lan", device: "igb1", description: "LAN", ipaddr: "192.168.1.1", subnet: "24" },
    { identifier: "opt2", device: "igb2", description: "GUEST", ipaddr: "10.20.0.1", subnet: "24" }
  ]
}

const rule = (iface: string) => `
rules:
  - name: guest-web
    interface: ${iface}
    action: pass
    protocol: tcp
    destination: { port: 443 }
`

const writes = (entries: ReadonlyArray<{ readonly method: string; readonly endpoint: string }>) =>
  entries.filter((e) => e.method === "POST" && /(add|set|del)_|reconfigure|apply|upload/.test(e.endpoint))

describe("rule interfaces at plan time", () => {
  it.live(
    "a description names the interface: the plan and the firewall use its identifier",
    () =>
      Effect.gen(function*() {
        const { layer, sim } = yield* setup(rule("GUEST"), { seed: guestBox })
        const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
        expect(plan.changes).toEqual([
          expect.objectContaining({
            action: "create",
            name: "guest-web",
            after: expect.objectContaining({ interfaces: ["opt2"] })
          })
        ])
        const report = yield* SafeReconciler.use((r) => r.apply(plan.planId, { approve: true })).pipe(
          Effect.provide(layer)
        )
        expect(report.result).toBe("applied")
        expect(report.verification.clean).toBe(true)
        const created = [...sim.state.rules.values()].find((r) => (r["description"] ?? "").includes("guest-web"))
        expect(created?.["interface"]).toBe("opt2")
      }).pipe(Effect.scoped),
    60_000
  )

  it.live(
    "an unknown interface fails the plan with the YAML line and the firewall's interfaces",
    () =>
      Effect.gen(function*() {
        const { layer, sim } = yield* setup(rule("opt9"), { seed: guestBox })
        const failed = yield* Effect.flip(SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer)))
        expect(failed._tag).toBe("DesiredStateInvalid")
        if (failed._tag !== "DesiredStateInvalid") return
        expect(failed.issues).toEqual([
          expect.objectContaining({
            file: "main.yaml",
            code: "unknown-interface",
            name: "guest-web",
            severity: "error"
          })
        ])
        expect(failed.issues[0]?.message).toContain("opt2 (GUEST)")
        expect(failed.message).toContain("main.yaml:")
        expect(writes(sim.requests.entries)).toEqual([])
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("a description shared by two interfaces is ambiguous", () =>
    Effect.gen(function*() {
      const box: SimulatorOptions = {
        seed: {
          interfaces: [
            { identifier: "lan", device: "igb1", description: "LAN", ipaddr: "192.168.1.1", subnet: "24" },
            { identifier: "opt1", device: "igb2", description: "DMZ", ipaddr: "10.1.0.1", subnet: "24" },
            { identifier: "opt2", device: "igb3", description: "DMZ", ipaddr: "10.2.0.1", subnet: "24" }
          ]
        },
        unmanaged: false
      }
      const { layer } = yield* setup(rule("DMZ"), box)
      const failed = yield* Effect.flip(SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer)))
      expect(failed._tag).toBe("DesiredStateInvalid")
      if (failed._tag !== "DesiredStateInvalid") return
      expect(failed.issues.map((i) => `${i.code}: ${i.message}`)).toEqual([
        "ambiguous-interface: interface \"DMZ\" is the description of opt1 and opt2"
      ])
    }).pipe(Effect.scoped), 60_000)

  it.live(
    "a rule may name the description of an assignment the same apply makes: planned on the identifier it gets",
    () =>
      Effect.gen(function*() {
        const yaml = `
assignments:
  - name: lab
    device: igb3
    description: LAB
${rule("LAB")}`
        // wan, lan, opt1 (MGMT) and opt2 (GUEST) are taken: igb3 becomes opt3
        const { layer, sim } = yield* setup(yaml, { seed: guestBox })
        const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
        expect(plan.changes.map((c) => [c.action, c.kind, c.name])).toEqual([
          ["create", "assignment", "lab"],
          ["create", "rule", "guest-web"]
        ])
        expect(plan.changes[1]?.after).toMatchObject({ interfaces: ["opt3"] })
        const report = yield* SafeReconciler.use((r) => r.apply(plan.planId, { approve: true })).pipe(
          Effect.provide(layer)
        )
        expect(report.verification.clean).toBe(true)
        expect(sim.state.interfaces.find((i) => i.identifier === "opt3")?.device).toBe("igb3")
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("before 26.7, a VLAN named as an interface: assign its device in the GUI", () =>
    Effect.gen(function*() {
      const yaml = `
vlans:
  - name: iot
    parent: igb1
    tag: 30
${rule("iot")}`
      const { layer } = yield* setup(yaml, { version: "26.1" })
      const failed = yield* Effect.flip(SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer)))
      expect(failed._tag).toBe("DesiredStateInvalid")
      if (failed._tag !== "DesiredStateInvalid") return
      const message = failed.issues[0]?.message ?? ""
      expect(message).toContain("VLAN 30 on igb1")
      expect(message).toContain("Interfaces ▸ Assignments")
      expect(message).toContain("cannot assign interfaces through its API")
    }).pipe(Effect.scoped), 60_000)
})

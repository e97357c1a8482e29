/**
 * The management path without sites.yaml: the lockout guard finds the interface holding the API
 * URL's address in the firewall's interface list and guards that path; when no interface holds it
 * the plan says the guard is blind and how to declare it. And `validate` judges the declared path
 * with the guard's function, so the two agree on a tree either way.
 */
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { join } from "node:path"
import { DesiredState } from "../../src/DesiredState.ts"
import { validateWithLint } from "../../src/Policy.ts"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator, type SimulatorOptions } from "../../src/Simulator.ts"
import { ALIASES, cleanup, instance, LOCKOUT, MANAGEMENT, sites, tempRoot, writeTree } from "./harness.ts"

const setup = (files: Readonly<Record<string, string>>, options: SimulatorOptions = {}) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const sim = yield* simulator(options)
      const root = tempRoot()
      const desiredDir = writeTree(join(root, "desired"), files)
      return { sim, root, desiredDir, layer: instance({ sim, desiredDir, dataDir: join(root, "data") }) }
    }),
    ({ root }) => Effect.sync(() => cleanup(root))
  )

/** A box whose MGMT interface holds the address the API is reached on (a loopback one, for the test). */
const API_ADDRESS = "127.0.10.1"
const mgmtBox: SimulatorOptions = {
  host: API_ADDRESS,
  tls: false,
  unmanaged: false,
  seed: {
    interfaces: [
      { identifier: "wan", device: "igb0", description: "WAN", ipaddr: "203.0.113.2", subnet: "24" },
      { identifier: "lan", device: "igb1", description: "LAN", ipaddr: "192.168.1.1", subnet: "24" },
      { identifier: "opt1", device: "igb2", description: "MGMT", ipaddr: API_ADDRESS, subnet: "24" }
    ],
    rules: [{ interface: "opt1", protocol: "TCP", description: "Admin access", sequence: "100" }]
  }
}

const CUT_API = `
rules:
  - name: no-api
    interface: floating
    action: block
    protocol: tcp
    destination: { address: ${API_ADDRESS} }
`

describe("the API's own path, without sites.yaml", () => {
  it.live("is found on the interface holding the URL's address and guarded", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ "main.yaml": CUT_API }, mgmtBox)
      const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
      expect(plan.blocked).toEqual([expect.objectContaining({ kind: "rule", name: "no-api", action: "create" })])
      expect(plan.blocked[0]?.reason).toMatch(/127\.0\.10\.1:\d+ in on opt1/)
      const refused = yield* Effect.flip(
        SafeReconciler.use((r) => r.apply(plan.planId, { approve: true })).pipe(Effect.provide(layer))
      )
      expect(refused._tag).toBe("PlanBlocked")
    }).pipe(Effect.scoped), 60_000)

  it.live(
    "on lo0 (the sandbox on 127.0.0.1) never meets a rule: nothing to guard, nothing blind",
    () =>
      Effect.gen(function*() {
        const { layer } = yield* setup({ "main.yaml": ALIASES })
        const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
        expect(plan.changes.length).toBeGreaterThan(0)
        expect(plan.warnings.filter((w) => w.includes("blind"))).toEqual([])
      }).pipe(Effect.scoped),
    60_000
  )

  it.live(
    "is reported blind, with how to declare it, when no interface holds the address",
    () =>
      Effect.gen(function*() {
        const { layer } = yield* setup({ "main.yaml": ALIASES }, { host: "127.0.20.1", tls: false })
        const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
        const blind = plan.warnings.filter((w) => w.includes("blind"))
        expect(blind).toHaveLength(1)
        expect(blind[0]).toContain("no interface of the firewall holds 127.0.20.1")
        expect(blind[0]).toContain("sites.yaml")
        expect(blind[0]).toContain("management: { interface:")
      }).pipe(Effect.scoped),
    60_000
  )
})

const validate = (dir: string) =>
  Effect.gen(function*() {
    const desired = yield* DesiredState
    return yield* validateWithLint(desired, { dir })
  }).pipe(Effect.provide(DesiredState.layer.pipe(Layer.provide(NodeServices.layer))))
const errors = (issues: ReadonlyArray<{ readonly severity: string; readonly code: string }>) =>
  issues.filter((i) => i.severity === "error").map((i) => i.code)

describe("validate and apply agree on the management path", () => {
  it.live("a tree whose rules do not pass the path themselves: valid, and applied", () =>
    Effect.gen(function*() {
      // the path (opt1) is passed by the firewall's own "Admin access to the firewall" rule, outside git
      const { desiredDir, layer } = yield* setup({ "sites.yaml": sites(MANAGEMENT), "main.yaml": ALIASES })
      const validated = yield* validate(desiredDir)
      expect(errors(validated.issues)).toEqual([])
      expect(validated.issues.map((i) => i.code)).toContain("management-at-risk")
      const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
      expect(report.result).toBe("applied")
    }).pipe(Effect.scoped), 60_000)

  it.live("a tree with a rule that cuts the path: invalid, and refused", () =>
    Effect.gen(function*() {
      const { desiredDir, layer } = yield* setup({ "sites.yaml": sites(MANAGEMENT), "main.yaml": LOCKOUT })
      const validated = yield* validate(desiredDir)
      expect(errors(validated.issues)).toEqual(["management-lockout"])
      const refused = yield* Effect.flip(
        SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
      )
      expect(refused._tag).toBe("PlanBlocked")
    }).pipe(Effect.scoped), 60_000)
})

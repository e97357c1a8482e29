/**
 * Desired-state trees for the benchmarks: adopted from a generated simulator (so the plan is empty,
 * the `import` path a user takes), or N new rules written as YAML (for apply).
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DesiredState } from "../../src/DesiredState.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { Firewalls, Reconciler } from "../../src/Reconciler.ts"
import { layer as reconcilerLayer } from "../../src/Reconciler/Live.ts"
import { layer as storeLayer } from "../../src/Store/Store.ts"
import type { SimulatorHandle } from "./Sim.ts"

export interface Dirs {
  readonly root: string
  readonly desired: string
  readonly data: string
  readonly logs: string
  readonly remove: () => void
}

export const tempDirs = (label: string): Dirs => {
  const root = mkdtempSync(join(tmpdir(), `bench-${label}-`))
  const dirs = { root, desired: join(root, "desired-state"), data: join(root, "data"), logs: join(root, "logs") }
  for (const d of [dirs.desired, dirs.data, dirs.logs]) mkdirSync(d, { recursive: true })
  return { ...dirs, remove: () => rmSync(root, { recursive: true, force: true }) }
}

const firewallsFromClient = Layer.effect(
  Firewalls,
  Opnsense.useSync((client) => ({ forSite: () => Effect.succeed(client) }))
)

/** `import` the simulator's live objects into `dirs` (YAML + inventory), as `opnsense-mcp import --out` does. */
export const adopt = (
  sim: SimulatorHandle,
  dirs: Dirs
): Promise<{ readonly vlans: number; readonly aliases: number; readonly rules: number }> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const result = yield* Reconciler.use((r) => r.importLive({ recordInventory: true }))
      for (const file of result.files) writeFileSync(join(dirs.desired, file.path), file.content)
      return {
        vlans: result.counts["vlan"] ?? 0,
        aliases: result.counts["alias"] ?? 0,
        rules: result.counts["rule"] ?? 0
      }
    }).pipe(
      Effect.provide(
        reconcilerLayer({ desiredDir: dirs.desired, actor: "bench" }).pipe(
          Layer.provideMerge(Layer.mergeAll(firewallsFromClient, storeLayer(dirs.data), DesiredState.layer)),
          Layer.provideMerge(layerSimulator(sim, { cacheTtlSeconds: 0, timeoutMs: 60_000 })),
          Layer.provide(NodeServices.layer)
        )
      )
    )
  )

/** The i-th generated new rule, as the API's own fields (for the baseline) and as desired YAML (for us). */
export interface NewRule {
  readonly name: string
  readonly iface: "lan" | "wan"
  readonly address: string
  readonly port: number
}

export const newRules = (n: number): ReadonlyArray<NewRule> =>
  Array.from({ length: n }, (_, i) => ({
    name: `bench-rule-${i + 1}`,
    iface: i % 2 === 0 ? "lan" : "wan",
    address: `10.${100 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`,
    port: 1024 + (i % 60000)
  }))

export const rulesYaml = (rules: ReadonlyArray<NewRule>): string =>
  `rules:\n${
    rules
      .map((r) =>
        [
          `  - name: ${r.name}`,
          `    interface: ${r.iface}`,
          `    action: pass`,
          `    protocol: tcp`,
          `    destination: { address: ${r.address}, port: ${r.port} }`,
          `    description: ${r.name}`
        ].join("\n")
      )
      .join("\n")
  }\n`

/** Write N new rules as the whole desired state of `dirs`. */
export const writeNewRules = (dirs: Dirs, n: number): void => {
  writeFileSync(join(dirs.desired, "rules.yaml"), rulesYaml(newRules(n)))
}

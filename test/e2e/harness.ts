/**
 * The reconciler wired to a real simulator over HTTPS, the real YAML loader and a temporary
 * DATA_DIR: nothing of ours is mocked.
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DesiredState } from "../../src/DesiredState.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { Firewalls, type Reconciler } from "../../src/Reconciler.ts"
import { layer as reconcilerLayer } from "../../src/Reconciler/Live.ts"
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from "../../src/Simulator.ts"
import { layer as storeLayer, Store } from "../../src/Store/Store.ts"

export const TREE = join(import.meta.dirname, "tree")

/** Run an effect against a harness's layer. */
export const run = <A, E>(harness: Harness, effect: Effect.Effect<A, E, Reconciler | Store | Opnsense>) =>
  Effect.runPromise(Effect.provide(effect, harness.layer))

export interface Harness {
  readonly sim: SimulatorHandle
  readonly desiredDir: string
  readonly dataDir: string
  readonly layer: Layer.Layer<Reconciler | Store | Opnsense>
  /** the same desired state and DATA_DIR, calling the simulator with another API key */
  readonly withKey: (apiKey: string, apiSecret: string) => Layer.Layer<Reconciler | Store | Opnsense>
  readonly close: () => Promise<void>
}

/** Every site talks to the one client in context. */
export const firewallsFromClient = Layer.effect(
  Firewalls,
  Opnsense.useSync((client) => ({ forSite: () => Effect.succeed(client) }))
)

export const startHarness = async (
  options: SimulatorOptions & { readonly tree?: string; readonly files?: Readonly<Record<string, string>> } = {}
): Promise<Harness> => {
  const sim = await startSimulator(options)
  const root = mkdtempSync(join(tmpdir(), "reconciler-e2e-"))
  const desiredDir = join(root, "desired-state")
  const dataDir = join(root, "data")
  if (options.files === undefined) cpSync(options.tree ?? TREE, desiredDir, { recursive: true })
  else {
    mkdirSync(desiredDir, { recursive: true })
    for (const [file, content] of Object.entries(options.files)) writeFileSync(join(desiredDir, file), content)
  }
  const layerFor = (key: { readonly apiKey: string; readonly apiSecret: string }) =>
    reconcilerLayer({ desiredDir, actor: "e2e" }).pipe(
      Layer.provideMerge(Layer.mergeAll(firewallsFromClient, storeLayer(dataDir), DesiredState.layer)),
      Layer.provideMerge(layerSimulator({ ...sim, ...key }, { cacheTtlSeconds: 0 })),
      Layer.provide(NodeServices.layer)
    )
  return {
    sim,
    desiredDir,
    dataDir,
    layer: layerFor(sim),
    withKey: (apiKey, apiSecret) => layerFor({ apiKey, apiSecret }),
    close: async () => {
      await sim.close()
      rmSync(root, { recursive: true, force: true })
    }
  }
}

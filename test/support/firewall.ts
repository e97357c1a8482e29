/**
 * Edits on the (simulated) firewall that nobody made through git, through our own client over
 * HTTPS, the way a person in the web UI would change an object.
 */
import { Effect } from "effect"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import type { SimulatorHandle } from "../../src/Simulator.ts"

/** Replace the content of the managed alias `name` (found by its ownership marker). */
export const setAliasContentOutOfBand = (sim: SimulatorHandle, name: string, content: ReadonlyArray<string>) =>
  Effect.runPromise(Effect.provide(
    Effect.gen(function*() {
      const client = yield* Opnsense
      const live = yield* client.snapshot({ fresh: true })
      const alias = live.aliases.find((a) => a.owner === name)
      if (alias === undefined) throw new Error(`${name} missing`)
      yield* client.aliases.update(alias.uuid, { ...alias.spec, content: [...content] }, name)
    }),
    layerSimulator(sim, { cacheTtlSeconds: 0 })
  ))

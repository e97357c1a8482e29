/**
 * Edits on the (simulated) firewall that nobody made through git, through our own client over
 * HTTPS, the way a person in the web UI would change an object.
 */
import { Effect } from "effect"
import type { RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
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

/**
 * Create a rule carrying the ownership marker `owner` (whoever has GUI or API access can write one),
 * at `sequence`, or just after the managed rule `after` when that names one. Returns its uuid.
 */
export const createMarkedRuleOutOfBand = (
  sim: SimulatorHandle,
  spec: RuleSpec | { readonly copyOf: string; readonly description: string },
  owner: string,
  sequence = 1
) =>
  Effect.runPromise(Effect.provide(
    Effect.gen(function*() {
      const client = yield* Opnsense
      if (!("copyOf" in spec)) return yield* client.rules.create(spec, owner, { sequence })
      const live = yield* client.snapshot({ fresh: true })
      const model = live.rules.find((r) => r.owner === spec.copyOf)
      if (model === undefined) throw new Error(`${spec.copyOf} missing`)
      return yield* client.rules.create({ ...model.spec, description: spec.description }, owner, {
        sequence: model.sequence + 1
      })
    }),
    layerSimulator(sim, { cacheTtlSeconds: 0 })
  ))

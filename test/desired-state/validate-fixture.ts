/** Validate one of test/desired-state/fixtures/<name> with the real loader and file system. */
import { NodeFileSystem } from "@effect/platform-node"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { DesiredState } from "../../src/DesiredState.ts"

export const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url))

export const validate = (fixture: string) =>
  Effect.gen(function*() {
    const desired = yield* DesiredState
    return yield* desired.validate({ dir: `${fixtures}${fixture}` })
  }).pipe(Effect.provide(DesiredState.layer), Effect.provide(NodeFileSystem.layer))

/**
 * `opnsense-mcp explain --src A --dst B --proto P [--port N] [--src-port N] [--interface I]
 * [--direction in|out] [--live | --plan FILE] [--json]`: which rule decides this packet, and the
 * chain of rules considered with why each did or did not match (docs/policy.md). Exit 0 when the
 * packet could be evaluated, whatever the decision; 1 when it could not.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { explain, type Packet } from "../Policy.ts"
import { renderExplanation } from "../Policy/Render.ts"
import type { ExplainFlags } from "./Commands.ts"
import { colourOn, err, ExitCode, exitWith, out } from "./Common.ts"
import { inputsFor } from "./Lint.ts"
import { desiredStateDir } from "./Validate.ts"

export const run = (flags: ExplainFlags) =>
  Effect.gen(function*() {
    const dir = yield* desiredStateDir(flags.dir)
    const inputs = yield* inputsFor(flags, dir)
    const chosen = inputs[0]
    if (chosen === undefined || inputs.length > 1) {
      return yield* Effect.fail(new Error(`name one site with --site: ${inputs.map((i) => i.input.site).join(", ")}`))
    }
    const { input, notes } = chosen
    const packet: Packet = {
      protocol: flags.proto,
      source: flags.src,
      destination: flags.dst,
      ...(Option.isSome(flags.port) ? { destinationPort: flags.port.value } : {}),
      ...(Option.isSome(flags.srcPort) ? { sourcePort: flags.srcPort.value } : {}),
      ...(Option.isSome(flags.interface) ? { interface: flags.interface.value } : {}),
      ...(Option.isSome(flags.direction) ? { direction: flags.direction.value } : {})
    }
    const result = explain(input, packet)
    if (Result.isFailure(result)) {
      yield* err(`error: ${result.failure.message}\n`)
      return yield* exitWith(ExitCode.error)
    }
    const explanation = { ...result.success, notes: [...notes, ...result.success.notes] }
    yield* Effect.annotateCurrentSpan({ decision: explanation.decision, steps: explanation.steps.length })
    yield* out(
      flags.json
        ? `${JSON.stringify(explanation, null, 2)}\n`
        : renderExplanation(explanation, { dir, colour: colourOn(process.stdout) })
    )
    yield* exitWith(ExitCode.ok)
  }).pipe(Effect.withSpan("Cli.explain"))

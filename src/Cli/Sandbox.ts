/**
 * `opnsense-mcp sandbox`: run the embedded OPNsense simulator on 127.0.0.1 until
 * signalled. Credentials come from OPNSENSE_API_KEY/OPNSENSE_API_SECRET (or their *_FILE variants)
 * when set, otherwise they are generated and printed, since they only open this throwaway sandbox.
 */
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import { acquire, loadSeedFile, type SeedData } from "../Simulator.ts"
import type { SandboxFlags } from "./Commands.ts"

export class SandboxError
  extends Data.TaggedError("SandboxError")<{ readonly message: string; readonly cause?: unknown }>
{}

const credential = (variable: string) =>
  Effect.gen(function*() {
    const direct = yield* Config.option(Config.Redacted(variable))
    if (Option.isSome(direct) && Redacted.value(direct.value) !== "") return Option.some(Redacted.value(direct.value))
    const file = yield* Config.option(Config.String(`${variable}_FILE`))
    if (Option.isNone(file) || file.value === "") return Option.none<string>()
    const path = file.value
    return Option.some(
      yield* Effect.try({
        try: () => readFileSync(path, "utf8").trim(),
        catch: (cause) => new SandboxError({ message: `${variable}_FILE names ${path}, which cannot be read`, cause })
      })
    )
  })

const readSeed = (path: string) =>
  Effect.try({
    try: (): SeedData => loadSeedFile(path),
    catch: (cause) =>
      new SandboxError({ message: `--seed ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, cause })
  })

export const run = (flags: SandboxFlags) =>
  Effect.scoped(
    Effect.gen(function*() {
      const apiKey = yield* credential("OPNSENSE_API_KEY")
      const apiSecret = yield* credential("OPNSENSE_API_SECRET")
      const seed = Option.isSome(flags.seed) ? yield* readSeed(flags.seed.value) : undefined
      const sim = yield* acquire({
        version: flags.version,
        port: flags.port,
        tls: !flags.plainHttp,
        scale: flags.scale,
        ...(seed === undefined ? {} : { seed }),
        ...(Option.isSome(apiKey) ? { apiKey: apiKey.value } : {}),
        ...(Option.isSome(apiSecret) ? { apiSecret: apiSecret.value } : {})
      })
      const fromEnv = Option.isSome(apiKey) && Option.isSome(apiSecret)
      const info = {
        url: sim.url,
        version: sim.version,
        apiKey: Option.isSome(apiKey) ? "(from OPNSENSE_API_KEY)" : sim.apiKey,
        apiSecret: Option.isSome(apiSecret) ? "(from OPNSENSE_API_SECRET)" : sim.apiSecret,
        caFile: sim.caFile ?? null
      }
      const lines = flags.json
        ? [JSON.stringify(info)]
        : [
          `OPNsense ${sim.version} simulator listening on ${sim.url} (Ctrl-C to stop)`,
          ``,
          `  export OPNSENSE_URL=${sim.url}`,
          fromEnv
            ? `  # credentials: the ones in OPNSENSE_API_KEY / OPNSENSE_API_SECRET`
            : `  export OPNSENSE_API_KEY='${info.apiKey}'`,
          ...(fromEnv ? [] : [`  export OPNSENSE_API_SECRET='${info.apiSecret}'`]),
          sim.caFile === undefined ? `  # plain HTTP: no CA file` : `  export OPNSENSE_CA_FILE=${sim.caFile}`,
          ``
        ]
      yield* Effect.sync(() => process.stdout.write(`${lines.join("\n")}\n`))
      return yield* Effect.never
    })
  )

/**
 * A secret setting from the environment, or from the file another variable names: `NAME`, else the
 * contents of the file at `NAME_FILE` (trimmed), the way container platforms mount secrets (a
 * Kubernetes Secret volume, Docker secrets). Empty means unset. The value stays Redacted; an
 * unreadable file is a ConfigError naming the variable and the path, never the contents.
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { readFile } from "node:fs/promises"

const readSecretFile = (name: string, path: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (cause) =>
      new Config.ConfigError(
        new ConfigProvider.SourceError({
          message: `${name}_FILE names ${path}, which cannot be read (${
            cause instanceof Error ? cause.message : String(cause)
          })`,
          cause
        })
      )
  })

export const optionalSecret = (name: string): Config.Config<Redacted.Redacted<string> | undefined> =>
  Config.all({
    direct: Config.option(Config.Redacted(name)),
    file: Config.option(Config.String(`${name}_FILE`))
  }).pipe(
    Config.mapEffect(({ direct, file }) => {
      const value = Option.filter(direct, (v) => Redacted.value(v).length > 0)
      if (Option.isSome(value)) return Effect.succeed(value.value)
      if (Option.isNone(file) || file.value === "") return Effect.succeed(undefined)
      return Effect.map(readSecretFile(name, file.value), (text) => {
        const trimmed = text.trim()
        return trimmed === "" ? undefined : Redacted.make(trimmed)
      })
    })
  )

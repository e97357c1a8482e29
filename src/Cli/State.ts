import { Command } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

const verify = Command.make("verify", { ...globalFlags }, () => notYetImplemented("state verify")).pipe(
  Command.withDescription("check DATA_DIR integrity (exit 0 ok, 1 problems)")
)
const migrate = Command.make("migrate", { ...globalFlags }, () => notYetImplemented("state migrate")).pipe(
  Command.withDescription("upgrade DATA_DIR to the current schema")
)

export const command = Command.make("state").pipe(
  Command.withDescription("inspect and maintain DATA_DIR"),
  Command.withSubcommands([verify, migrate])
)

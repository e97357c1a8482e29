import { Command } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "lint",
  { ...globalFlags },
  () => notYetImplemented("lint")
).pipe(Command.withDescription("shadowed and redundant rules, lockout risks, unused aliases (exit 0 clean, 2 findings)"))

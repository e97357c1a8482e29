import { Command } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "validate",
  { ...globalFlags },
  () => notYetImplemented("validate")
).pipe(Command.withDescription("schema, references, duplicates and lint errors of the desired state (exit 0 valid, 1 invalid)"))

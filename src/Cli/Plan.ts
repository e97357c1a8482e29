import { Command, Flag } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "plan",
  { ...globalFlags,
    out: Flag.String("out").pipe(Flag.withDescription("also write the plan JSON to FILE"), Flag.optional),
    detailedExitcode: Flag.Boolean("detailed-exitcode").pipe(Flag.withDefault(false)) },
  () => notYetImplemented("plan")
).pipe(Command.withDescription("diff desired against live and print the plan (exit 0, or 2 with --detailed-exitcode when there are changes)"))

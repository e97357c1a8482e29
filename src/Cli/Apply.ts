import { Command, Flag } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "apply",
  { ...globalFlags,
    plan: Flag.String("plan").pipe(Flag.withDescription("apply this saved plan file"), Flag.optional),
    autoApprove: Flag.Boolean("auto-approve").pipe(Flag.withDefault(false)) },
  () => notYetImplemented("apply")
).pipe(Command.withDescription("apply a saved plan, or plan and apply (exit 0 applied, 1 failed, 3 refused)"))

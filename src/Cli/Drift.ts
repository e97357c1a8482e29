import { Command } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "drift",
  { ...globalFlags },
  () => notYetImplemented("drift")
).pipe(Command.withDescription("what changed on the firewall outside git (exit 0 none, 2 drift)"))

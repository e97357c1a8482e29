import { Command, Flag } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "import",
  { ...globalFlags,
    out: Flag.String("out").pipe(Flag.withDescription("write YAML into DIR"), Flag.optional) },
  () => notYetImplemented("import")
).pipe(Command.withDescription("write YAML for the live objects, to adopt an existing firewall"))

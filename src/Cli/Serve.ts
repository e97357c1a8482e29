import { Command, Flag } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "serve",
  { ...globalFlags,
    stdio: Flag.Boolean("stdio").pipe(Flag.withDefault(false)) },
  () => notYetImplemented("serve")
).pipe(Command.withDescription("HTTP server (ops endpoints + MCP at /mcp) and the reconcile loop; --stdio serves MCP over stdio"))

import { Command, Flag } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "explain",
  { ...globalFlags,
    src: Flag.String("src"),
    dst: Flag.String("dst"),
    proto: Flag.String("proto"),
    port: Flag.Int("port").pipe(Flag.optional),
    interface: Flag.String("interface").pipe(Flag.optional) },
  () => notYetImplemented("explain")
).pipe(Command.withDescription("which rule decides this packet, and why"))

import { Command, Flag } from "effect/cli"
import { globalFlags, notYetImplemented } from "./Common.ts"

export const command = Command.make(
  "sandbox",
  { ...globalFlags,
    port: Flag.Int("port").pipe(Flag.withDefault(0)),
    version: Flag.Literals("version", ["26.7", "26.1"]).pipe(Flag.withDefault("26.7")),
    seed: Flag.String("seed").pipe(Flag.optional),
    scale: Flag.Int("scale").pipe(Flag.withDefault(0)),
    plainHttp: Flag.Boolean("plain-http").pipe(Flag.withDefault(false)) },
  () => notYetImplemented("sandbox")
).pipe(Command.withDescription("run the embedded OPNsense simulator on 127.0.0.1"))

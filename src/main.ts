/**
 * CLI entry: parse the command line, run the command, turn failures into one readable line and an
 * exit status (CONTRACT §4).
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Cause, Effect, Layer } from "effect"
import { Command } from "effect/cli"
import * as Apply from "./Cli/Apply.ts"
import { ExitCode, reportFailure } from "./Cli/Common.ts"
import * as Drift from "./Cli/Drift.ts"
import * as Explain from "./Cli/Explain.ts"
import * as Import from "./Cli/Import.ts"
import * as Lint from "./Cli/Lint.ts"
import * as Plan from "./Cli/Plan.ts"
import * as Sandbox from "./Cli/Sandbox.ts"
import * as Schema from "./Cli/Schema.ts"
import * as Serve from "./Cli/Serve.ts"
import * as State from "./Cli/State.ts"
import * as Validate from "./Cli/Validate.ts"
import * as Telemetry from "./Telemetry.ts"
import { VERSION } from "./Version.ts"

export const root = Command.make("opnsense-mcp").pipe(
  Command.withDescription("GitOps for OPNsense firewalls, with an MCP server for AI agents"),
  Command.withSubcommands([
    Validate.command,
    Schema.command,
    Plan.command,
    Apply.command,
    Drift.command,
    Import.command,
    Lint.command,
    Explain.command,
    Serve.command,
    Sandbox.command,
    State.command
  ])
)

const isShowHelp = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "ShowHelp"

/** Long-running commands trace each request or cycle on its own; the rest get one trace each. */
const untraced: ReadonlySet<string> = new Set(["serve", "sandbox"])

const traced = (argv: ReadonlyArray<string>) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const name = argv.find((arg) => !arg.startsWith("-"))
  return name === undefined || untraced.has(name)
    ? self
    : self.pipe(Telemetry.command(name), Effect.provide(Telemetry.layer.pipe(Layer.orDie)))
}

export const main = (argv: ReadonlyArray<string>): void =>
  Command.runWith(root, { version: VERSION })(argv).pipe(
    traced(argv),
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        // a usage error: the CLI has already printed what was wrong and the command's help
        if (!isShowHelp(Cause.squash(cause))) process.stderr.write(`${reportFailure(cause)}\n`)
        process.exitCode = ExitCode.error
      })
    ),
    Effect.provide(NodeServices.layer),
    NodeRuntime.runMain({ disableErrorReporting: true })
  )

/**
 * CLI entry: parse the command line, run the command, turn failures into one readable line and an
 * exit status (0 ok, 1 error, 2 changes or findings, 3 refused: Cli/Common.ts ExitCode).
 */
// the modules, not the package index: the index also loads the HTTP server and client, which most
// commands never use
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { commands } from "./Cli/Commands.ts"
import { ExitCode, reportFailure } from "./Cli/Common.ts"
import * as Logging from "./Logging.ts"
import * as Telemetry from "./Telemetry.ts"
import { VERSION } from "./Version.ts"

export const root = Command.make("opnsense-mcp").pipe(
  Command.withDescription("GitOps for OPNsense firewalls, with an MCP server for AI agents"),
  Command.withSubcommands(commands)
)

const isShowHelp = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "ShowHelp"

/** Long-running commands trace each request or cycle on its own; the rest get one trace each. */
const untraced: ReadonlySet<string> = new Set(["serve", "sandbox"])

/** serve logs to files as well and provides its own logging; every other command logs to stderr */
const logged = (argv: ReadonlyArray<string>) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const name = argv.find((arg) => !arg.startsWith("-"))
  return name === "serve" ? self : self.pipe(Effect.provide(Logging.layer({ files: false }).pipe(Layer.orDie)))
}

const traced = (argv: ReadonlyArray<string>) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const name = argv.find((arg) => !arg.startsWith("-"))
  return name === undefined || untraced.has(name)
    ? self
    : self.pipe(Telemetry.command(name), Effect.provide(Telemetry.layer.pipe(Layer.orDie)))
}

/**
 * A mistyped command line gets one line per problem on stderr (with the CLI's own suggestion),
 * not the whole help page: the help is one `--help` away and buried the error under it.
 */
const invocationErrors = CliOutput.layerPresenter({
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Effect.sync(() => {
        const command = event.commandPath.join(" ")
        for (const error of event.errors) {
          const message = error.message.split("\n").map((line) => line.trim()).filter((line) => line !== "")
          const [head = "invalid command line", ...rest] = message
          const hint = rest.filter((line) => !/^did you mean/i.test(line))
          process.stderr.write(
            `error: ${head}${hint.length > 0 ? `; did you mean ${hint.join(" or ")}?` : ""} (${command} --help)\n`
          )
        }
      })
      : CliOutput.defaultPresenter.present(event)
})

export const main = (argv: ReadonlyArray<string>): void =>
  Command.runWith(root, { version: VERSION })(argv).pipe(
    logged(argv),
    traced(argv),
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        // a usage error: the CLI has already printed what was wrong and the command's help
        if (!isShowHelp(Cause.squash(cause))) process.stderr.write(`${reportFailure(cause)}\n`)
        process.exitCode = ExitCode.error
      })
    ),
    Effect.provide(invocationErrors),
    Effect.provide(NodeServices.layer),
    NodeRuntime.runMain({ disableErrorReporting: true })
  )

/**
 * The command table: every command's name, flags and description, which is all that
 * parsing and --help need. Each handler imports its implementation (Cli/<Command>.ts) only when
 * that command runs, so `plan` does not load the HTTP server, the MCP SDK or the simulator, and
 * `--version` loads none of them.
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import { globalFlags, switchFlag } from "./Common.ts"
import { formatFlag } from "./Format.ts"

type Flags<C extends Command.Command.Config> = Command.Command.Config.Infer<C>

/** A handler that loads its module on first use; a module that fails to load is a defect. */
const lazily =
  <F, Err, R>(load: () => Promise<{ readonly run: (flags: F) => Effect.Effect<void, Err, R> }>) =>
  (flags: F): Effect.Effect<void, Err, R> => Effect.flatMap(Effect.promise(load), (module) => module.run(flags))

const validateFlags = { ...globalFlags, format: formatFlag(["text", "json", "github"]) }
export type ValidateFlags = Flags<typeof validateFlags>
const validate = Command.make("validate", validateFlags, lazily(() => import("./Validate.ts"))).pipe(
  Command.withDescription(
    "schema, references, duplicates and lint errors of the desired state (exit 0 valid, 1 invalid)"
  )
)

const schemaFlags = {
  sites: switchFlag("sites", "print the schema of desired-state/sites.yaml instead of the resource files")
}
export type SchemaFlags = Flags<typeof schemaFlags>
const schema = Command.make("schema", schemaFlags, lazily(() => import("./Schema.ts"))).pipe(
  Command.withDescription("print the JSON Schema of the desired-state YAML files, for editors (YAML language server)")
)

const planFlags = {
  ...globalFlags,
  format: formatFlag(["text", "json", "markdown", "github"]),
  out: Flag.String("out").pipe(Flag.withDescription("also write the plan JSON to FILE"), Flag.optional),
  detailedExitcode: switchFlag(
    "detailed-exitcode",
    "exit 2 when there are changes (0 when none), so CI can tell them apart"
  )
}
export type PlanFlags = Flags<typeof planFlags>
const plan = Command.make("plan", planFlags, lazily(() => import("./Plan.ts"))).pipe(
  Command.withDescription(
    "diff desired against live and print the plan (exit 0, or 2 with --detailed-exitcode when there are changes); --format markdown for a pull-request comment"
  )
)

const applyFlags = {
  ...globalFlags,
  plan: Flag.String("plan").pipe(
    Flag.withDescription("apply this saved plan file (or a planId from DATA_DIR/plans)"),
    Flag.optional
  ),
  autoApprove: switchFlag("auto-approve", "apply without asking (required when stdin is not a terminal, e.g. in CI)"),
  overrideLockout: Flag.String("override-lockout").pipe(
    Flag.withDescription(
      "apply a plan whose changes are under `blocked` (they would cut the management path) anyway; " +
        "REASON is written to the audit log"
    ),
    Flag.withMetavar("REASON"),
    Flag.optional
  ),
  overrideIntent: Flag.String("override-intent").pipe(
    Flag.withDescription(
      "apply a plan that violates this intent (by name; repeat for several) anyway; needs --reason, which is written to the audit log"
    ),
    Flag.withMetavar("NAME"),
    Flag.atLeast(0)
  ),
  reason: Flag.String("reason").pipe(
    Flag.withDescription("why the intents given with --override-intent may be violated (audited)"),
    Flag.optional
  ),
  allowDestroy: switchFlag(
    "allow-destroy",
    "apply a plan that deletes every object the site manages (refused without it: an empty or wrong --dir looks the same)"
  )
}
export type ApplyFlags = Flags<typeof applyFlags>
const apply = Command.make("apply", applyFlags, lazily(() => import("./Apply.ts"))).pipe(
  Command.withDescription("apply a saved plan, or plan and apply (exit 0 applied, 1 failed, 3 refused)")
)

const driftFlags = { ...globalFlags }
export type DriftFlags = Flags<typeof driftFlags>
const drift = Command.make("drift", driftFlags, lazily(() => import("./Drift.ts"))).pipe(
  Command.withDescription("what changed on the firewall outside git (exit 0 none, 2 drift, 1 error)")
)

const importFlags = {
  ...globalFlags,
  out: Flag.String("out").pipe(
    Flag.withDescription("desired-state root to write into (the site's folder below it)"),
    Flag.optional
  ),
  kind: Flag.String("kind").pipe(
    Flag.withDescription("only these kinds, comma-separated: vlan,alias,rule"),
    Flag.optional
  ),
  commit: switchFlag("commit", "commit the files on a new git branch instead of writing the working tree"),
  branch: Flag.String("branch").pipe(
    Flag.withDescription("branch for --commit (implies it); default adopt-<site>-<yyyymmdd>"),
    Flag.optional
  )
}
export type ImportFlags = Flags<typeof importFlags>
const importCommand = Command.make("import", importFlags, lazily(() => import("./Import.ts"))).pipe(
  Command.withDescription(
    "write YAML for the live objects, to adopt an existing firewall; into an existing desired state only what it lacks (--commit: on a new git branch)"
  )
)

/** Which rules lint and explain analyse (docs/policy.md). */
const live = switchFlag("live", "analyse the live firewall's rules (legacy and automatic ones included, read-only)")
const planFile = Flag.File("plan", { mustExist: true }).pipe(
  Flag.withDescription("analyse the rules as they will be after applying this saved plan (what-if)"),
  Flag.optional
)

const lintFlags = { ...globalFlags, live, plan: planFile, format: formatFlag(["text", "json", "github"]) }
export type LintFlags = Flags<typeof lintFlags>
const lint = Command.make("lint", lintFlags, lazily(() => import("./Lint.ts"))).pipe(
  Command.withDescription(
    "shadowed and redundant rules, lockout risks, unused aliases; --live or --plan FILE for the firewall or a plan's result (exit 0 clean, 2 findings)"
  )
)

const explainFlags = {
  ...globalFlags,
  src: Flag.String("src").pipe(Flag.withDescription("source address (\"any\" when unknown)")),
  dst: Flag.String("dst").pipe(Flag.withDescription("destination address")),
  proto: Flag.String("proto").pipe(Flag.withDescription("protocol: tcp, udp, icmp, ...")),
  port: Flag.Int("port").pipe(Flag.withDescription("destination port (tcp/udp)"), Flag.optional),
  srcPort: Flag.Int("src-port").pipe(Flag.withDescription("source port (tcp/udp)"), Flag.optional),
  interface: Flag.String("interface").pipe(
    Flag.withDescription(
      "interface the packet crosses, by identifier or description (default: inferred from the interface networks in sites.yaml); an unknown one is an error"
    ),
    Flag.optional
  ),
  direction: Flag.Literals("direction", ["in", "out"]).pipe(
    Flag.withDescription("in (arriving on the interface, default) or out (leaving through it)"),
    Flag.optional
  ),
  live,
  plan: planFile
}
export type ExplainFlags = Flags<typeof explainFlags>
const explain = Command.make("explain", explainFlags, lazily(() => import("./Explain.ts"))).pipe(
  Command.withDescription("which rule decides this packet, and why (desired state; --live or --plan FILE)")
)

const serveFlags = {
  ...globalFlags,
  stdio: switchFlag("stdio", "serve MCP over stdin/stdout instead of the HTTP server")
}
export type ServeFlags = Flags<typeof serveFlags>
const serve = Command.make("serve", serveFlags, lazily(() => import("./Serve.ts"))).pipe(
  Command.withDescription(
    "HTTP server (ops endpoints + MCP at /mcp) and the reconcile loop; --stdio serves MCP over stdio"
  )
)

const sandboxFlags = {
  ...globalFlags,
  port: Flag.Int("port").pipe(Flag.withDescription("port on 127.0.0.1 (default: a free port)"), Flag.withDefault(0)),
  version: Flag.Literals("version", ["26.7", "26.1"]).pipe(
    Flag.withDescription("OPNsense release to emulate"),
    Flag.withDefault("26.7")
  ),
  seed: Flag.String("seed").pipe(
    Flag.withDescription("preload objects from a JSON or YAML seed file (API field names; docs/simulator.md)"),
    Flag.optional
  ),
  scale: Flag.Int("scale").pipe(
    Flag.withDescription("generate N rules, N/10 aliases and N/20 VLANs"),
    Flag.withDefault(0)
  ),
  plainHttp: switchFlag("plain-http", "serve plain HTTP instead of HTTPS with a self-signed certificate")
}
export type SandboxFlags = Flags<typeof sandboxFlags>
const sandbox = Command.make("sandbox", sandboxFlags, lazily(() => import("./Sandbox.ts"))).pipe(
  Command.withDescription("run the embedded OPNsense simulator on 127.0.0.1")
)

const stateFlags = { ...globalFlags }
export type StateFlags = Flags<typeof stateFlags>
const state = Command.make("state").pipe(
  Command.withDescription("inspect and maintain DATA_DIR"),
  Command.withSubcommands([
    Command.make(
      "verify",
      stateFlags,
      (flags) => Effect.flatMap(Effect.promise(() => import("./State.ts")), (m) => m.verify(flags))
    ).pipe(
      Command.withDescription("check DATA_DIR integrity (exit 0 ok, 1 problems)")
    ),
    Command.make(
      "migrate",
      stateFlags,
      (flags) => Effect.flatMap(Effect.promise(() => import("./State.ts")), (m) => m.migrate(flags))
    ).pipe(
      Command.withDescription("upgrade DATA_DIR to the current schema")
    )
  ])
)

export const commands = [
  validate,
  schema,
  plan,
  apply,
  drift,
  importCommand,
  lint,
  explain,
  serve,
  sandbox,
  state
] as const

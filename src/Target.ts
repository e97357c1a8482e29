/**
 * Which firewall a site talks to, and how: the URL, the credentials, the CA, TLS
 * verification and the timeout, from the environment and the site's entry in sites.yaml. When no
 * URL is configured at all, the embedded simulator is started in-process and used instead, with a
 * banner on stderr, so every command works on a fresh machine.
 *
 * Credentials are read as Redacted from the variables the site names (OPNSENSE_API_KEY/SECRET by
 * default), or from files named by the same variables with a `_FILE` suffix. Nothing secret is
 * written anywhere.
 */
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { SiteConfig } from "./Domain/Desired.ts"
import type { ClientOptions } from "./Opnsense/Client.ts"
import { config as retryConfig } from "./Resilience/Retry.ts"

export class TargetConfigError extends Data.TaggedError("TargetConfigError")<{
  readonly message: string
  readonly site: string
  readonly cause?: unknown
}> {}

export interface ResolvedTarget {
  readonly options: ClientOptions
  /** true when the embedded simulator was started because no URL was configured */
  readonly sandbox: boolean
}

/** What a running simulator (src/Simulator.ts's handle) gives a client. */
export interface SimulatorConnection {
  readonly url: string
  readonly apiKey: string
  readonly apiSecret: string
  readonly caPem?: string | undefined
}

/** Client options for a running simulator: its URL, credentials and CA. */
export const simulatorOptions = (
  handle: SimulatorConnection,
  overrides: Partial<ClientOptions> = {}
): ClientOptions => ({
  site: "default",
  url: handle.url,
  apiKey: Redacted.make(handle.apiKey),
  apiSecret: Redacted.make(handle.apiSecret),
  caPem: handle.caPem,
  timeoutMs: 5_000,
  ...overrides
})

/** The embedded sandbox: a simulator connection that is started and closed with the client. */
export interface SandboxHandle extends SimulatorConnection {
  readonly version: string
  readonly close: () => Promise<void>
}

export interface ResolveOptions {
  /** start the embedded sandbox (default: startSimulator from src/Simulator.ts) */
  readonly startSandbox?: () => Promise<SandboxHandle>
  /** where banners and warnings go (default: process.stderr) */
  readonly write?: (line: string) => void
}

const stderr = (line: string) => {
  process.stderr.write(`${line}\n`)
}

const optionalString = (name: string) => Config.option(Config.String(name))

const readSecretFile = (site: string, variable: string, path: string) =>
  Effect.try({
    try: () => Redacted.make(readFileSync(path, "utf8").trim()),
    catch: (cause) =>
      new TargetConfigError({
        message: `site "${site}": ${variable}_FILE names ${path}, which cannot be read (${
          cause instanceof Error ? cause.message : String(cause)
        })`,
        site,
        cause
      })
  })

/** A secret from `variable`, or from the file named by `${variable}_FILE`. */
const secret = (site: string, variable: string) =>
  Effect.gen(function*() {
    const direct = yield* Config.option(Config.Redacted(variable))
    if (Option.isSome(direct) && Redacted.value(direct.value) !== "") return Option.some(direct.value)
    const file = yield* optionalString(`${variable}_FILE`)
    if (Option.isSome(file) && file.value !== "") return Option.some(yield* readSecretFile(site, variable, file.value))
    return Option.none<Redacted.Redacted<string>>()
  })

/**
 * The firewall credentials of the default variables (OPNSENSE_API_KEY/SECRET or their _FILE), for
 * scrubbing them wherever they might turn up (request URLs); none when unset or unreadable.
 */
export const defaultCredentials: Effect.Effect<ReadonlyArray<Redacted.Redacted<string>>> = Effect.forEach(
  ["OPNSENSE_API_KEY", "OPNSENSE_API_SECRET"],
  (variable) => secret("default", variable).pipe(Effect.map(Option.toArray), Effect.orElseSucceed(() => []))
).pipe(Effect.map((all) => all.flat()))

const checkUrl = (site: string, raw: string) =>
  Effect.try({
    try: () => new URL(raw),
    catch: (cause) =>
      new TargetConfigError({
        message: `site "${site}": "${raw}" is not a URL; expected e.g. https://192.0.2.1`,
        site,
        cause
      })
  }).pipe(
    Effect.flatMap((url) => {
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        return Effect.fail(
          new TargetConfigError({
            message: `site "${site}": the firewall URL must start with https:// (got ${url.protocol})`,
            site
          })
        )
      }
      if (url.username !== "" || url.password !== "") {
        return Effect.fail(
          new TargetConfigError({
            message:
              `site "${site}": the firewall URL must not carry credentials; put them in OPNSENSE_API_KEY/OPNSENSE_API_SECRET (or the site's variables)`,
            site
          })
        )
      }
      return Effect.succeed(url.toString().replace(/\/+$/, ""))
    })
  )

const readCa = (site: string, path: string) =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (cause) =>
      new TargetConfigError({
        message: `site "${site}": the CA file ${path} cannot be read (${
          cause instanceof Error ? cause.message : String(cause)
        }); OPNSENSE_CA_FILE must name the firewall's CA certificate in PEM`,
        site,
        cause
      })
  })

/**
 * A deployment (the systemd unit and the pm2 file set NODE_ENV=production) with no firewall is a
 * configuration error, not a demo: an environment file that was not read would otherwise leave a
 * service quietly managing a simulator. pm2 cluster workers (NODE_APP_INSTANCE) would each start
 * their own sandbox behind one shared port.
 */
export const refuseSandboxInDeployment = (site: string): Effect.Effect<void, TargetConfigError | Config.ConfigError> =>
  Effect.gen(function*() {
    const nodeEnv = Option.getOrUndefined(yield* optionalString("NODE_ENV"))
    const clusterWorker = Option.getOrUndefined(yield* optionalString("NODE_APP_INSTANCE"))
    if (nodeEnv !== "production" && clusterWorker === undefined) return
    return yield* Effect.fail(
      new TargetConfigError({
        message:
          `site "${site}": no firewall configured (OPNSENSE_URL unset, no url in sites.yaml) in a ${
            nodeEnv === "production" ? "production deployment (NODE_ENV=production)" : "pm2 cluster worker"
          }; the embedded sandbox is for trying things out only. Set OPNSENSE_URL and its credentials in the ` +
          `environment file (/etc/opnsense-mcp/env)${
            nodeEnv === "production"
              ? ", or unset NODE_ENV to use the sandbox on purpose"
              : "; the sandbox runs in a single process only"
          }`,
        site
      })
    )
  })

/**
 * Resolve a site's connection. `site` undefined means the single `default` site. The sandbox, when
 * started, lives as long as the scope.
 */
export const resolveTarget = (
  site?: SiteConfig,
  options: ResolveOptions = {}
): Effect.Effect<ResolvedTarget, TargetConfigError | Config.ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const name = site?.name ?? "default"
    const write = options.write ?? stderr
    const timeoutMs = yield* Config.Int("OPNSENSE_TIMEOUT_MS").pipe(Config.withDefault(10_000))
    // OPNSENSE_RETRIES / OPNSENSE_RETRY_BASE_MS / OPNSENSE_RETRY_MAX_MS: part of the connection,
    // so every way of building a client (CLI, serve, MCP, tests) honours them
    const retry = yield* retryConfig
    const globalUrl = yield* optionalString("OPNSENSE_URL")
    const url = site?.url ?? Option.getOrUndefined(globalUrl)

    if (url === undefined || url === "") {
      yield* refuseSandboxInDeployment(name)
      // the simulator is loaded only when it runs: a command against a real firewall does not pay for it
      const { loadSeedFile, officeBox, startSimulator } = yield* Effect.promise(() => import("./Simulator.ts"))
      // one sandbox file per site in DATA_DIR: consecutive CLI runs see one firewall
      const dataDir = yield* Config.String("DATA_DIR").pipe(Config.withDefault("./data"))
      const stateFile = join(dataDir, "sandbox", `${name}.json`)
      // OPNSENSE_SANDBOX_SEED: a config snapshot (the simulator's seed format) to plan against in CI
      // when no firewall is reachable; otherwise the office box the example desired-state fits
      const seedFile = Option.getOrUndefined(yield* optionalString("OPNSENSE_SANDBOX_SEED"))
      const seed = seedFile === undefined || seedFile === ""
        ? officeBox
        : yield* Effect.try({
          try: () => loadSeedFile(seedFile),
          catch: (cause) =>
            new TargetConfigError({
              message: `site "${name}": OPNSENSE_SANDBOX_SEED=${seedFile} cannot be used: ${
                cause instanceof Error ? cause.message : String(cause)
              }`,
              site: name,
              cause
            })
        })
      const start = options.startSandbox ?? (() => startSimulator({ stateFile, seed }))
      const handle = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: start,
          catch: (cause) =>
            new TargetConfigError({
              message: `site "${name}": the embedded sandbox did not start: ${String(cause)}`,
              site: name,
              cause
            })
        }),
        (h) => Effect.promise(() => h.close())
      )
      write(
        `no OPNSENSE_URL: using the embedded sandbox (simulated OPNsense ${handle.version} at ${handle.url}, ` +
          `state kept in ${stateFile}; ` +
          `nothing touches a real firewall; set OPNSENSE_URL and OPNSENSE_API_KEY/OPNSENSE_API_SECRET to manage one)`
      )
      return { sandbox: true, options: simulatorOptions(handle, { site: name, timeoutMs, retry }) }
    }

    const baseUrl = yield* checkUrl(name, url)
    const keyVar = site?.apiKeyEnv ?? "OPNSENSE_API_KEY"
    const secretVar = site?.apiSecretEnv ?? "OPNSENSE_API_SECRET"
    const apiKey = yield* secret(name, keyVar)
    const apiSecret = yield* secret(name, secretVar)
    if (Option.isNone(apiKey) || Option.isNone(apiSecret)) {
      const missing = [Option.isNone(apiKey) ? keyVar : undefined, Option.isNone(apiSecret) ? secretVar : undefined]
        .filter((v) => v !== undefined)
      return yield* Effect.fail(
        new TargetConfigError({
          message:
            `site "${name}" targets ${baseUrl} but ${missing.join(" and ")} ${
              missing.length > 1 ? "are" : "is"
            } not set: ` +
            `set ${
              missing.map((v) => `${v} (or ${v}_FILE)`).join(" and ")
            } to the API key/secret of an OPNsense user (System > Access > Users > API keys)`,
          site: name
        })
      )
    }
    const caFile = site?.caFile ?? Option.getOrUndefined(yield* optionalString("OPNSENSE_CA_FILE"))
    const caPem = caFile === undefined || caFile === "" ? undefined : yield* readCa(name, caFile)
    const insecure = yield* Config.Boolean("OPNSENSE_INSECURE").pipe(Config.withDefault(false))
    if (insecure && baseUrl.startsWith("https:")) {
      write(
        `WARNING: OPNSENSE_INSECURE=true: TLS certificate verification is OFF for site "${name}" (${baseUrl}). ` +
          `Anyone on the network path can impersonate the firewall and capture the API key. ` +
          `Set OPNSENSE_CA_FILE to the firewall's CA certificate instead.`
      )
      yield* Effect.logWarning(`TLS verification disabled for site "${name}" (OPNSENSE_INSECURE=true)`)
    }
    return {
      sandbox: false,
      options: {
        site: name,
        url: baseUrl,
        apiKey: apiKey.value,
        apiSecret: apiSecret.value,
        caPem,
        insecure,
        timeoutMs,
        retry
      }
    }
  })

/**
 * How the MCP server is configured (the shared variables plus the MCP-only knobs), as a service so tools and
 * transports read one value. Secrets stay Redacted.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `MCP_READ_ONLY` | `true` over HTTP, `false` over stdio | refuse `apply_plan` |
 * | `MCP_AUTH_TOKEN` | — | bearer token for `/mcp` (required when HOST is not loopback); or `MCP_AUTH_TOKEN_FILE` |
 * | `MCP_ALLOWED_HOSTS` | loopback names + HOST | Host header allow-list (DNS rebinding) |
 * | `MCP_ALLOWED_ORIGINS` | loopback origins | Origin header allow-list (browsers) |
 * | `MCP_MAX_BODY_BYTES` | `1048576` | largest accepted POST body |
 * | `MCP_REQUEST_TIMEOUT_MS` | `120000` | longest a request (and a tool call) may run |
 * | `OPNSENSE_MCP_ACTOR` | `mcp-agent` | who the audit log says applied or proposed (shared with the CLI) |
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { defaultAllowedHosts, hostList, loopbackHosts } from "../Http/HostGuard.ts"
import { optionalSecret } from "../Http/SecretConfig.ts"

export type McpTransportKind = "stdio" | "http"

export interface McpSettings {
  readonly transport: McpTransportKind
  /** HOST the server listens on (a non-loopback HOST requires authToken) */
  readonly host: string
  readonly readOnly: boolean
  readonly authToken: Redacted.Redacted<string> | undefined
  /** hostnames (no port) accepted in the Host header */
  readonly allowedHosts: ReadonlyArray<string>
  /** hostnames (no scheme/port) accepted in the Origin header; requests without Origin pass */
  readonly allowedOrigins: ReadonlyArray<string>
  readonly maxBodyBytes: number
  readonly requestTimeoutMs: number
  /** DESIRED_STATE_DIR */
  readonly desiredStateDir: string
  /** DATA_DIR (the MCP audit log lives here) */
  readonly dataDir: string
  readonly actor: string
}

export class McpConfig extends Context.Service<McpConfig, McpSettings>()("opnsense-mcp/McpConfig") {}

export { loopbackHosts }

/** Read the settings for one transport from the environment. */
export const config = (transport: McpTransportKind): Config.Config<McpSettings> =>
  Config.all({
    readOnly: Config.Boolean("MCP_READ_ONLY").pipe(Config.withDefault(transport === "http")),
    authToken: optionalSecret("MCP_AUTH_TOKEN"),
    host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
    allowedHosts: hostList("MCP_ALLOWED_HOSTS"),
    allowedOrigins: hostList("MCP_ALLOWED_ORIGINS"),
    maxBodyBytes: Config.Int("MCP_MAX_BODY_BYTES").pipe(Config.withDefault(1024 * 1024)),
    requestTimeoutMs: Config.Int("MCP_REQUEST_TIMEOUT_MS").pipe(Config.withDefault(120_000)),
    desiredStateDir: Config.String("DESIRED_STATE_DIR").pipe(Config.withDefault("./desired-state")),
    dataDir: Config.String("DATA_DIR").pipe(Config.withDefault("./data")),
    actor: Config.String("OPNSENSE_MCP_ACTOR").pipe(Config.withDefault("mcp-agent"))
  }).pipe(
    Config.map(({ host, ...c }) => ({
      ...c,
      transport,
      host,
      allowedHosts: c.allowedHosts ?? defaultAllowedHosts(host),
      allowedOrigins: c.allowedOrigins ?? loopbackHosts
    }))
  )

export const layer = (settings: McpSettings): Layer.Layer<McpConfig> => Layer.succeed(McpConfig, settings)

export const layerConfig = (transport: McpTransportKind): Layer.Layer<McpConfig, Config.ConfigError> =>
  Layer.effect(McpConfig, Effect.map(config(transport), (s): McpSettings => s))

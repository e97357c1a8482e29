/**
 * Configuration of the ops HTTP server (environment variables in docs/operations.md): listener, tokens, compression and the limits
 * that keep one slow or large request from hurting the others.
 */
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { defaultAllowedHosts, hostList, loopbackHosts } from "./HostGuard.ts"
import { optionalSecret } from "./SecretConfig.ts"

export interface HttpConfig {
  readonly host: string
  readonly port: number
  /** bearer token for /mcp and /api/*; when unset those routes are open (loopback only) */
  readonly mcpAuthToken: Redacted.Redacted<string> | undefined
  /** bearer token for /admin/* and /debug/*; when unset those routes are refused */
  readonly adminToken: Redacted.Redacted<string> | undefined
  /** when set, /metrics needs this bearer token (ADMIN_TOKEN is also accepted) */
  readonly metricsToken: Redacted.Redacted<string> | undefined
  readonly enableCompression: boolean
  /** 1..9 (gzip/deflate); brotli uses the same number clamped to its 0..11 range */
  readonly compressionLevel: number
  /** Host header allow-list for every route (MCP_ALLOWED_HOSTS); IP literals always pass (HostGuard.ts) */
  readonly allowedHosts: ReadonlyArray<string>
  /** Origin header allow-list for every route (MCP_ALLOWED_ORIGINS); requests without Origin pass */
  readonly allowedOrigins: ReadonlyArray<string>
  readonly maxBodyBytes: number
  /** the whole request (headers and body) must have arrived by then, and a non-streaming answer too */
  readonly requestTimeoutMs: number
  /** the request line and headers must have arrived by then (slow-header clients) */
  readonly headersTimeoutMs: number
  /** open connections one client address may hold at once; 0 = no cap */
  readonly maxConnectionsPerClient: number
  /** more secrets to scrub from request URLs besides the tokens above (`serve` adds the firewall's API key and secret) */
  readonly otherSecrets: ReadonlyArray<Redacted.Redacted<string>>
  /** how long a shutdown waits for in-flight requests before closing connections */
  readonly shutdownTimeoutMs: number
  /** how often the readiness result behind /health is refreshed */
  readonly healthIntervalMs: number
}

export const defaults: HttpConfig = {
  host: "127.0.0.1",
  port: 3000,
  mcpAuthToken: undefined,
  adminToken: undefined,
  metricsToken: undefined,
  enableCompression: false,
  compressionLevel: 6,
  allowedHosts: loopbackHosts,
  allowedOrigins: loopbackHosts,
  maxBodyBytes: 1024 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxConnectionsPerClient: 64,
  otherSecrets: [],
  shutdownTimeoutMs: 10_000,
  healthIntervalMs: 10_000
}

export const config: Config.Config<HttpConfig> = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault(defaults.host)),
  allowedHosts: hostList("MCP_ALLOWED_HOSTS"),
  allowedOrigins: hostList("MCP_ALLOWED_ORIGINS"),
  port: Config.Port("PORT").pipe(Config.withDefault(defaults.port)),
  mcpAuthToken: optionalSecret("MCP_AUTH_TOKEN"),
  adminToken: optionalSecret("ADMIN_TOKEN"),
  metricsToken: optionalSecret("METRICS_TOKEN"),
  enableCompression: Config.Boolean("ENABLE_COMPRESSION").pipe(Config.withDefault(defaults.enableCompression)),
  compressionLevel: Config.Int("COMPRESSION_LEVEL").pipe(Config.withDefault(defaults.compressionLevel)),
  maxBodyBytes: Config.Int("HTTP_MAX_BODY_BYTES").pipe(Config.withDefault(defaults.maxBodyBytes)),
  requestTimeoutMs: Config.Int("HTTP_REQUEST_TIMEOUT_MS").pipe(Config.withDefault(defaults.requestTimeoutMs)),
  headersTimeoutMs: Config.Int("HTTP_HEADERS_TIMEOUT_MS").pipe(Config.withDefault(defaults.headersTimeoutMs)),
  maxConnectionsPerClient: Config.Int("HTTP_MAX_CONNECTIONS_PER_CLIENT").pipe(
    Config.withDefault(defaults.maxConnectionsPerClient)
  ),
  shutdownTimeoutMs: Config.Int("HTTP_SHUTDOWN_TIMEOUT_MS").pipe(Config.withDefault(defaults.shutdownTimeoutMs)),
  healthIntervalMs: Config.Int("HEALTH_CHECK_INTERVAL_MS").pipe(Config.withDefault(defaults.healthIntervalMs))
}).pipe(
  Config.map(({ allowedHosts, allowedOrigins, ...c }): HttpConfig => ({
    ...c,
    allowedHosts: allowedHosts ?? defaultAllowedHosts(c.host),
    allowedOrigins: allowedOrigins ?? loopbackHosts,
    otherSecrets: defaults.otherSecrets
  }))
)

/** The server refuses to start: the message says what to change. */
export class HttpConfigError extends Data.TaggedError("HttpConfigError")<{ readonly message: string }> {}

export const isLoopback = (host: string): boolean => {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1")
  return h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1" || /^127(?:\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(?:\.\d{1,3}){3}$/.test(h)
}

/** MCP_AUTH_TOKEN is required when HOST is not loopback; limits must make sense. */
export const validate = (c: HttpConfig): Effect.Effect<HttpConfig, HttpConfigError> => {
  if (!isLoopback(c.host) && c.mcpAuthToken === undefined) {
    return Effect.fail(
      new HttpConfigError({
        message:
          `refusing to listen on ${c.host} without MCP_AUTH_TOKEN: set MCP_AUTH_TOKEN, or HOST=127.0.0.1 to stay on loopback`
      })
    )
  }
  if (c.compressionLevel < 1 || c.compressionLevel > 9) {
    return Effect.fail(new HttpConfigError({ message: `COMPRESSION_LEVEL must be 1..9, got ${c.compressionLevel}` }))
  }
  if (c.maxBodyBytes <= 0 || c.requestTimeoutMs <= 0 || c.headersTimeoutMs <= 0 || c.healthIntervalMs <= 0) {
    return Effect.fail(
      new HttpConfigError({
        message:
          "HTTP_MAX_BODY_BYTES, HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS and HEALTH_CHECK_INTERVAL_MS must be positive"
      })
    )
  }
  if (c.maxConnectionsPerClient < 0) {
    return Effect.fail(
      new HttpConfigError({ message: "HTTP_MAX_CONNECTIONS_PER_CLIENT must be 0 (no cap) or more" })
    )
  }
  return Effect.succeed(c)
}

/**
 * The MCP server: tools, resources and prompts for AI agents, on the official MCP
 * TypeScript SDK, serving protocol revisions 2025-06-18, 2025-11-25 and 2026-07-28 from one
 * definition (2025-era HTTP is served statelessly; 2026-07-28 per request).
 *
 * What the rest of the project calls:
 *
 *   Mcp.layer(transport)     McpConfig + McpAudit + GitOps from the environment (needs nothing)
 *   Mcp.runStdio             serve MCP on stdin/stdout until stdin closes   (`serve --stdio`)
 *   Mcp.makeHttpHandler      Effect<McpHttpHandler, McpStartError, McpServices | Scope>
 *                              .handle(HttpServerRequest) → Effect<HttpServerResponse>   (ops server, /mcp)
 *                              .fetch(Request) → Promise<Response>                      (web-standard)
 *                              .node(IncomingMessage, ServerResponse) → Promise<void>   (plain node:http)
 *   Mcp.makeServerFactory    Effect<() => McpServer, never, McpServices>  (custom transports, tests)
 *
 * McpServices = what Runtime.layer() provides (Reconciler, Store, Firewalls, DesiredState, and
 * optionally CircuitBreaker) plus Mcp.layer(transport). Every HTTP request passes the Host/Origin
 * allow-lists, the bearer token (MCP_AUTH_TOKEN) and the body/time limits of Mcp/HttpGuard.ts, even
 * when the ops server checked the token already. Tools: Mcp/Tools/*; each call gets a span
 * `Mcp.tool.<name>`, a log line and, for write tools, an audit entry (Mcp/Tool.ts).
 */
import { toNodeHandler } from "@modelcontextprotocol/node"
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server"
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { DesiredState } from "./DesiredState.ts"
import * as GitOps from "./GitOps.ts"
import { isLoopback } from "./Http/Config.ts"
import * as Audit from "./Mcp/Audit.ts"
import { McpConfig } from "./Mcp/Config.ts"
import * as McpConfigModule from "./Mcp/Config.ts"
import { hasToken, makeGuard, withTimeLimit } from "./Mcp/HttpGuard.ts"
import { checkRevision, peekJson } from "./Mcp/HttpProtocol.ts"
import * as Prompts from "./Mcp/Prompts.ts"
import * as Resources from "./Mcp/Resources.ts"
import { guardLines } from "./Mcp/StdioGuard.ts"
import { registerTool, type ToolHost } from "./Mcp/Tool.ts"
import * as Apply from "./Mcp/Tools/Apply.ts"
import * as Change from "./Mcp/Tools/Change.ts"
import * as Inspect from "./Mcp/Tools/Inspect.ts"
import * as IntentTools from "./Mcp/Tools/Intents.ts"
import * as PolicyTools from "./Mcp/Tools/Policy.ts"
import type { Firewalls, Reconciler } from "./Reconciler.ts"
import type { Store } from "./Store/Store.ts"
import { VERSION } from "./Version.ts"

export { McpConfig, type McpSettings, type McpTransportKind } from "./Mcp/Config.ts"

/** The protocol revisions this server offers, newest first (the SDK negotiates among them). */
export const PROTOCOL_VERSIONS: ReadonlyArray<string> = ["2026-07-28", "2025-11-25", "2025-06-18"]
/** Those with the per-request envelope (2026-07-28 on): each request's claim is checked on its own */
const MODERN_PROTOCOL_VERSIONS = PROTOCOL_VERSIONS.filter((v) => v >= "2026-07-28")

export const TOOL_NAMES: ReadonlyArray<string> = [
  "opnsense_status",
  "list_live",
  "validate",
  "plan",
  "lint",
  "explain_traffic",
  "check_intents",
  "drift_report",
  "propose_change",
  "apply_plan",
  "import_live",
  "audit_log"
]

export type McpServices = McpConfig | Audit.McpAudit | GitOps.GitOps | Reconciler | Store | Firewalls | DesiredState

/** The server refuses to start; the message says what to change. */
export class McpStartError extends Data.TaggedError("McpStartError")<{ readonly message: string }> {}

const instructions = [
  "opnsense-mcp keeps OPNsense firewalls in the state declared by YAML in git.",
  "Inspect with opnsense_status, list_live (filter and page; never dump thousands of rules), validate, lint, " +
  "explain_traffic, check_intents, drift_report and audit_log.",
  "Change things the GitOps way: propose_change commits a validated edit on a new branch and returns the plan it " +
  "would produce; a person reviews and merges it. Only then plan and apply_plan, which always needs the user's " +
  "confirmation and is refused in read-only mode, for stale plans and for plans with blocked changes."
].join("\n")

/** Build a fresh McpServer with every tool, resource and prompt, running tool Effects in `context`. */
export const makeServerFactory: Effect.Effect<() => McpServer, never, McpServices> = Effect.gen(function*() {
  const context = yield* Effect.context<McpServices>()
  const config = yield* McpConfig
  const audit = yield* Audit.McpAudit
  const host: ToolHost<McpServices> = {
    runExit: (effect, signal) => Effect.runPromiseExitWith(context)(effect, { signal }),
    audit,
    actor: config.actor,
    timeoutMs: config.requestTimeoutMs
  }
  const run = <A, E>(effect: Effect.Effect<A, E, McpServices>): Promise<A> => Effect.runPromiseWith(context)(effect)
  return () => {
    const server = new McpServer(
      { name: "opnsense-mcp", title: "OPNsense GitOps", version: VERSION },
      {
        supportedProtocolVersions: [...PROTOCOL_VERSIONS],
        // logging: logging/setLevel for 2025-era clients, and one notifications/message per tool
        // call at that level (deprecated by 2026-07-28, which points to stderr and OpenTelemetry:
        // both are served too); completions: site names and desired-state paths in resource URIs
        capabilities: { tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} },
        instructions
      }
    )
    registerTool(server, Inspect.status, host)
    registerTool(server, Inspect.listLive, host)
    registerTool(server, Inspect.validate, host)
    registerTool(server, Inspect.plan, host)
    registerTool(server, PolicyTools.lint, host)
    registerTool(server, PolicyTools.explainTraffic, host)
    registerTool(server, IntentTools.checkIntents, host)
    registerTool(server, Inspect.drift, host)
    registerTool(server, Change.proposeChange, host)
    registerTool(server, Apply.apply, host)
    registerTool(server, Change.importLive, host)
    registerTool(server, Inspect.auditLog, host)
    Resources.register(server, { run })
    Prompts.register(server)
    return server
  }
})

/** McpConfig, the MCP audit log and GitOps, from the environment. */
export const layer = (
  transport: McpConfigModule.McpTransportKind
): Layer.Layer<McpConfig | Audit.McpAudit | GitOps.GitOps, Config.ConfigError> =>
  Layer.mergeAll(Audit.layer, GitOps.layerConfig).pipe(Layer.provideMerge(McpConfigModule.layerConfig(transport)))

/** Serve MCP over this process's stdin/stdout until stdin closes. Logs must go to stderr. */
export const runStdio: Effect.Effect<void, never, McpServices> = Effect.gen(function*() {
  const factory = yield* makeServerFactory
  const handle = yield* Effect.acquireRelease(
    Effect.sync(() =>
      serveStdio(factory, {
        // malformed lines and unserved revisions are answered before the SDK sees them (StdioGuard)
        transport: new StdioServerTransport(
          guardLines(process.stdin, MODERN_PROTOCOL_VERSIONS, (reply) => {
            process.stdout.write(`${JSON.stringify(reply)}\n`)
          }),
          process.stdout
        ),
        onerror: (error) => process.stderr.write(`opnsense-mcp: MCP stdio error: ${error.message}\n`)
      })
    ),
    (h) => Effect.promise(() => h.close())
  )
  yield* Effect.callback<void>((resume) => {
    const done = () => resume(Effect.void)
    process.stdin.once("end", done)
    process.stdin.once("close", done)
    return Effect.sync(() => {
      process.stdin.off("end", done)
      process.stdin.off("close", done)
    })
  })
  return handle
}).pipe(Effect.scoped, Effect.asVoid, Effect.withSpan("Mcp.runStdio"))

export interface McpHttpHandler {
  /** for the ops server's /mcp route (POST, GET, DELETE) */
  readonly handle: (
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  /** web-standard face */
  readonly fetch: (request: Request) => Promise<Response>
  /** plain node:http face */
  readonly node: (req: IncomingMessage, res: ServerResponse) => Promise<void>
}

/**
 * The Streamable HTTP handler for /mcp. Fails with McpStartError when HOST is not loopback and
 * MCP_AUTH_TOKEN is unset. Closed with the scope.
 */
export const makeHttpHandler: Effect.Effect<McpHttpHandler, McpStartError, McpServices | Scope.Scope> = Effect.gen(
  function*() {
    const settings = yield* McpConfig
    if (!isLoopback(settings.host) && !hasToken(settings)) {
      return yield* Effect.fail(
        new McpStartError({
          message:
            `refusing to serve /mcp on ${settings.host} without MCP_AUTH_TOKEN: set MCP_AUTH_TOKEN, or HOST=127.0.0.1`
        })
      )
    }
    const factory = yield* makeServerFactory
    const mcp = yield* Effect.acquireRelease(
      Effect.sync(() =>
        createMcpHandler(factory, {
          maxRequestBodySize: settings.maxBodyBytes,
          onerror: (error) => process.stderr.write(`opnsense-mcp: MCP HTTP error: ${error.message}\n`)
        })
      ),
      (h) => Effect.promise(() => h.close())
    )
    const guard = makeGuard(settings)
    const fetch = async (request: Request): Promise<Response> => {
      const refused = guard(request)
      if (refused !== undefined) return refused
      const header = request.headers.get("mcp-protocol-version")
      const wrong = checkRevision(header, await peekJson(request, settings.maxBodyBytes), PROTOCOL_VERSIONS)
      if (wrong !== undefined) return wrong
      return withTimeLimit(settings.requestTimeoutMs, (signal) => mcp.fetch(new Request(request, { signal })))
    }
    const handle = (request: HttpServerRequest.HttpServerRequest) =>
      HttpServerRequest.toWeb(request).pipe(
        Effect.flatMap((web) => Effect.promise(() => fetch(web))),
        Effect.map(HttpServerResponse.fromWeb),
        Effect.exit,
        Effect.map((exit) =>
          Exit.isSuccess(exit)
            ? exit.value
            : HttpServerResponse.jsonUnsafe(
              { jsonrpc: "2.0", error: { code: -32700, message: "could not read the request" }, id: null },
              { status: 400 }
            )
        )
      )
    const nodeHandler = toNodeHandler({ fetch }, { maxRequestBodySize: settings.maxBodyBytes })
    const node = (req: IncomingMessage, res: ServerResponse) =>
      nodeHandler({
        headers: req.headers,
        [Symbol.asyncIterator]: () => req[Symbol.asyncIterator](),
        ...(req.method === undefined ? {} : { method: req.method }),
        ...(req.url === undefined ? {} : { url: req.url })
      }, res)
    return { handle, fetch, node }
  }
)

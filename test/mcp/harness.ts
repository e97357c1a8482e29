/**
 * The test stack for MCP: a simulator over real HTTPS, a temporary git repository holding a copy of
 * the fixture desired state, a DATA_DIR, and the MCP server either in-process behind a real
 * node:http listener (HTTP) or as a child process (`serve --stdio`). Clients are the official
 * @modelcontextprotocol/client.
 */
import { NodeServices } from "@effect/platform-node"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { Effect, Exit, Layer, ManagedRuntime, Redacted, References, Scope, Tracer } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, expect } from "vitest"
import * as GitOps from "../../src/GitOps.ts"
import * as Mcp from "../../src/Mcp.ts"
import * as Audit from "../../src/Mcp/Audit.ts"
import * as McpConfig from "../../src/Mcp/Config.ts"
import type { ReconcileStatus } from "../../src/Reconciler/Loop.ts"
import * as Runtime from "../../src/Runtime.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"

const fixture = path.join(import.meta.dirname, "fixtures", "desired-state")

export const git = (cwd: string, ...args: Array<string>): string =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Reviewer",
      GIT_AUTHOR_EMAIL: "r@example.test",
      GIT_COMMITTER_NAME: "Reviewer",
      GIT_COMMITTER_EMAIL: "r@example.test"
    }
  }).trim()

export interface Stack {
  readonly sim: SimulatorHandle
  readonly root: string
  readonly dir: string
  readonly dataDir: string
  readonly env: Readonly<Record<string, string>>
  readonly close: () => Promise<void>
}

export const startStack = async (options: { readonly scale?: number } = {}): Promise<Stack> => {
  const sim = await startSimulator({
    unmanaged: false,
    ...(options.scale === undefined ? {} : { scale: options.scale })
  })
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-test-"))
  const root = path.join(tmp, "repo")
  const dir = path.join(root, "desired-state")
  fs.mkdirSync(root)
  fs.cpSync(fixture, dir, { recursive: true })
  git(root, "init", "--quiet", "--initial-branch", "main")
  git(root, "add", ".")
  git(root, "commit", "--quiet", "-m", "initial desired state")
  const dataDir = path.join(tmp, "data")
  const env = {
    OPNSENSE_URL: sim.url,
    OPNSENSE_API_KEY: sim.apiKey,
    OPNSENSE_API_SECRET: sim.apiSecret,
    OPNSENSE_CA_FILE: sim.caFile ?? "",
    DESIRED_STATE_DIR: dir,
    DATA_DIR: dataDir,
    LOG_DIR: path.join(tmp, "logs"),
    LOG_LEVEL: "warning",
    GIT_AUTHOR_NAME: "MCP Agent",
    GIT_AUTHOR_EMAIL: "agent@example.test"
  }
  return {
    sim,
    root,
    dir,
    dataDir,
    env,
    close: async () => {
      await sim.close()
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  }
}

export interface HttpServer {
  readonly url: URL
  readonly close: () => Promise<void>
}

/**
 * The MCP HTTP handler in this process, behind a real listener on 127.0.0.1. `loop` stands in for
 * the reconcile loop that `serve` runs beside the server.
 */
export const startHttp = async (
  stack: Stack,
  overrides: Partial<McpConfig.McpSettings> = {},
  tracer?: Tracer.Tracer,
  loop?: Layer.Layer<ReconcileStatus>
): Promise<HttpServer> => {
  Object.assign(process.env, stack.env)
  const settings: McpConfig.McpSettings = {
    transport: "http",
    host: "127.0.0.1",
    readOnly: true,
    authToken: undefined,
    allowedHosts: McpConfig.loopbackHosts,
    allowedOrigins: McpConfig.loopbackHosts,
    maxBodyBytes: 1024 * 1024,
    requestTimeoutMs: 60_000,
    desiredStateDir: stack.dir,
    dataDir: stack.dataDir,
    actor: "test-agent",
    ...overrides
  }
  const services = Layer.mergeAll(
    Runtime.layer({ dir: stack.dir }),
    Layer.mergeAll(Audit.layer, GitOps.layer({ name: "MCP Agent", email: "agent@example.test" })).pipe(
      Layer.provideMerge(McpConfig.layer(settings))
    ),
    Layer.succeed(References.MinimumLogLevel, "Warn"),
    tracer === undefined ? Layer.empty : Layer.succeed(Tracer.Tracer, tracer),
    loop ?? Layer.empty
  ).pipe(Layer.provide(NodeServices.layer))
  const runtime = ManagedRuntime.make(services)
  const scope = await Effect.runPromise(Scope.make())
  const handler = await runtime.runPromise(Scope.provide(Mcp.makeHttpHandler, scope)).catch(async (error: unknown) => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
    throw error
  })
  const server = http.createServer((req, res) => void handler.node(req, res))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
    }
  }
}

export type Era = "legacy" | "modern"

export interface ClientOptions {
  readonly era?: Era
  readonly token?: string
  /** legacy era: the revisions the client offers (first one is asked for) */
  readonly protocolVersions?: ReadonlyArray<string>
  /** answer elicitation requests with this (declares the capability) */
  readonly elicit?: (
    message: string
  ) => {
    readonly action: "accept" | "decline" | "cancel"
    readonly content?: Record<string, string | number | boolean>
  }
}

const newClient = (options: ClientOptions) => {
  const client = new Client(
    { name: "mcp-test", version: "1.0.0" },
    {
      versionNegotiation: { mode: options.era === "modern" ? { pin: "2026-07-28" } : "legacy" },
      capabilities: options.elicit === undefined ? {} : { elicitation: { form: {} } },
      ...(options.protocolVersions === undefined ? {} : { supportedProtocolVersions: [...options.protocolVersions] })
    }
  )
  const elicit = options.elicit
  if (elicit !== undefined) {
    client.setRequestHandler("elicitation/create", async (request) => {
      const answer = elicit(request.params.message)
      return answer.content === undefined
        ? { action: answer.action }
        : { action: answer.action, content: answer.content }
    })
  }
  return client
}

export const connectHttp = async (server: HttpServer, options: ClientOptions = {}): Promise<Client> => {
  const client = newClient(options)
  const headers: Record<string, string> = options.token === undefined
    ? {}
    : { authorization: `Bearer ${options.token}` }
  await client.connect(new StreamableHTTPClientTransport(server.url, { requestInit: { headers } }))
  return client
}

/** `node src/index.ts serve --stdio` as a child process, with the stack's environment. */
export const connectStdio = async (
  stack: Stack,
  options: ClientOptions & { readonly env?: Record<string, string> } = {}
): Promise<Client> => {
  const client = newClient(options)
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [path.join(import.meta.dirname, "..", "..", "src", "index.ts"), "serve", "--stdio"],
      env: { ...env, ...stack.env, ...options.env },
      stderr: "pipe"
    })
  )
  return client
}

export const secret = (value: string) => Redacted.make(value)

/** A tracer that keeps every span it makes, for assertions. */
export const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}

export type ToolResult = Awaited<ReturnType<Client["callTool"]>>

/** The text blocks of a tool result, joined. */
export const resultText = (result: ToolResult): string =>
  (Array.isArray(result.content) ? result.content : [])
    .map((
      c: unknown
    ) => (typeof c === "object" && c !== null && "text" in c && typeof c.text === "string" ? c.text : ""))
    .join("\n")

export const callTool = (client: Client, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) =>
  client.callTool({ name, arguments: args, ...(meta === undefined ? {} : { _meta: meta }) })

/** The structured content of a successful result (the test fails on an error result). */
export const structuredOf = (result: ToolResult): Record<string, unknown> => {
  expect(result.isError, resultText(result)).toBeFalsy()
  const structured: unknown = result.structuredContent
  expect(typeof structured).toBe("object")
  return typeof structured === "object" && structured !== null ? { ...structured } : {}
}

/** Call a tool that must succeed; its structured content. */
export const callOk = async (
  client: Client,
  name: string,
  args: Record<string, unknown>
): Promise<Record<string, unknown>> => structuredOf(await callTool(client, name, args))

export interface HttpStack {
  readonly stack: Stack
  readonly server: HttpServer
  readonly client: Client
}

/**
 * For one test file: a stack, an MCP HTTP server on it and a connected client, built before the
 * file's tests (after `setup`, which may prepare the repository) and closed after them.
 */
export const useHttpStack = (
  options: { readonly readOnly: boolean },
  setup: (stack: Stack) => void = () => undefined
): HttpStack => {
  let current: HttpStack | undefined
  beforeAll(async () => {
    const stack = await startStack()
    setup(stack)
    const server = await startHttp(stack, options)
    current = { stack, server, client: await connectHttp(server) }
  })
  afterAll(async () => {
    await current?.client.close()
    await current?.server.close()
    await current?.stack.close()
  })
  const get = (): HttpStack => {
    if (current === undefined) throw new Error("useHttpStack: the stack exists only inside the file's tests")
    return current
  }
  return {
    get stack() {
      return get().stack
    },
    get server() {
      return get().server
    },
    get client() {
      return get().client
    }
  }
}

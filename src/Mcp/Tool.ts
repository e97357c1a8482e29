/**
 * What every MCP tool shares: its definition (name, title, description, Effect Schemas for input
 * and output, annotations), and one registration path that gives every call a span
 * (`Mcp.tool.<name>`, child of the caller's W3C trace context when it sent one), a time limit, a log
 * line (tool, arguments without secrets, duration, outcome), an audit entry for write tools, and
 * failures as `isError` results whose text says how to fix the call.
 */
import {
  type CallToolResult,
  type InputRequiredResult,
  type McpServer,
  type ServerContext,
  type StandardSchemaWithJSON
} from "@modelcontextprotocol/server"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Headers from "effect/http/Headers"
import * as HttpTraceContext from "effect/http/HttpTraceContext"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import type { DesiredSite, SiteConfig } from "../Domain/Desired.ts"
import { selectSite } from "../Reconciler/Sites.ts"
import { isSecretKey } from "../Telemetry.ts"
import type { McpAuditLog } from "./Audit.ts"
import { describeFailure } from "./Failures.ts"

/**
 * An Effect Schema as the Standard Schema + JSON Schema pair the MCP SDK takes. An `unknown` value
 * (a plan's before/after, a diff's from/to, audit arguments) comes out of Effect as `{}`, which
 * constrains nothing and which the MCP Inspector flags; it is spelled out as "any JSON value".
 */
export const toMcpSchema = <S extends Schema.ConstraintDecoder<unknown>>(schema: S) => {
  const standard = Schema.toStandardJSONSchemaV1(Schema.toStandardSchemaV1(schema))["~standard"]
  const converter = standard.jsonSchema
  return {
    "~standard": {
      ...standard,
      jsonSchema: {
        input: (options: Parameters<typeof converter.input>[0]) => explicitAny(converter.input(options)),
        output: (options: Parameters<typeof converter.output>[0]) => explicitAny(converter.output(options))
      }
    }
  }
}

/** JSON Schema keywords that say something about a value (anything else is annotation). */
const CONSTRAINING = new Set([
  "type",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
  "$ref",
  "properties",
  "items",
  "prefixItems",
  "required",
  "additionalProperties",
  "patternProperties",
  "if"
])
// one `type` per branch: a list under `type` does not carry into single-type dialects (the Inspector's advice)
const ANY_JSON = ["string", "number", "boolean", "null", "array", "object"].map((type) => ({ type }))
/** The sub-schema keywords whose values are schemas, or maps/lists of schemas, to walk into. */
const NESTED = ["properties", "patternProperties", "$defs", "items", "prefixItems", "anyOf", "oneOf", "allOf"]

const isPlain = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const explicitAny = (root: Record<string, unknown>): Record<string, unknown> => {
  const walk = (node: unknown, isSchema: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, isSchema))
    if (!isPlain(node)) return node
    if (!isSchema) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, true)]))
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === "properties" || key === "patternProperties" || key === "$defs"
        ? walk(value, false)
        : NESTED.includes(key) || key === "additionalProperties" || key === "not"
        ? walk(value, true)
        : value
    }
    return Object.keys(out).some((k) => CONSTRAINING.has(k)) ? out : { ...out, anyOf: ANY_JSON }
  }
  const walked = walk(root, true)
  return isPlain(walked) ? walked : root
}

/** A tool call that cannot be done as asked; `message` says how to fix the call. */
export class ToolError extends Data.TaggedError("ToolError")<{
  readonly message: string
  /** "refused" for policy refusals (read-only, blocked, stale, declined), "error" otherwise */
  readonly outcome?: "refused" | "error" | undefined
}> {}

export const refused = (message: string) => new ToolError({ message, outcome: "refused" })

/** The site a call names, or the only one (the reconciler's rule): else a ToolError naming the known sites. */
export const chooseSite = <S extends SiteConfig | DesiredSite>(sites: ReadonlyArray<S>, name: string | undefined) =>
  selectSite(sites, name, undefined, "`site`").pipe(Effect.mapError((e) => new ToolError({ message: e.message })))

export interface Annotations {
  readonly readOnlyHint: boolean
  readonly destructiveHint: boolean
  readonly idempotentHint: boolean
  readonly openWorldHint: boolean
}

/** Per-call facts a tool may need besides its arguments. */
export interface CallContext {
  /** the client can ask its user (form elicitation) */
  readonly canElicit: boolean
  /** answers to an earlier `input_required` round, keyed as the tool asked */
  readonly inputResponses: Record<string, unknown> | undefined
}

export type ToolReply<A> =
  | { readonly _tag: "Done"; readonly structured: A; readonly text: string; readonly detail?: string | undefined }
  | { readonly _tag: "Ask"; readonly result: InputRequiredResult }

export const done = <A>(structured: A, text: string, detail?: string): ToolReply<A> => ({
  _tag: "Done",
  structured,
  text,
  detail
})

export interface ToolDef<In, Out, R> {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly input: Schema.ConstraintDecoder<In>
  readonly output: Schema.ConstraintCodec<Out, unknown, never, never>
  readonly annotations: Annotations
  /** write tools are recorded in the MCP audit log */
  readonly audit: boolean
  readonly run: (input: In, call: CallContext) => Effect.Effect<ToolReply<Out>, unknown, R>
}

/** Identity function that fixes the type parameters of a tool definition. */
export const defineTool = <In, Out, R>(def: ToolDef<In, Out, R>): ToolDef<In, Out, R> => def

export interface ToolHost<R> {
  readonly runExit: <A, E>(effect: Effect.Effect<A, E, R>, signal: AbortSignal) => Promise<Exit.Exit<A, E>>
  readonly audit: McpAuditLog
  readonly actor: string
  readonly timeoutMs: number
}

/** Arguments as they may be logged: secret-looking keys replaced, long strings shortened. */
export const redactArguments = (value: unknown, depth = 0): unknown => {
  if (depth > 6) return "…"
  if (typeof value === "string") return value.length > 500 ? `${value.slice(0, 500)}…` : value
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactArguments(v, depth + 1))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, isSecretKey(k) ? "<redacted>" : redactArguments(v, depth + 1)])
    )
  }
  return value
}

const CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"

/** The caller's span from a W3C `traceparent` in the request `_meta`, or the HTTP header (Effect's decoder). */
const parentSpan = (ctx: ServerContext): Tracer.ExternalSpan | undefined => {
  const fromMeta = ctx.mcpReq._meta?.["traceparent"]
  const raw = typeof fromMeta === "string" ? fromMeta : ctx.http?.req?.headers.get("traceparent") ?? undefined
  return raw === undefined
    ? undefined
    : Option.getOrUndefined(HttpTraceContext.w3c(Headers.fromInput({ traceparent: raw.trim() })))
}

/**
 * Whether the client declared form elicitation: on 2026-07-28 requests from the per-request
 * envelope, on 2025-era connections from `initialize`. Over stateless 2025-era HTTP there is
 * neither, so the answer is no and apply_plan falls back to `confirm` + summary.
 */
const canElicit = (server: McpServer, ctx: ServerContext): boolean => {
  const envelope = ctx.mcpReq.envelope
  if (envelope !== undefined && CLIENT_CAPABILITIES in envelope) {
    const declared = envelope[CLIENT_CAPABILITIES]
    return typeof declared === "object" && declared !== null && "elicitation" in declared
  }
  return server.server.getClientCapabilities()?.elicitation !== undefined
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const errorResult = (text: string): CallToolResult => ({ content: [{ type: "text", text }], isError: true })

/** Register one tool on `server`, running its Effect through `host`. */
export const registerTool = <In, Out, R>(server: McpServer, def: ToolDef<In, Out, R>, host: ToolHost<R>): void => {
  const decodeInput = Schema.decodeUnknownEffect(def.input)
  const encodeOutput = Schema.encodeUnknownEffect(def.output)
  // typed loosely for the SDK (which validates against it first); decoded again, typed, below
  const inputSchema: StandardSchemaWithJSON = toMcpSchema(def.input)
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema,
      outputSchema: toMcpSchema(def.output),
      annotations: { title: def.title, ...def.annotations }
    },
    async (args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const started = Date.now()
      const call: CallContext = { canElicit: canElicit(server, ctx), inputResponses: ctx.mcpReq.inputResponses }
      const parent = parentSpan(ctx)
      // the call's own span, so its log line and audit entry carry this call's trace, not the session's
      let callSpan: Tracer.AnySpan | undefined
      const program = Effect.currentSpan.pipe(
        Effect.tap((span) => Effect.sync(() => (callSpan = span))),
        Effect.ignore,
        Effect.andThen(decodeInput(args)),
        Effect.mapError((e) => new ToolError({ message: `invalid arguments: ${e.message}` })),
        Effect.flatMap((input) => def.run(input, call)),
        Effect.flatMap((reply): Effect.Effect<ToolReply<unknown>, Schema.SchemaError> =>
          reply._tag === "Ask"
            ? Effect.succeed(reply)
            : Effect.map(encodeOutput(reply.structured), (encoded) => done(encoded, reply.text, reply.detail))
        ),
        Effect.timeoutOrElse({
          duration: host.timeoutMs,
          orElse: () =>
            Effect.fail(
              new ToolError({
                message: `${def.name} took longer than ${host.timeoutMs} ms and was stopped; ` +
                  "narrow the request (a site, a kind, a smaller limit) or retry later"
              })
            )
        }),
        Effect.withSpan(`Mcp.tool.${def.name}`, {
          kind: "server",
          attributes: { "mcp.tool": def.name, "mcp.request.id": String(ctx.mcpReq.id) },
          // a call without the caller's trace context starts its own trace, not a child of the session's
          ...(parent === undefined ? { root: true } : { parent })
        })
      )
      const exit = await host.runExit(program, ctx.mcpReq.signal)
      const durationMs = Date.now() - started
      const logged = redactArguments(args)

      let result: CallToolResult | InputRequiredResult
      let outcome: "ok" | "error" | "refused" | "input-required"
      let detail: string
      if (Exit.isSuccess(exit)) {
        const reply = exit.value
        if (reply._tag === "Ask") {
          result = reply.result
          outcome = "input-required"
          detail = "asked the user for confirmation"
        } else {
          result = {
            content: [{ type: "text", text: reply.text }],
            ...(isRecord(reply.structured) ? { structuredContent: reply.structured } : {})
          }
          outcome = "ok"
          detail = reply.detail ?? reply.text.split("\n")[0] ?? ""
        }
      } else {
        const failure = Cause.findErrorOption(exit.cause)
        if (failure._tag === "Some") {
          const error = failure.value
          detail = error instanceof ToolError ? error.message : describeFailure(error)
          outcome = error instanceof ToolError && error.outcome === "refused" ? "refused" : "error"
        } else {
          detail = `internal error in ${def.name}; the server log has the details. Retry, or report it.`
          outcome = "error"
        }
        result = errorResult(detail)
      }

      const level = outcome === "error" ? Effect.logWarning : Effect.logInfo
      const side = Effect.gen(function*() {
        if (!Exit.isSuccess(exit) && Cause.findErrorOption(exit.cause)._tag === "None") {
          yield* Effect.logError(`MCP tool ${def.name} crashed`, exit.cause)
        }
        yield* level("mcp tool call").pipe(
          Effect.annotateLogs({ tool: def.name, arguments: logged, durationMs, outcome, detail })
        )
        if (def.audit && outcome !== "input-required") {
          yield* host.audit.append({
            at: new Date(started).toISOString(),
            actor: host.actor,
            tool: def.name,
            arguments: logged,
            outcome,
            detail,
            durationMs
          })
        }
      })
      await host.runExit(
        callSpan === undefined ? side : Effect.withParentSpan(side, callSpan),
        new AbortController().signal
      )
      // the same line for the client, at the level it chose with logging/setLevel (the SDK filters)
      await server.sendLoggingMessage(
        {
          level: outcome === "error" ? "warning" : "info",
          logger: "opnsense-mcp",
          data: { tool: def.name, outcome, durationMs, detail }
        },
        ctx.sessionId
      ).catch(() => undefined)
      return result
    }
  )
}

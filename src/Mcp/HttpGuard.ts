/**
 * The checks in front of MCP over HTTP, on web-standard Request/Response so they hold whoever
 * mounts the handler (the ops server, a test's plain node:http server):
 *
 * - Host and Origin must pass the allow-list of Http/HostGuard.ts (DNS rebinding), the same one
 *   the ops server applies to every route;
 * - the bearer token (MCP_AUTH_TOKEN), compared in constant time over SHA-256 digests;
 * - a declared body larger than the limit is refused before it is read (413);
 * - a request that produces no response within the time limit is answered 504.
 *
 * Refusals are JSON-RPC error bodies with a message that says what to change.
 */
import * as Redacted from "effect/Redacted"
import * as Auth from "../Http/Auth.ts"
import { makeHostCheck } from "../Http/HostGuard.ts"
import type { McpSettings } from "./Config.ts"

const refusal = (status: number, message: string, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }), {
    status,
    headers: { "content-type": "application/json", ...headers }
  })

export type Guard = (request: Request) => Response | undefined

export const makeGuard = (settings: McpSettings): Guard => {
  const token = settings.authToken === undefined ? undefined : Auth.token(settings.authToken)
  const hostCheck = makeHostCheck({ hosts: settings.allowedHosts, origins: settings.allowedOrigins })
  return (request) => {
    const refused = hostCheck(request.headers.get("host") ?? undefined, request.headers.get("origin") ?? undefined)
    if (refused !== undefined) return refusal(403, refused.message)
    if (token !== undefined) {
      const presented = Auth.bearerOf(request.headers.get("authorization") ?? undefined)
      if (presented === undefined) {
        return refusal(401, "missing bearer token: send \"Authorization: Bearer <MCP_AUTH_TOKEN>\"", {
          "www-authenticate": "Bearer realm=\"opnsense-mcp\""
        })
      }
      if (!token.matches(presented)) {
        return refusal(401, "wrong bearer token: send the server's MCP_AUTH_TOKEN", {
          "www-authenticate": "Bearer realm=\"opnsense-mcp\", error=\"invalid_token\""
        })
      }
    }
    const length = Number(request.headers.get("content-length") ?? "0")
    if (Number.isFinite(length) && length > settings.maxBodyBytes) {
      return refusal(
        413,
        `request body of ${length} bytes is over the ${settings.maxBodyBytes}-byte limit (MCP_MAX_BODY_BYTES)`
      )
    }
    return undefined
  }
}

/** Answer 504 when `produce` has not produced a response within `ms`. */
export const withTimeLimit = async (
  ms: number,
  produce: (signal: AbortSignal) => Promise<Response>
): Promise<Response> => {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<Response>((resolve) => {
    timer = setTimeout(() => {
      controller.abort()
      resolve(refusal(504, `the request took longer than ${ms} ms (MCP_REQUEST_TIMEOUT_MS) and was stopped`))
    }, ms)
  })
  try {
    return await Promise.race([produce(controller.signal), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Whether a token is configured at all (the server refuses a non-loopback HOST without one). */
export const hasToken = (settings: McpSettings): boolean =>
  settings.authToken !== undefined && Redacted.value(settings.authToken).length > 0

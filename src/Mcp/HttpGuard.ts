/**
 * The checks in front of MCP over HTTP, on web-standard Request/Response so they hold whoever
 * mounts the handler (the ops server, a test's plain node:http server):
 *
 * - Host must be an allowed hostname (DNS rebinding: a page on evil.example resolving to 127.0.0.1);
 * - Origin, when a browser sends one, must be allowed;
 * - the bearer token (MCP_AUTH_TOKEN), compared in constant time over SHA-256 digests;
 * - a declared body larger than the limit is refused before it is read (413);
 * - a request that produces no response within the time limit is answered 504.
 *
 * Refusals are JSON-RPC error bodies with a message that says what to change.
 */
import { Redacted } from "effect"
import * as Auth from "../Http/Auth.ts"
import type { McpSettings } from "./Config.ts"

const refusal = (status: number, message: string, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }), {
    status,
    headers: { "content-type": "application/json", ...headers }
  })

/** "Host: example:3000" → "example"; "[::1]:3000" → "[::1]" */
export const hostnameOf = (host: string): string => {
  const trimmed = host.trim().toLowerCase()
  if (trimmed.startsWith("[")) return trimmed.slice(0, trimmed.indexOf("]") + 1)
  return trimmed.replace(/:\d+$/, "")
}

const originHostname = (origin: string): string | undefined => {
  try {
    const url = new URL(origin)
    return url.hostname.toLowerCase()
  } catch {
    return undefined
  }
}

export type Guard = (request: Request) => Response | undefined

export const makeGuard = (settings: McpSettings): Guard => {
  const token = settings.authToken === undefined ? undefined : Auth.token(settings.authToken)
  const hosts = new Set(settings.allowedHosts.map(hostnameOf))
  const origins = new Set(settings.allowedOrigins.map(hostnameOf))
  return (request) => {
    const host = request.headers.get("host")
    if (host === null || !hosts.has(hostnameOf(host))) {
      return refusal(403, `Host "${host ?? ""}" is not allowed for /mcp; add it to MCP_ALLOWED_HOSTS on the server`)
    }
    const origin = request.headers.get("origin")
    if (origin !== null) {
      const name = originHostname(origin)
      if (name === undefined || !origins.has(hostnameOf(name))) {
        return refusal(
          403,
          `Origin "${origin}" is not allowed for /mcp; add its hostname to MCP_ALLOWED_ORIGINS on the server`
        )
      }
    }
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

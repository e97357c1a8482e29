/**
 * The node:http server under the ops app, with the limits that keep slow or greedy clients from
 * holding the server:
 *
 * - headers must arrive within HTTP_HEADERS_TIMEOUT_MS (10 s) and the whole request, body included,
 *   within HTTP_REQUEST_TIMEOUT_MS (30 s); node answers 408 and closes otherwise. Node checks these
 *   deadlines every `connectionsCheckingInterval` (30 s by default, which let a header drip live
 *   ~26 s and a slow /mcp body 54 s), so the interval here is a fraction of the shorter limit;
 * - one client address holds at most HTTP_MAX_CONNECTIONS_PER_CLIENT (64) connections at once; the
 *   next one is answered 503 and closed. Loopback clients share one address (a local reverse proxy,
 *   a load test): raise the cap, or set 0 to turn it off, when that is the deployment.
 *
 * The URL of every request is scrubbed of credentials (Scrub.ts) before the app sees it: this
 * listener is registered before the app's, and node calls "request" listeners in order.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { Socket } from "node:net"

export interface ListenerLimits {
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly maxConnectionsPerClient: number
  readonly keepAliveTimeoutMs?: number
}

const tooMany = (cap: number): string => {
  const body = JSON.stringify({
    error: "TooManyConnections",
    message:
      `this client address already holds ${cap} connections (HTTP_MAX_CONNECTIONS_PER_CLIENT); reuse connections or raise the cap`
  })
  return `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${
    Buffer.byteLength(body)
  }\r\nretry-after: 1\r\nconnection: close\r\n\r\n${body}`
}

/** Count connections per remote address and refuse those over the cap. */
const capConnections = (server: Server, cap: number): void => {
  if (cap <= 0) return
  const open = new Map<string, number>()
  const refusal = tooMany(cap)
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown"
    const count = (open.get(address) ?? 0) + 1
    open.set(address, count)
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1
      if (left <= 0) open.delete(address)
      else open.set(address, left)
    })
    if (count > cap) {
      // destroyed at once, so node never parses a request from it; the short answer is written
      // synchronously by libuv when the socket buffer has room, which a fresh socket's has
      socket.write(refusal)
      socket.destroy()
    }
  })
}

export const makeListener = (limits: ListenerLimits, scrub: (url: string) => string): Server => {
  // node refuses headersTimeout > requestTimeout
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 4))),
    keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000
  })
  server.on("request", (request: IncomingMessage) => {
    if (request.url !== undefined) request.url = scrub(request.url)
  })
  capConnections(server, limits.maxConnectionsPerClient)
  return server
}

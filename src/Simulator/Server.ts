/**
 * The HTTP(S) front of the simulator, in the order OPNsense runs things:
 * faults → route (404 before auth) → authenticate (401) → ACL (403) → body parse (400) → action.
 * Built on node:http(s) directly so faults can drop or hang a socket.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { Socket } from "node:net"
import { allowed } from "./Acl.ts"
import type { Faults } from "./Faults.ts"
import type { RequestLog } from "./RequestLog.ts"
import type { Ctx, Request, Router } from "./Router.ts"
import type { ApiKey, SimulatorState } from "./State.ts"
import { Fail, isRecord, json, JSON_CONTENT_TYPE, phpJson, type Reply, unexpected } from "./Wire.ts"

export interface ServerDeps {
  readonly state: SimulatorState
  readonly router: Router
  readonly faults: Faults
  readonly log: RequestLog
  readonly tls: { readonly cert: string; readonly key: string } | undefined
  /** called after every POST answered 2xx (the embedded sandbox persists its state here when it changed) */
  readonly afterWrite?: (() => void) | undefined
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

/** `a[b][c]=v` form fields into nested objects, as PHP does. */
const parseForm = (text: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, "").split("[")
    let cur: Record<string, unknown> = out
    path.forEach((p, i) => {
      if (i === path.length - 1) cur[p] = value
      else {
        const next = cur[p]
        if (isRecord(next)) cur = next
        else {
          const created: Record<string, unknown> = {}
          cur[p] = created
          cur = created
        }
      }
    })
  }
  return out
}

type Parsed = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false }

/** §3.1: JSON (empty body → 400, invalid → {}), form-encoded, or ignored. */
const parseBody = (contentType: string | undefined, raw: Buffer): Parsed => {
  const ct = (contentType ?? "").toLowerCase().replace(/\s/g, "")
  if (ct === "application/json" || ct === "application/json;charset=utf-8") {
    if (raw.length === 0) return { ok: false }
    try {
      const parsed: unknown = JSON.parse(raw.toString("utf8"))
      return { ok: true, body: isRecord(parsed) ? parsed : {} }
    } catch {
      return { ok: true, body: {} }
    }
  }
  if (ct === "application/x-www-form-urlencoded" || ct === "application/x-www-form-urlencoded;charset=utf-8") {
    return { ok: true, body: parseForm(raw.toString("utf8")) }
  }
  return { ok: true, body: {} }
}

const authenticate = (state: SimulatorState, faults: Faults, header: string): ApiKey | undefined => {
  const space = header.indexOf(" ")
  if (space < 0) return undefined
  const decoded = Buffer.from(header.slice(space + 1), "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0 || faults.wrongCredentials) return undefined
  const key = decoded.slice(0, colon)
  const secret = decoded.slice(colon + 1)
  const found = state.apiKeys.find((k) => k.key === key)
  return found !== undefined && found.secret === secret && found.disabled !== true ? found : undefined
}

const send = (res: ServerResponse, reply: Reply): void => {
  const body = reply.contentType === undefined
    ? phpJson(reply.body)
    : Buffer.isBuffer(reply.body)
    ? reply.body
    : String(reply.body)
  res.writeHead(reply.status, {
    "Content-Type": reply.contentType ?? JSON_CONTENT_TYPE,
    "Content-Length": Buffer.byteLength(body),
    ...reply.headers
  })
  res.end(body)
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export interface RunningServer {
  readonly server: Server
  readonly port: number
  close(): Promise<void>
}

export const startServer = async (deps: ServerDeps, host: string, port: number): Promise<RunningServer> => {
  const { state, router, faults, log } = deps
  const sockets = new Set<Socket>()

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now()
    const method = req.method ?? "GET"
    const url = new URL(req.url ?? "/", "http://simulator")
    const uri = url.pathname
    const segments = uri.split("/").filter((s) => s !== "")
    const resolved = segments[0] === "api" ? router.resolve(segments.slice(1), state.v) : undefined
    const endpoint = resolved?.endpoint ?? uri
    const raw = await readBody(req)
    const record = (status: number, fault?: string) =>
      log.record({
        method,
        path: uri,
        endpoint,
        status,
        ms: performance.now() - started,
        ...(fault === undefined ? {} : { fault })
      })

    const fault = faults.take(endpoint, uri)
    if (fault?.kind === "hang") {
      record(0, "hang")
      return
    }
    if (fault?.kind === "drop") {
      record(0, "drop")
      req.socket.destroy()
      return
    }
    const latency = faults.latencyMs
    if (latency > 0) await sleep(latency)
    if (fault?.kind === "fail") {
      const reply: Reply = typeof fault.body === "string"
        ? { status: fault.status, body: fault.body, contentType: "text/plain" }
        : json(fault.body ?? { errorMessage: "Unexpected error, check log for details" }, fault.status)
      send(res, reply)
      record(fault.status, "fail")
      return
    }

    const reply = ((): Reply => {
      if (resolved === undefined) return json({ errorMessage: "Endpoint not found" }, 404)
      const authorization = req.headers.authorization
      if (authorization === undefined) {
        return { status: 401, body: "", contentType: "text/html", headers: { Location: `/?url=${uri}` } }
      }
      const key = authenticate(state, faults, authorization)
      if (key === undefined) return json({ status: 401, message: "Authentication Failed" }, 401)
      if (!allowed(key, uri)) return json({ status: 403, message: "Forbidden" }, 403)
      const parsed = parseBody(req.headers["content-type"], raw)
      if (!parsed.ok) return json({ status: 400, message: "Invalid JSON syntax" }, 400)
      const request: Request = {
        method,
        uri,
        params: resolved.params,
        query: url.searchParams,
        body: parsed.body,
        isPost: method === "POST",
        isGet: method === "GET",
        key,
        username: `${key.user}@${req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1"}`
      }
      const ctx: Ctx = {
        state,
        v: state.v,
        memo: new Map(),
        save: (r) => {
          if (r.key.readonly === true) {
            throw new Fail(
              json({
                errorMessage: `User ${r.key.user} denied for write access (user-config-readonly set)`,
                errorTitle: "General access"
              }, 500)
            )
          }
          state.commit(`${r.uri} made changes`, r.username)
        }
      }
      try {
        return resolved.action.handle(request, ctx)
      } catch (e) {
        if (e instanceof Fail) return e.reply
        return unexpected().reply
      }
    })()
    if (method === "POST" && reply.status >= 200 && reply.status < 300) deps.afterWrite?.()
    send(res, reply)
    record(reply.status)
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, unexpected().reply)
    })
  }
  const server = deps.tls === undefined
    ? createHttpServer(listener)
    : createHttpsServer({ cert: deps.tls.cert, key: deps.tls.key, minVersion: "TLSv1.2" }, listener)
  // lighttpd keeps connections alive for 30 s idle
  server.keepAliveTimeout = 30_000
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  const boundPort = typeof address === "object" && address !== null ? address.port : port
  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
        server.closeAllConnections()
      })
  }
}

/**
 * The attack surface of the ops server as an outsider sees it: DNS rebinding (Host/Origin on every
 * route), credentials in URLs reaching spans and logs, slow clients and connection hogs. Limits are
 * configured short so the tests take milliseconds, not the production 10 s / 30 s.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { HttpServerResponse } from "effect/http"
import { request as httpRequest } from "node:http"
import { connect, type Socket } from "node:net"
import { spanRecorder } from "../support/spans.ts"
import { accessEntries, fakePorts, newState, start, testConfig } from "./fixtures.ts"

const mcp = Redacted.make("mcp-secret-token-0123")
const admin = Redacted.make("admin-secret-token-4567")

/** node:http (fetch will not send a Host of our choosing) */
const get = (base: string, path: string, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}${path}`, { headers }, (res) => {
        let body = ""
        res.on("data", (c: Buffer) => (body += c.toString()))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on("error", reject)
      req.end()
    })
  )

const portOf = (url: string) => Number(new URL(url).port)

/** A raw socket and what it received until it closed. */
const open = (port: number) =>
  new Promise<{ socket: Socket; received: () => string; closed: Promise<number> }>((resolve, reject) => {
    const started = Date.now()
    let received = ""
    const socket = connect(port, "127.0.0.1")
    socket.on("data", (c: Buffer) => (received += c.toString()))
    socket.on("error", () => undefined)
    const closed = new Promise<number>((done) => socket.once("close", () => done(Date.now() - started)))
    socket.once("connect", () => resolve({ socket, received: () => received, closed }))
    socket.once("error", reject)
  })

/** Write `chunks` one every `everyMs` until the socket closes or the chunks run out. */
const drip = async (socket: Socket, chunks: ReadonlyArray<string>, everyMs: number) => {
  for (const chunk of chunks) {
    if (socket.destroyed || socket.writableEnded) return
    socket.write(chunk)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

describe("ops server surface", () => {
  it.live("refuses a foreign Host or Origin on every route, health included (DNS rebinding)", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig(), fakePorts(newState()))
      const port = portOf(server.url)
      yield* server.health.refresh
      for (const path of ["/api/rules", "/api/plan", "/metrics", "/version", "/health", "/nope"]) {
        const rebound = yield* get(server.url, path, { host: `evil.example:${port}` })
        assert.strictEqual(rebound.status, 403, `${path} with Host evil.example`)
        assert.match(rebound.body, /HostNotAllowed.*MCP_ALLOWED_HOSTS/)
        const origin = yield* get(server.url, path, { origin: "http://evil.example" })
        assert.strictEqual(origin.status, 403, `${path} with Origin evil.example`)
        assert.match(origin.body, /OriginNotAllowed.*MCP_ALLOWED_ORIGINS/)
      }
      // probes: loopback names, and an address (a pod IP) since rebinding needs a name
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `10.1.2.3:${port}`]) {
        assert.strictEqual((yield* get(server.url, "/health", { host })).status, 200, host)
      }
      assert.strictEqual((yield* get(server.url, "/api/rules", { origin: `http://localhost:${port}` })).status, 200)

      const named = yield* start(testConfig({ allowedHosts: ["ops.example"] }), fakePorts(newState()))
      assert.strictEqual((yield* get(named.url, "/version", { host: "ops.example" })).status, 200)
      assert.strictEqual((yield* get(named.url, "/version", { host: "localhost" })).status, 403)
    }))

  it.live("scrubs credentials from request URLs in spans and access log, by name and by value", () => {
    const { recording, spans } = spanRecorder()
    return Effect.gen(function*() {
      const server = yield* start(
        testConfig({ mcpAuthToken: mcp, adminToken: admin, otherSecrets: [Redacted.make("opnsense-api-secret-89")] }),
        fakePorts(newState())
      )
      const leaked = [
        "access_token=hunter2-not-configured",
        `q=${Redacted.value(admin)}`,
        "api_key=k-123",
        "x=opnsense-api-secret-89",
        `p=${encodeURIComponent(Redacted.value(mcp))}`
      ].join("&")
      const answer = yield* get(server.url, `/api/rules?site=default&${leaked}`, {
        authorization: `Bearer ${Redacted.value(mcp)}`
      })
      // the route still reads its own parameters
      assert.strictEqual(answer.status, 200)
      yield* get(server.url, `/no/${Redacted.value(admin)}/here?code=abc123`)
      const recorded = JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))
      const logged = JSON.stringify(accessEntries)
      for (const secret of ["hunter2", Redacted.value(admin), Redacted.value(mcp), "k-123", "opnsense-api-secret"]) {
        assert.notInclude(recorded, secret)
        assert.notInclude(logged, secret)
      }
      assert.notInclude(recorded, "abc123")
      const api = spans.find((s) => s.attributes.get("url.path") === "/api/rules")
      assert.match(String(api?.attributes.get("url.query")), /^site=default&access_token=REDACTED&q=REDACTED/)
      assert.match(String(api?.attributes.get("url.full")), /api_key=REDACTED&x=REDACTED&p=REDACTED$/)
    }).pipe(Effect.withTracer(recording))
  })

  it.live("closes a connection whose headers drip in slower than the headers limit", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig({ headersTimeoutMs: 300, requestTimeoutMs: 600 }), fakePorts(newState()))
      const client = yield* Effect.promise(() => open(portOf(server.url)))
      const headers = [
        "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        ...Array.from({ length: 60 }, (_, i) => `x-${i}: y\r\n`)
      ]
      void drip(client.socket, headers, 50)
      const closedAfter = yield* Effect.promise(() => client.closed)
      assert.isBelow(closedAfter, 1_500)
      assert.match(client.received(), /^HTTP\/1\.1 408/)
    }))

  it.live("closes a connection whose /mcp body drips in slower than the request limit", () =>
    Effect.gen(function*() {
      let bodyRead = false
      const ports = {
        ...fakePorts(newState()),
        // like the real MCP transport: streaming (no app time limit), reads the whole body
        mcp: (request: Parameters<NonNullable<ReturnType<typeof fakePorts>["mcp"]>>[0]) =>
          request.text.pipe(
            Effect.map((text) => {
              bodyRead = true
              return HttpServerResponse.text(text)
            }),
            Effect.orElseSucceed(() => HttpServerResponse.empty({ status: 400 }))
          )
      }
      const server = yield* start(testConfig({ headersTimeoutMs: 300, requestTimeoutMs: 600 }), ports)
      const client = yield* Effect.promise(() => open(portOf(server.url)))
      client.socket.write(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n"
      )
      void drip(client.socket, Array.from({ length: 100 }, () => "x"), 50)
      const closedAfter = yield* Effect.promise(() => client.closed)
      assert.isBelow(closedAfter, 2_000)
      assert.isFalse(bodyRead)
    }))

  it.live("caps the open connections of one client address", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig({ maxConnectionsPerClient: 3 }), fakePorts(newState()))
      const port = portOf(server.url)
      const held = yield* Effect.promise(() => Promise.all([open(port), open(port), open(port)]))
      const fourth = yield* Effect.promise(() => open(port))
      yield* Effect.promise(() => fourth.closed)
      assert.match(fourth.received(), /^HTTP\/1\.1 503[\s\S]*TooManyConnections[\s\S]*HTTP_MAX_CONNECTIONS_PER_CLIENT/)
      // the held ones still work, and a freed slot is usable again
      const first = held[0]!
      first.socket.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\n\r\n")
      yield* Effect.promise(() => first.closed)
      assert.match(first.received(), /^HTTP\/1\.1 200/)
      const again = yield* Effect.promise(() => open(port))
      again.socket.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\n\r\n")
      yield* Effect.promise(() => again.closed)
      assert.match(again.received(), /^HTTP\/1\.1 200/)
      for (const c of held) c.socket.destroy()
    }))
})

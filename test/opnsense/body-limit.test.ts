/**
 * A firewall (or whatever answers at its address) that claims or sends an enormous body gets a
 * clear TransportError, not an allocation of what it claims or a crash of the process.
 */
import { Effect, Exit, Redacted } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeTransport, MAX_BODY_BYTES } from "../../src/Opnsense/Http.ts"

let server: Server
let url = ""

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.endsWith("/claims-huge") === true) {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(MAX_BODY_BYTES + 1) })
      res.write("{")
      return
    }
    res.writeHead(200, { "Content-Type": "application/json" })
    res.end("{\"status\":\"ok\"}")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => {
  server.closeAllConnections()
  server.close()
})

const request = (path: string) =>
  Effect.runPromiseExit(Effect.scoped(Effect.gen(function*() {
    const transport = yield* makeTransport({
      site: "t",
      url,
      apiKey: Redacted.make("k"),
      apiSecret: Redacted.make("s"),
      timeoutMs: 5_000
    })
    return yield* transport.request("GET", path)
  })))

describe("response size limit", () => {
  it("refuses a body whose Content-Length is past the limit, before reading it", async () => {
    const exit = await request("core/claims-huge")
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("larger than 256 MB")
  })

  it("reads an ordinary body, with or without a Content-Length", async () => {
    const exit = await request("core/small")
    expect(Exit.isSuccess(exit) ? exit.value.body : "").toBe("{\"status\":\"ok\"}")
  })
})

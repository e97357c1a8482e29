/**
 * GET /api/rules|vlans|aliases: the cached body with its ETag (304 for a caller that has it),
 * paging with ?limit=&cursor=, and compressed answers made once per snapshot that decode to the
 * same JSON.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { request as httpRequest } from "node:http"
import { brotliDecompressSync, gunzipSync } from "node:zlib"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import type { Ports } from "../../src/Http/Ports.ts"
import { TransportError } from "../../src/Opnsense/Errors.ts"
import { call, fakePorts, newState, snapshot, start, testConfig } from "./fixtures.ts"

const admin = Redacted.make("admin-secret-token")

/** Ports whose firewall answers with whatever snapshot the test sets, after `delay`; counts reads. */
const switchable = (first: LiveSnapshot, delay: Duration.Input = 0) => {
  const current: { snapshot: LiveSnapshot; reads: number; fail: boolean } = { snapshot: first, reads: 0, fail: false }
  const base = fakePorts(newState())
  const read = Effect.suspend(() => {
    current.reads++
    return current.fail
      ? Effect.fail(
        new TransportError({ site: "default", endpoint: "firewall/filter/search_rule", message: "connection refused" })
      )
      : Effect.succeed(current.snapshot)
  }).pipe(Effect.delay(delay))
  const ports: Ports = {
    ...base,
    sites: base.sites.map((site) => ({ ...site, opnsense: { ...site.opnsense, snapshot: () => read } }))
  }
  return { ports, current }
}

/** The raw answer, undecoded (fetch would undo the content coding). */
const raw = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    new Promise<{ status: number; headers: Record<string, string | Array<string> | undefined>; body: Buffer }>(
      (resolve, reject) => {
        const req = httpRequest(url, { headers }, (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (chunk: Buffer) => chunks.push(chunk))
          res.on(
            "end",
            () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
          )
        })
        req.on("error", reject)
        req.end()
      }
    )
  )

const names = (body: Record<string, unknown>) => (body["items"] as Array<{ uuid: string }>).map((i) => i.uuid)

describe("GET /api/{rules,vlans,aliases}", () => {
  it.live("answers the whole listing with an ETag, and 304 to a caller that has it", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig(), fakePorts(newState()))
      const first = yield* call(`${server.url}/api/rules`)
      assert.strictEqual(first.status, 200)
      assert.deepStrictEqual(Object.keys(first.json()), [
        "site",
        "kind",
        "fetchedAt",
        "stale",
        "firewallVersion",
        "count",
        "items"
      ])
      assert.deepStrictEqual(names(first.json()), ["r0", "r1", "r2"])
      const etag = first.headers.get("etag") ?? ""
      assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/)
      const again = yield* call(`${server.url}/api/rules`, { headers: { "if-none-match": etag } })
      assert.strictEqual(again.status, 304)
      assert.strictEqual(again.body, "")
      assert.strictEqual(again.headers.get("etag"), etag)
      // a list, a weak form and * also match; another tag does not
      assert.strictEqual(
        (yield* call(`${server.url}/api/rules`, { headers: { "if-none-match": `"x", W/${etag}` } })).status,
        304
      )
      assert.strictEqual((yield* call(`${server.url}/api/rules`, { headers: { "if-none-match": "*" } })).status, 304)
      const other = yield* call(`${server.url}/api/rules`, { headers: { "if-none-match": "\"other\"" } })
      assert.strictEqual(other.status, 200)
      assert.strictEqual(other.body, first.body)
      // each kind has its own body and tag
      const vlans = yield* call(`${server.url}/api/vlans`, { headers: { "if-none-match": etag } })
      assert.strictEqual(vlans.status, 200)
      assert.notStrictEqual(vlans.headers.get("etag"), etag)
    }))

  it.live("changes the ETag when the snapshot's content changes", () =>
    Effect.gen(function*() {
      const { current, ports } = switchable(snapshot("default", 3))
      const server = yield* start(testConfig({ adminToken: admin }), ports)
      const before = (yield* call(`${server.url}/api/rules`)).headers.get("etag") ?? ""
      current.snapshot = snapshot("default", 4)
      yield* call(`${server.url}/admin/cache/clear`, {
        method: "POST",
        headers: { authorization: `Bearer ${Redacted.value(admin)}` }
      })
      const after = yield* call(`${server.url}/api/rules`, { headers: { "if-none-match": before } })
      assert.strictEqual(after.status, 200)
      assert.strictEqual(after.json()["count"], 4)
      assert.notStrictEqual(after.headers.get("etag"), before)
    }))

  it.live("a kind the key may not read answers its PermissionError (502), not an empty list", () =>
    Effect.gen(function*() {
      const message = "the API user lacks the privilege page-interfaces-vlan-edit (Interfaces: VLAN) needed for " +
        "POST interfaces/vlan_settings/search_item (403 Forbidden): grant it in System > Access > Users"
      const { ports } = switchable({
        ...snapshot("default", 3),
        vlans: [],
        unreadable: [{
          kind: "vlan",
          endpoint: "POST interfaces/vlan_settings/search_item",
          privilege: "page-interfaces-vlan-edit (Interfaces: VLAN)",
          message
        }]
      })
      const server = yield* start(testConfig(), ports)
      const vlans = yield* call(`${server.url}/api/vlans`)
      assert.strictEqual(vlans.status, 502)
      assert.deepStrictEqual(vlans.json(), { error: "PermissionError", message })
      assert.strictEqual((yield* call(`${server.url}/api/rules`)).status, 200)
    }))

  it.live("reads the snapshot once for requests that arrive while it is being read; a failed read is not kept", () =>
    Effect.gen(function*() {
      const { current, ports } = switchable(snapshot("default", 3), "100 millis")
      const server = yield* start(testConfig(), ports)
      const answers = yield* Effect.all(
        Array.from({ length: 8 }, (_, i) => call(`${server.url}/api/${i % 2 === 0 ? "rules" : "vlans"}`)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(answers.map((a) => a.status), Array(8).fill(200))
      assert.strictEqual(current.reads, 1)
      yield* Effect.sleep("1100 millis")
      current.fail = true
      assert.strictEqual((yield* call(`${server.url}/api/rules`)).status, 502)
      current.fail = false
      assert.strictEqual((yield* call(`${server.url}/api/rules`)).status, 200)
      assert.strictEqual(current.reads, 3)
    }))

  it.live("pages with ?limit= and the nextCursor of each page", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig(), fakePorts(newState()))
      const first = yield* call(`${server.url}/api/rules?limit=2`)
      assert.strictEqual(first.status, 200)
      const page = first.json()
      assert.deepStrictEqual(names(page), ["r0", "r1"])
      assert.strictEqual(page["count"], 2)
      assert.strictEqual(page["total"], 3)
      assert.strictEqual(page["site"], "default")
      const cursor = page["nextCursor"]
      assert.strictEqual(typeof cursor, "string")
      const second = yield* call(`${server.url}/api/rules?limit=2&cursor=${encodeURIComponent(String(cursor))}`)
      assert.deepStrictEqual(names(second.json()), ["r2"])
      assert.strictEqual(second.json()["nextCursor"], null)
      // a page has its own tag and answers 304 to it
      const tag = second.headers.get("etag") ?? ""
      assert.match(tag, /^W\//)
      const cached = yield* call(`${server.url}/api/rules?limit=2&cursor=${encodeURIComponent(String(cursor))}`, {
        headers: { "if-none-match": tag }
      })
      assert.strictEqual(cached.status, 304)
      // a cursor alone pages with the default size
      assert.deepStrictEqual(
        names((yield* call(`${server.url}/api/rules?cursor=${encodeURIComponent(String(cursor))}`)).json()),
        ["r2"]
      )
    }))

  it.live("refuses a bad limit or cursor, and a cursor whose item is gone", () =>
    Effect.gen(function*() {
      const { current, ports } = switchable(snapshot("default", 3))
      const server = yield* start(testConfig({ adminToken: admin }), ports)
      for (const limit of ["0", "1001", "2.5", "x", ""]) {
        const refused = yield* call(`${server.url}/api/rules?limit=${limit}`)
        assert.strictEqual(refused.status, 400, `limit=${limit}`)
        assert.strictEqual(refused.json()["error"], "InvalidLimit")
      }
      const bad = yield* call(`${server.url}/api/rules?cursor=not-a-cursor`)
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(bad.json()["error"], "InvalidCursor")

      const cursor = String((yield* call(`${server.url}/api/rules?limit=1`)).json()["nextCursor"])
      // r0 moves to the end: the next page continues after it, wherever it is now
      const moved = snapshot("default", 3)
      current.snapshot = { ...moved, rules: [...moved.rules.slice(1), ...moved.rules.slice(0, 1)] }
      yield* call(`${server.url}/admin/cache/clear`, {
        method: "POST",
        headers: { authorization: `Bearer ${Redacted.value(admin)}` }
      })
      const after = yield* call(`${server.url}/api/rules?limit=1&cursor=${encodeURIComponent(cursor)}`)
      assert.strictEqual(after.status, 200)
      assert.deepStrictEqual(names(after.json()), [])
      assert.strictEqual(after.json()["nextCursor"], null)
      // r0 removed: the cursor cannot continue
      current.snapshot = { ...moved, rules: moved.rules.slice(1) }
      yield* call(`${server.url}/admin/cache/clear`, {
        method: "POST",
        headers: { authorization: `Bearer ${Redacted.value(admin)}` }
      })
      const gone = yield* call(`${server.url}/api/rules?limit=1&cursor=${encodeURIComponent(cursor)}`)
      assert.strictEqual(gone.status, 410)
      assert.strictEqual(gone.json()["error"], "CursorExpired")
    }))

  it.live("with compression on, answers br or gzip as negotiated, decoding to the same JSON", () =>
    Effect.gen(function*() {
      const server = yield* start(testConfig({ enableCompression: true }), fakePorts(newState()))
      const url = `${server.url}/api/rules`
      const plain = yield* raw(url)
      assert.strictEqual(plain.headers["content-encoding"], undefined)
      assert.strictEqual(plain.headers["vary"], "accept-encoding")
      const text = plain.body.toString("utf8")
      assert.strictEqual(JSON.parse(text)["count"], 3)

      const gzip = yield* raw(url, { "accept-encoding": "gzip" })
      assert.strictEqual(gzip.headers["content-encoding"], "gzip")
      assert.strictEqual(gunzipSync(gzip.body).toString("utf8"), text)
      assert.strictEqual(Number(gzip.headers["content-length"]), gzip.body.length)
      const gzipTag = String(gzip.headers["etag"])
      assert.notStrictEqual(gzipTag, plain.headers["etag"])

      const br = yield* raw(url, { "accept-encoding": "gzip, deflate, br" })
      assert.strictEqual(br.headers["content-encoding"], "br")
      assert.strictEqual(brotliDecompressSync(br.body).toString("utf8"), text)
      // q=0 refuses a coding
      assert.strictEqual((yield* raw(url, { "accept-encoding": "br;q=0, gzip" })).headers["content-encoding"], "gzip")

      const again = yield* raw(url, { "accept-encoding": "gzip", "if-none-match": gzipTag })
      assert.strictEqual(again.status, 304)
      assert.strictEqual(again.body.length, 0)
      const second = yield* raw(url, { "accept-encoding": "gzip" })
      assert.ok(second.body.equals(gzip.body))
    }))
})

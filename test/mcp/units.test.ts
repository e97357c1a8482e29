/** The small pure parts of the MCP server: confirmation parsing, redaction, guards, paging, edits. */
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parse } from "yaml"
import { DesiredState } from "../../src/DesiredState.ts"
import { hostnameOf } from "../../src/Http/HostGuard.ts"
import { loopbackHosts, type McpSettings } from "../../src/Mcp/Config.ts"
import { applyEdits } from "../../src/Mcp/Edits.ts"
import { describeFailure } from "../../src/Mcp/Failures.ts"
import { makeGuard, withTimeLimit } from "../../src/Mcp/HttpGuard.ts"
import * as LiveQuery from "../../src/Mcp/LiveQuery.ts"
import { redactArguments } from "../../src/Mcp/Tool.ts"
import { parseSummary } from "../../src/Mcp/Tools/Apply.ts"

describe("apply confirmation", () => {
  it("reads the echoed summary in the forms an agent writes it", () => {
    expect(parseSummary("create 1, update 2, delete 0")).toEqual({ create: 1, update: 2, delete: 0 })
    expect(parseSummary("delete: 3 / create: 0 / updates: 7")).toEqual({ create: 0, update: 7, delete: 3 })
    expect(parseSummary("create 1, update 2")).toBeUndefined()
    expect(parseSummary("yes")).toBeUndefined()
  })
})

describe("logging", () => {
  it("never logs secret-looking arguments", () => {
    expect(redactArguments({ planId: "abc", apiSecret: "x", nested: { token: "y", ok: 1 } })).toEqual({
      planId: "abc",
      apiSecret: "<redacted>",
      nested: { token: "<redacted>", ok: 1 }
    })
  })

  it("turns tagged errors into a message with the next step", () => {
    expect(describeFailure({ _tag: "StalePlan", message: "plan p is stale" })).toBe(
      "StalePlan: plan p is stale — The firewall or the desired state changed since this plan was made: run plan again and apply the new planId."
    )
  })
})

describe("HTTP guard", () => {
  const settings: McpSettings = {
    transport: "http",
    host: "127.0.0.1",
    readOnly: true,
    authToken: Redacted.make("tok"),
    allowedHosts: loopbackHosts,
    allowedOrigins: loopbackHosts,
    maxBodyBytes: 100,
    requestTimeoutMs: 1000,
    desiredStateDir: ".",
    dataDir: ".",
    actor: "t"
  }
  const guard = makeGuard(settings)
  const request = (headers: Record<string, string>) => new Request("http://127.0.0.1/mcp", { method: "POST", headers })

  it("parses Host headers with ports and IPv6", () => {
    expect(hostnameOf("LOCALHOST:3000")).toBe("localhost")
    expect(hostnameOf("[::1]:3000")).toBe("[::1]")
  })

  it("lets a correct request through and refuses each bad header", () => {
    const good = { host: "127.0.0.1:3000", authorization: "Bearer tok" }
    expect(guard(request(good))).toBeUndefined()
    expect(guard(request({ ...good, host: "attacker.example" }))?.status).toBe(403)
    // an address is no rebinding (the attacker needs a name): orchestrator probes send the pod IP
    expect(guard(request({ ...good, host: "10.1.2.3:3000" }))).toBeUndefined()
    expect(guard(request({ ...good, host: "[fd00::5]:3000" }))).toBeUndefined()
    expect(guard(request({ ...good, host: "" }))?.status).toBe(403)
    expect(guard(request({ ...good, origin: "http://attacker.example" }))?.status).toBe(403)
    expect(guard(request({ ...good, origin: "null" }))?.status).toBe(403)
    expect(guard(request({ ...good, authorization: "Bearer tok2" }))?.status).toBe(401)
    expect(guard(request({ ...good, authorization: "Basic dG9r" }))?.status).toBe(401)
    expect(guard(request({ ...good, "content-length": "101" }))?.status).toBe(413)
  })
})

describe("HTTP time limit", () => {
  it("answers 504 and aborts the handler when it takes too long", async () => {
    let aborted = false
    const slow = await withTimeLimit(20, (signal) =>
      new Promise<Response>((resolve) => {
        signal.addEventListener("abort", () => (aborted = true))
        setTimeout(() => resolve(new Response("late")), 500)
      }))
    expect(slow.status).toBe(504)
    expect(aborted).toBe(true)
    const fast = await withTimeLimit(500, () => Promise.resolve(new Response("ok")))
    expect(await fast.text()).toBe("ok")
  })
})

describe("list_live paging", () => {
  const rows = Array.from(
    { length: 5000 },
    (_, i) => ({ name: `rule-${i}`, uuid: String(i), action: i % 2 === 0 ? "pass" : "block" })
  )

  it("walks every matching row exactly once through cursors", () => {
    const seen: Array<string> = []
    let offset = 0
    for (;;) {
      const page = LiveQuery.page(rows, { filter: { action: "block" }, fields: ["uuid"], offset, limit: 200 })
      seen.push(...page.items.map((i) => String(i["name"])))
      if (page.nextCursor === undefined) break
      offset = LiveQuery.decodeCursor(page.nextCursor) ?? -1
    }
    expect(seen).toHaveLength(2500)
    expect(new Set(seen).size).toBe(2500)
  })

  it("filters names with wildcards and rejects forged cursors", () => {
    const page = LiveQuery.page(rows, { filter: { name: "rule-49*" }, fields: [], offset: 0, limit: 50 })
    expect(page.matching).toBe(111) // rule-49, rule-490..499, rule-4900..4999
    expect(LiveQuery.decodeCursor("bm9wZQ")).toBeUndefined()
  })
})

const desiredState = DesiredState.layer.pipe(Layer.provide(NodeServices.layer))

describe("YAML edits", () => {
  it.effect("updates an item in place, keeping comments and untouched fields' formatting", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edits-"))
      fs.writeFileSync(
        path.join(dir, "vlans.yaml"),
        "# top comment\nvlans:\n  - name: a # keep me\n    parent: igb1\n    tag: 10\n  - name: b\n    parent: igb1\n    tag: 20\n"
      )
      const site = { dir, site: "default" }
      const report = yield* applyEdits(site, [
        { op: "upsert", kind: "vlan", name: "a", value: { parent: "igb2", tag: 10 } },
        { op: "delete", kind: "vlan", name: "b" },
        { op: "upsert", kind: "alias", name: "n", value: { type: "network", content: ["10.0.0.0/8"] } }
      ])
      expect(report).toEqual(["upsert vlan a", "delete vlan b", "upsert alias n"])
      const vlans = fs.readFileSync(path.join(dir, "vlans.yaml"), "utf8")
      expect(vlans).toContain("# top comment")
      expect(vlans).toContain("- name: a # keep me")
      expect(vlans).toContain("parent: igb2")
      expect(vlans).not.toContain("name: b")
      expect(fs.readFileSync(path.join(dir, "aliases.yaml"), "utf8")).toContain("name: n")
      const missing = yield* Effect.flip(applyEdits(site, [{ op: "delete", kind: "rule", name: "nope" }]))
      expect(missing.message).toContain("no rules item named \"nope\"")
      const escape = yield* Effect.flip(
        applyEdits(site, [{ op: "upsert", kind: "rule", name: "r", value: {}, file: "../r.yaml" }])
      )
      expect(escape._tag).toBe("PathEscape")
    }).pipe(Effect.provide(desiredState)))

  it.effect("applies patches and item edits to one file in order, in one pass", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edits-"))
      fs.writeFileSync(
        path.join(dir, "vlans.yaml"),
        "# the uplink\nvlans:\n  - name: a\n    parent: igb1\n    tag: 10\n"
      )
      const site = { dir, site: "default" }
      yield* applyEdits(site, [
        { op: "upsert", kind: "vlan", name: "b", value: { parent: "igb1", tag: 20 } },
        { op: "patch", file: "vlans.yaml", path: ["vlans", 1, "description"], value: "second" },
        { op: "patch", file: "vlans.yaml", path: ["vlans", 0, "tag"], value: 11 },
        { op: "delete", kind: "vlan", name: "a" }
      ])
      const text = fs.readFileSync(path.join(dir, "vlans.yaml"), "utf8")
      expect(text.startsWith("# the uplink\nvlans:\n")).toBe(true)
      expect(parse(text)).toEqual({ vlans: [{ parent: "igb1", tag: 20, name: "b", description: "second" }] })
      const nothing = yield* Effect.flip(
        applyEdits(site, [{ op: "patch", file: "vlans.yaml", path: ["vlans", 5], value: undefined }])
      )
      expect(nothing.message).toBe("edit 1 (remove vlans.5 in vlans.yaml): nothing at [\"vlans\",5] to remove")
    }).pipe(Effect.provide(desiredState)))

  it.effect("reads the site as the loader does: a file the loader refuses is not edited either", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edits-"))
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), "edits-outside-"))
      fs.writeFileSync(path.join(outside, "secret.yaml"), "vlans: []\n")
      fs.symlinkSync(path.join(outside, "secret.yaml"), path.join(dir, "vlans.yaml"))
      const refused = yield* Effect.flip(
        applyEdits({ dir, site: "default" }, [{ op: "upsert", kind: "vlan", name: "x", value: { tag: 5 } }])
      )
      expect(refused.message).toContain("vlans.yaml:1:1: symbolic link points outside the desired-state directory")
      expect(fs.readFileSync(path.join(outside, "secret.yaml"), "utf8")).toBe("vlans: []\n")
      const unknown = yield* Effect.flip(applyEdits({ dir, site: "edge" }, []))
      expect(unknown.message).toContain("no site named \"edge\"")
    }).pipe(Effect.provide(desiredState)))
})

/**
 * The read tools and import_live over HTTP against a simulator holding 5,000 rules: answers stay
 * small (filters, fields, cursor pages), every tool answers with structured content that matches
 * its output schema, and a tool call continues the caller's trace.
 */
import type { Client } from "@modelcontextprotocol/client"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ReconcileStatus, type SiteStatus } from "../../src/Reconciler/Loop.ts"
import {
  callTool,
  connectHttp,
  git,
  type HttpServer,
  recordingTracer,
  resultText,
  type Stack,
  startHttp,
  startStack,
  structuredOf
} from "./harness.ts"

let stack: Stack
let server: HttpServer
let client: Client
const recorder = recordingTracer()

beforeAll(async () => {
  stack = await startStack({ scale: 5000 })
  server = await startHttp(stack, {}, recorder.tracer)
  client = await connectHttp(server, { era: "modern" })
})

afterAll(async () => {
  await client?.close()
  await server?.close()
  await stack?.close()
})

const call = (name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) =>
  callTool(client, name, args, meta)
const text = resultText
const ok = async (name: string, args: Record<string, unknown>) => {
  const result = await call(name, args)
  return { structured: structuredOf(result), text: text(result) }
}

describe("read tools", () => {
  it("pages 5,000 live rules without flooding the context", async () => {
    const first = await ok("list_live", { kind: "rule", limit: 25 })
    expect(first.structured["total"]).toBeGreaterThanOrEqual(5000)
    expect(first.structured["returned"]).toBe(25)
    expect(JSON.stringify(first.structured).length).toBeLessThan(25_000)
    expect(first.text.length).toBeLessThan(4_000)
    const cursor = first.structured["nextCursor"]
    expect(typeof cursor).toBe("string")
    const second = await ok("list_live", { kind: "rule", limit: 25, cursor })
    const names = (page: Record<string, unknown>) =>
      (page["items"] as ReadonlyArray<{ name: string }>).map((i) => i.name)
    expect(names(second.structured)).not.toEqual(names(first.structured))

    const slim = await ok("list_live", { kind: "rule", limit: 200, fields: ["action"], filter: { action: "block" } })
    const items = slim.structured["items"] as ReadonlyArray<Record<string, unknown>>
    expect(items.every((i) => i["action"] === "block" && Object.keys(i).sort().join() === "action,name")).toBe(true)
    expect(slim.structured["matching"]).toBeLessThan(first.structured["total"] as number)

    const bad = await call("list_live", { kind: "rule", cursor: "garbage" })
    expect(bad.isError).toBe(true)
    expect(text(bad)).toContain("omit it to start from the first page")
  })

  it("reports status, validation, lint, explain and drift", async () => {
    const status = await ok("opnsense_status", {})
    expect(status.structured).toMatchObject({ transport: "http", readOnly: true })
    expect(status.structured["sites"]).toEqual([
      expect.objectContaining({ site: "default", reachable: true, version: stack.sim.version })
    ])

    const validation = await ok("validate", {})
    expect(validation.structured).toMatchObject({ valid: true, errors: 0, sites: ["default"] })

    const lint = await ok("lint", {})
    expect(lint.structured["origin"]).toBe("desired")
    expect(Array.isArray(lint.structured["findings"])).toBe(true)

    const explained = await ok("explain_traffic", {
      source: "10.10.0.5",
      destination: "10.0.0.53",
      protocol: "udp",
      port: 53,
      interface: "lan"
    })
    expect(explained.structured["decision"]).toBe("pass")
    expect(explained.structured["decidedBy"]).toMatchObject({ kind: "rule", rule: "staff-dns" })
    const blocked = await ok("explain_traffic", {
      source: "10.10.0.5",
      destination: "10.0.0.99",
      protocol: "tcp",
      port: 22,
      interface: "lan"
    })
    expect(blocked.structured["decision"]).toBe("block")
    // the CLI's spellings work too; two different values for one argument are the caller's mistake
    const short = await ok("explain_traffic", {
      src: "10.10.0.5",
      dst: "10.0.0.53",
      proto: "udp",
      port: 53,
      interface: "lan"
    })
    expect(short.structured["decidedBy"]).toMatchObject({ kind: "rule", rule: "staff-dns" })
    const both = await call("explain_traffic", { source: "10.10.0.5", src: "10.10.0.6", proto: "udp" })
    expect(both.isError).toBe(true)
    expect(text(both)).toContain("source and src differ")
    const none = await call("explain_traffic", { src: "10.10.0.5", dst: "10.0.0.53" })
    expect(none.isError).toBe(true)
    expect(text(none)).toContain("protocol is required")
    // an interface nobody knows is the caller's mistake, not a BLOCK by the default rule
    const nowhere = await call("explain_traffic", {
      src: "10.10.0.5",
      dst: "10.0.0.53",
      proto: "udp",
      interface: "lann"
    })
    expect(nowhere.isError).toBe(true)
    expect(text(nowhere)).toMatch(/unknown interface "lann" \(did you mean "lan"\?\): the desired state knows .*lan/)
    const live = await call("explain_traffic", { origin: "live", src: "10.10.0.5", proto: "udp", interface: "opt99" })
    expect(live.isError).toBe(true)
    expect(text(live)).toMatch(/unknown interface "opt99": the firewall has .*lan \(LAN\)/)

    const drift = await ok("drift_report", {})
    expect(drift.structured).toMatchObject({ site: "default", hasDrift: expect.any(Boolean) })
    expect(drift.structured["pending"]).toEqual(expect.arrayContaining([{ kind: "vlan", name: "staff" }]))
  })

  it("imports the live firewall on a new branch, writing git only", async () => {
    const writesBefore = stack.sim.requests.count((e) => e.method === "POST" && !/search|get|status/.test(e.endpoint))
    // aliases alone are added beside the aliases the YAML rules refer to, which stay as they are
    const partial = await ok("import_live", { kinds: ["alias"], branch: "mcp/adopt-aliases" })
    expect(partial.structured["files"]).toEqual(["desired-state/aliases.yaml"])
    const aliases = git(stack.root, "show", "mcp/adopt-aliases:desired-state/aliases.yaml")
    expect(aliases).toMatch(/^aliases:\n {2}- name: staff_net\n/)
    expect(aliases).toContain("description: Unbound resolvers")
    const imported = await ok("import_live", { branch: "mcp/adopt" })
    expect(imported.structured["branch"]).toBe("mcp/adopt")
    expect(git(stack.root, "rev-parse", "mcp/adopt")).toBe(imported.structured["commit"])
    // the CLI's `import --commit` flow (GitOps.importOnBranch), with the MCP actor as a trailer
    const message = git(stack.root, "log", "-1", "--format=%s%n%b", "mcp/adopt")
    expect(message).toMatch(/^Adopt the live objects of site default\n/)
    expect(message).toMatch(/\nProposed-by: opnsense-mcp \(.+\)$/)
    expect((imported.structured["counts"] as { rule: number }).rule).toBeGreaterThanOrEqual(5000)
    expect(imported.structured["files"]).toEqual(expect.arrayContaining(["desired-state/rules.yaml"]))
    expect(stack.sim.requests.count((e) => e.method === "POST" && !/search|get|status/.test(e.endpoint))).toBe(
      writesBefore
    )
    expect(git(stack.root, "symbolic-ref", "--short", "HEAD")).toBe("main")
    const again = await call("import_live", { branch: "mcp/adopt" })
    expect(again.isError).toBe(true)
    expect(text(again)).toContain("already exists")
  })

  it("continues the caller's trace: a span per tool call named Mcp.tool.<name>", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
    await call("plan", {}, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` })
    const span = recorder.spans.find((s) => s.name === "Mcp.tool.plan" && s.traceId === traceId)
    expect(span?.kind).toBe("server")
    expect(span?.parent._tag === "Some" ? span.parent.value.spanId : undefined).toBe("00f067aa0ba902b7")
    const children = recorder.spans.filter((s) => s.traceId === traceId && s.name.startsWith("Reconciler."))
    expect(children.length).toBeGreaterThan(0)
    // an invalid context (all-zero trace id) is not continued: the call starts a trace of its own
    const zero = "00000000000000000000000000000000"
    await call("validate", {}, { traceparent: `00-${zero}-00f067aa0ba902b7-01` })
    const fresh = recorder.spans.filter((s) => s.name === "Mcp.tool.validate").at(-1)
    expect(fresh?.traceId).not.toBe(zero)
    expect(fresh?.parent._tag).toBe("None")
  })
})

describe("opnsense_status with the reconcile loop running", () => {
  const loopSite: SiteStatus = {
    site: "default",
    mode: "observe",
    leader: true,
    suspended: false,
    conditions: [
      {
        type: "Ready",
        status: false,
        reason: "Drift",
        message: "2 objects differ",
        lastTransitionTime: "2026-01-01T00:00:00Z"
      }
    ],
    lastResults: [{ at: "2026-01-01T00:00:00Z", durationMs: 12, result: "drift", message: "2 objects differ" }],
    consecutiveFailures: 0
  }
  const loop = Layer.succeed(ReconcileStatus, {
    enabled: true,
    mode: "observe",
    intervalMs: 300_000,
    instance: "test",
    sites: Effect.succeed([loopSite]),
    site: (name) => Effect.succeed(name === loopSite.site ? loopSite : undefined),
    suspend: () => Effect.succeed(false),
    resume: () => Effect.succeed(false)
  })

  it("reports the loop's Ready condition and last result for a reachable site", async () => {
    const withLoop = await startHttp(stack, {}, undefined, loop)
    const loopClient = await connectHttp(withLoop, { era: "modern" })
    try {
      const result = await callTool(loopClient, "opnsense_status", {})
      expect(structuredOf(result)["sites"]).toEqual([
        expect.objectContaining({
          site: "default",
          reachable: true,
          reconcile: expect.objectContaining({ mode: "observe", leader: true, ready: false, reason: "Drift" })
        })
      ])
      expect(resultText(result)).toContain("reconcile not ready (Drift), last drift at 2026-01-01T00:00:00Z")
    } finally {
      await loopClient.close()
      await withLoop.close()
    }
  })
})

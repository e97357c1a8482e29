/**
 * HTTP benchmarks against `opnsense-mcp serve` as users run it (a child process, configured by the
 * environment, talking to the simulator): requests per second on /health and on the cached
 * /api/rules with autocannon (its own process, so client and server each get a core), and the
 * latency of the MCP `plan` tool over Streamable HTTP with the official client.
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { createServer } from "node:net"
import { join } from "node:path"
import { cliNodeFlags } from "./lib/Child.ts"
import { adopt, tempDirs } from "./lib/Fixture.ts"
import { numberAt } from "./lib/Json.ts"
import { emit, percentile, round } from "./lib/Report.ts"
import { clientEnv, hermeticEnv, start } from "./lib/Sim.ts"

const ROOT = join(import.meta.dirname, "..")

export interface HttpOptions {
  readonly latencyMs: number
  /** size of the firewall behind the server (rules; aliases and VLANs follow the simulator's scale) */
  readonly scale: number
  /** seconds per autocannon run */
  readonly durationSeconds: number
  readonly connections: number
  /** MCP plan calls to time */
  readonly mcpCalls: number
}

export interface Cannon {
  readonly requestsPerSecond: number
  readonly latencyP50Ms: number
  readonly latencyP99Ms: number
  readonly non2xx: number
  readonly errors: number
  readonly bytesPerRequest: number
}

export interface HttpResult {
  readonly scale: number
  readonly health: Cannon | { readonly notMeasured: string }
  readonly apiRules: Cannon | { readonly notMeasured: string }
  readonly mcpPlan: {
    readonly calls: number
    readonly firstMs: number
    readonly p50Ms: number
    readonly p95Ms: number
    readonly changes: number
  } | { readonly notMeasured: string }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const address = s.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      s.close(() => resolve(port))
    })
  })

/** autocannon's CLI with --json, in its own process. */
const cannon = (url: string, o: HttpOptions): Promise<Cannon> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(ROOT, "node_modules", "autocannon", "autocannon.js"),
        "--json",
        "-c",
        String(o.connections),
        "-d",
        String(o.durationSeconds),
        url
      ],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error !== null) return reject(error)
        const parsed: unknown = JSON.parse(stdout)
        const total = numberAt(parsed, "requests", "total")
        resolve({
          requestsPerSecond: round(numberAt(parsed, "requests", "average")),
          latencyP50Ms: numberAt(parsed, "latency", "p50"),
          latencyP99Ms: numberAt(parsed, "latency", "p99"),
          non2xx: numberAt(parsed, "non2xx"),
          errors: numberAt(parsed, "errors"),
          bytesPerRequest: Math.round(numberAt(parsed, "throughput", "total") / Math.max(1, total))
        })
      }
    )
  })

/** `node src/index.ts serve`, resolved once it prints its URL. */
const serve = (
  env: Readonly<Record<string, string>>
): Promise<{ readonly child: ChildProcess; readonly url: string }> =>
  new Promise((resolve, reject) => {
    const profileDir = process.env["BENCH_CPU_PROF"]
    const profile = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]
    const child = spawn(process.execPath, [...cliNodeFlags, ...profile, join(ROOT, "src", "index.ts"), "serve"], {
      env: hermeticEnv(env),
      stdio: ["ignore", "ignore", "pipe"]
    })
    let err = ""
    const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s: ${err.slice(-500)}`)), 60_000)
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8")
      const match = /serving on (http:\/\/\S+?) /.exec(err)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve({ child, url: match[1] })
      }
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited ${code}: ${err.slice(-500)}`))
    })
  })

const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.removeAllListeners("exit")
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref()
  })

const mcpPlanLatency = async (base: string, calls: number): Promise<HttpResult["mcpPlan"]> => {
  const client = new Client({ name: "opnsense-mcp-bench", version: "1.0.0" })
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", base)))
  try {
    const times: Array<number> = []
    let changes = Number.NaN
    for (let i = 0; i < calls; i++) {
      const started = performance.now()
      const result = await client.callTool({ name: "plan", arguments: {} })
      times.push(performance.now() - started)
      if (result.isError === true) throw new Error(`MCP plan failed: ${JSON.stringify(result.content).slice(0, 300)}`)
      changes = numberAt(result.structuredContent, "summary", "create") +
        numberAt(result.structuredContent, "summary", "update") +
        numberAt(result.structuredContent, "summary", "delete")
    }
    const [first, ...rest] = times
    const warm = rest.length > 0 ? rest : times
    return {
      calls,
      firstMs: round(first ?? Number.NaN),
      p50Ms: round(percentile(warm, 50)),
      p95Ms: round(percentile(warm, 95)),
      changes
    }
  } finally {
    await client.close()
  }
}

const attempt = async <A>(f: () => Promise<A>): Promise<A | { readonly notMeasured: string }> => {
  try {
    return await f()
  } catch (e) {
    return { notMeasured: e instanceof Error ? e.message : String(e) }
  }
}

export const httpBench = async (o: HttpOptions): Promise<HttpResult> => {
  const sim = await start({ scale: o.scale, latencyMs: o.latencyMs })
  const dirs = tempDirs("http")
  let server: { readonly child: ChildProcess; readonly url: string } | undefined
  try {
    await adopt(sim, dirs)
    const port = await freePort()
    server = await serve({ ...clientEnv(sim, dirs), HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "error" })
    const base = server.url
    // warm the snapshot so /api/rules is the cached path being measured
    await fetch(`${base}/api/rules`).then((r) => r.arrayBuffer())
    const health = await attempt(() => cannon(`${base}/health`, o))
    const apiRules = await attempt(() => cannon(`${base}/api/rules`, o))
    const mcpPlan = await attempt(() => mcpPlanLatency(base, o.mcpCalls))
    return { scale: o.scale, health, apiRules, mcpPlan }
  } finally {
    if (server !== undefined) await stop(server.child)
    await sim.close()
    dirs.remove()
  }
}

const show = (
  c: Cannon | { readonly notMeasured: string },
  key: keyof Cannon
) => ("notMeasured" in c ? `not measured: ${c.notMeasured}` : c[key])

export const reportHttp = (r: HttpResult, o: HttpOptions): void =>
  emit("http", { latencyMs: o.latencyMs, connections: o.connections, durationSeconds: o.durationSeconds, ...r }, [
    {
      title:
        `ops server (serve, ${r.scale} rules behind it; autocannon ${o.connections} connections × ${o.durationSeconds} s)`,
      columns: ["route", "req/s", "p50 ms", "p99 ms", "bytes/response", "non-2xx", "errors"],
      rows: ([["GET /health", r.health], ["GET /api/rules (cached)", r.apiRules]] as const).map(([route, run]) => [
        route,
        ...(["requestsPerSecond", "latencyP50Ms", "latencyP99Ms", "bytesPerRequest", "non2xx", "errors"] as const).map((
          key
        ) => show(run, key))
      ])
    },
    {
      title: "MCP plan tool over Streamable HTTP (official client)",
      columns: ["calls", "first ms", "p50 ms", "p95 ms", "changes"],
      rows: [
        "notMeasured" in r.mcpPlan
          ? [`not measured: ${r.mcpPlan.notMeasured}`]
          : [r.mcpPlan.calls, r.mcpPlan.firstMs, r.mcpPlan.p50Ms, r.mcpPlan.p95Ms, r.mcpPlan.changes]
      ]
    }
  ])

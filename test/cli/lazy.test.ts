/**
 * Commands load their implementation only when they run (Cli/Commands.ts): `--version` and
 * `--help` load no service, and one command does not load another's (plan: no HTTP server, MCP SDK
 * or simulator). A static import added back to main.ts or Commands.ts fails here. Start-up time is
 * mostly module loading (docs/performance.md), so what a plan against a firewall loads is pinned too.
 */
import { execFile, spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { startSimulator } from "../../src/Simulator.ts"
import { simulatorEnv } from "../support/cli.ts"

// a module hook that prints every module URL the process loaded when it exits, and Node's own
// modules as `builtin:<id>` (those that builtins load internally included, as undici)
const hook = `data:text/javascript,${
  encodeURIComponent(`
import { registerHooks } from "node:module"
const seen = []
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context) } })
process.on("exit", () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => "builtin:" + m.slice(13))
  process.stderr.write("LOADED " + JSON.stringify([...seen, ...builtins]) + "\\n")
})
`)
}`

const moduleList = (stderr: string): ReadonlyArray<string> => {
  const line = stderr.split("\n").find((l) => l.startsWith("LOADED "))
  if (line === undefined) throw new Error(`no module list in: ${stderr.slice(0, 500)}`)
  const urls: unknown = JSON.parse(line.slice("LOADED ".length))
  return Array.isArray(urls) ? urls.map(String) : []
}

const loaded = (...args: ReadonlyArray<string>): ReadonlyArray<string> =>
  moduleList(spawnSync(process.execPath, ["--import", hook, "src/index.ts", ...args], { encoding: "utf8" }).stderr)

/** The same for a command that talks to a firewall (the simulator in this process must keep answering). */
const loadedAsync = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>) =>
  new Promise<ReadonlyArray<string>>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", hook, "src/index.ts", ...args],
      { env: { PATH: process.env["PATH"] ?? "", ...env } },
      (error, _stdout, stderr) => {
        if (error !== null) return reject(new Error(`${args.join(" ")} failed: ${stderr.slice(-1000)}`))
        resolve(moduleList(stderr))
      }
    )
  })

/**
 * Package indexes re-export every module of their package, and Node evaluates all of them: the
 * `effect` index alone is ~340 modules where a command needs ~220 (src imports `effect/Effect`,
 * not `{ Effect } from "effect"`; the lint rule no-import-from-barrel-package keeps it so).
 */
const packageIndexes = [
  "/node_modules/effect/dist/index.js",
  "/node_modules/effect/dist/cli/index.js",
  "/node_modules/effect/dist/http/index.js",
  "/node_modules/effect/dist/observability/index.js",
  "/node_modules/@effect/platform-node/dist/index.js"
]

const heavy = [
  "/src/Http.ts",
  "/src/Mcp.ts",
  "/src/Simulator.ts",
  "/src/Reconciler.ts",
  "@modelcontextprotocol",
  "ioredis"
]

describe("lazy command loading", () => {
  it("--version loads neither the CLI nor Effect", () => {
    const urls = loaded("--version")
    expect(urls.filter((u) => u.includes("/src/main.ts") || u.includes("/node_modules/effect/"))).toEqual([])
  })

  it("--help loads no command implementation", () => {
    for (const args of [["--help"], ["plan", "--help"]]) {
      const urls = loaded(...args)
      expect(urls.some((u) => u.endsWith("/src/Cli/Commands.ts")), args.join(" ")).toBe(true)
      for (const name of [...heavy, ...packageIndexes, "/src/Cli/Plan.ts", "/src/DesiredState.ts"]) {
        expect(urls.filter((u) => u.includes(name)), `${args.join(" ")} loads ${name}`).toEqual([])
      }
    }
  })

  it("a command loads its own implementation and not the others'", () => {
    const urls = loaded("schema")
    expect(urls.some((u) => u.endsWith("/src/Cli/Schema.ts"))).toBe(true)
    for (const name of [...heavy, "/src/Cli/Plan.ts", "/src/Cli/Serve.ts"]) {
      expect(urls.filter((u) => u.includes(name)), `schema loads ${name}`).toEqual([])
    }
  })

  it("commands share their output helpers through Common, not through the plan command", () => {
    const urls = loaded("explain", "--src", "10.20.0.5", "--dst", "10.0.0.53", "--proto", "udp", "--interface", "opt2")
    expect(urls.some((u) => u.endsWith("/src/Cli/Explain.ts"))).toBe(true)
    expect(urls.filter((u) => u.includes("/src/Cli/Plan.ts"))).toEqual([])
  })

  it("plan against a firewall loads neither the simulator, ioredis, the servers nor a package index", async () => {
    const sim = await startSimulator({ version: "26.7" })
    const root = mkdtempSync(join(tmpdir(), "lazy-plan-"))
    try {
      cpSync(join(import.meta.dirname, "..", "e2e", "tree"), join(root, "desired-state"), { recursive: true })
      const urls = await loadedAsync(["plan", "--json", "--dir", join(root, "desired-state")], {
        ...simulatorEnv(sim),
        DATA_DIR: join(root, "data")
      })
      expect(urls.some((u) => u.endsWith("/src/Cli/Plan.ts"))).toBe(true)
      const notForPlan = ["/src/Http.ts", "/src/Mcp.ts", "/src/Simulator", "@modelcontextprotocol", "ioredis"]
      // an ES import of node:http reads its lazy WebSocket export, which loads undici and http2
      const builtins = [
        "builtin:internal/deps/undici/undici",
        "builtin:http2",
        "builtin:zlib",
        "builtin:worker_threads"
      ]
      // the OTLP exporter only when OTEL_EXPORTER_OTLP_ENDPOINT is set
      for (const name of [...notForPlan, ...packageIndexes, ...builtins, "/effect/dist/observability/Otlp"]) {
        expect(urls.filter((u) => u.includes(name)), `plan loads ${name}`).toEqual([])
      }
    } finally {
      await sim.close()
      rmSync(root, { recursive: true, force: true })
    }
  })
})

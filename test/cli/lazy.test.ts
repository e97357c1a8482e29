/**
 * Commands load their implementation only when they run (Cli/Commands.ts): `--version` and
 * `--help` load no service, and one command does not load another's (plan: no HTTP server, MCP SDK
 * or simulator). A static import added back to main.ts or Commands.ts fails here.
 */
import { spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"

// a module hook that prints every module URL the process loaded when it exits
const hook = `data:text/javascript,${
  encodeURIComponent(`
import { registerHooks } from "node:module"
const seen = []
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context) } })
process.on("exit", () => process.stderr.write("LOADED " + JSON.stringify(seen) + "\\n"))
`)
}`

const loaded = (...args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const { stderr } = spawnSync(process.execPath, ["--import", hook, "src/index.ts", ...args], { encoding: "utf8" })
  const line = stderr.split("\n").find((l) => l.startsWith("LOADED "))
  if (line === undefined) throw new Error(`no module list in: ${stderr.slice(0, 500)}`)
  const urls: unknown = JSON.parse(line.slice("LOADED ".length))
  return Array.isArray(urls) ? urls.map(String) : []
}

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
      for (const name of [...heavy, "/src/Cli/Plan.ts", "/src/DesiredState.ts"]) {
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
})

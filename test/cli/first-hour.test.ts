/**
 * What a new user meets in the first hour: failures that say what went wrong and how to fix it.
 */
import { execFile, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join, resolve } from "node:path"
import { createInterface } from "node:readline"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"

const ENTRY = resolve(import.meta.dirname, "../../src/index.ts")

/** A desired state of one alias: plannable against any simulator (no interfaces to check). */
const tinyTree = (): string => {
  const dir = join(mkdtempSync(join(tmpdir(), "first-hour-")), "desired-state")
  mkdirSync(dir)
  writeFileSync(join(dir, "aliases.yaml"), "aliases:\n  - { name: web, type: host, content: [10.0.0.1] }\n")
  return dir
}

const run = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number; stderr: string; stdout: string }>((done) => {
    const child = execFile(
      process.execPath,
      [ENTRY, ...args],
      { env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    )
    child.stdin?.end()
  })

describe("serve on a busy port", () => {
  let blocker: Server
  let port = 0
  beforeAll(async () => {
    blocker = createServer()
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok))
    const address = blocker.address()
    port = typeof address === "object" && address !== null ? address.port : 0
  })
  afterAll(() => new Promise<void>((ok) => blocker.close(() => ok())))

  it("names the address, says it is in use and how to choose another", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "busy-port-"))
    const result = await run(["serve"], { PORT: String(port), DATA_DIR: dataDir, LOG_DIR: join(dataDir, "logs") })
    expect(result.code).toBe(1)
    const last = result.stderr.trim().split("\n").at(-1) ?? ""
    expect(last).toContain(`127.0.0.1:${port}`)
    expect(last).toContain("already in use")
    expect(last).toContain("PORT")
  })
})

describe("a firewall at an IPv6 literal", () => {
  it("plans against OPNSENSE_URL=https://[::1]:PORT", async () => {
    const sim = await startSimulator({ host: "::1" })
    try {
      expect(sim.url).toMatch(/^https:\/\/\[::1\]:\d+$/)
      const dataDir = mkdtempSync(join(tmpdir(), "ipv6-url-"))
      const result = await runCli(["plan", "--json", "--dir", tinyTree()], { sim, dataDir })
      expect(result.stderr).not.toContain("ENOTFOUND")
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toHaveProperty("planId")
    } finally {
      await sim.close()
    }
  })
})

describe("DEBUG=opnsense:*", () => {
  it("prints one debug line per OPNsense request, without credentials; nothing at debug without it", async () => {
    const sim = await startSimulator({})
    try {
      const dataDir = mkdtempSync(join(tmpdir(), "debug-"))
      const dir = tinyTree()
      const debug = await runCli(["plan", "--json", "--dir", dir], { sim, dataDir, env: { DEBUG: "opnsense:*" } })
      expect(debug.code).toBe(0)
      const lines = debug.stderr.split("\n").filter((l) => l.includes("\"area\":\"opnsense:client\""))
      expect(lines.length).toBeGreaterThan(3)
      expect(lines.some((l) => l.includes("/api/firewall/filter/search_rule"))).toBe(true)
      expect(debug.stderr).not.toContain(sim.apiSecret)
      expect(debug.stderr).not.toContain(sim.apiKey)
      const quiet = await runCli(["plan", "--json", "--dir", dir], { sim, dataDir })
      expect(quiet.stderr).not.toContain("\"level\":\"debug\"")
      const excluded = await runCli(["plan", "--json", "--dir", dir], {
        sim,
        dataDir,
        env: { DEBUG: "opnsense:*,-opnsense:client" }
      })
      expect(excluded.stderr).not.toContain("opnsense:client")
    } finally {
      await sim.close()
    }
  })
})

describe("a mistyped command line", () => {
  it("gets one line with the suggestion, not the help page", async () => {
    const flag = await run(["plan", "--detailed-exitcod"], {})
    expect(flag.code).toBe(1)
    expect(flag.stderr.trim().split("\n")).toEqual([
      "error: Unrecognized flag: --detailed-exitcod in command opnsense-mcp plan; did you mean --detailed-exitcode? " +
      "(opnsense-mcp plan --help)"
    ])
    const command = await run(["plam"], {})
    expect(command.code).toBe(1)
    expect(command.stderr).toContain("did you mean plan?")
    expect(command.stderr).not.toContain("USAGE")
  })
})

describe("the audit actor of a CLI apply", () => {
  it("is the account of the process when neither OPNSENSE_MCP_ACTOR nor $USER is set", async () => {
    const sim = await startSimulator({ version: "26.7" })
    try {
      const root = mkdtempSync(join(tmpdir(), "actor-"))
      mkdirSync(join(root, "desired-state"))
      writeFileSync(
        join(root, "desired-state", "aliases.yaml"),
        "aliases:\n  - { name: web, type: host, content: [10.0.0.1] }\n"
      )
      const r = await runCli(["apply", "--auto-approve", "--json", "--dir", join(root, "desired-state")], {
        sim,
        dataDir: join(root, "data"),
        env: { USER: "" }
      })
      expect(r.code).toBe(0)
      const report = JSON.parse(r.stdout) as { readonly actor: string }
      expect(report.actor).toBe(userInfo().username)
      expect(report.actor).not.toBe("unknown")
    } finally {
      await sim.close()
    }
  })
})

describe("a deployment without a firewall", () => {
  it("refuses to serve the embedded sandbox under NODE_ENV=production or as a pm2 cluster worker", async () => {
    for (const env of [{ NODE_ENV: "production" }, { NODE_APP_INSTANCE: "0" }]) {
      const dataDir = mkdtempSync(join(tmpdir(), "deployment-"))
      const r = await run(["serve"], { ...env, PORT: "0", DATA_DIR: dataDir, LOG_DIR: join(dataDir, "logs") })
      expect(r.code, JSON.stringify(env)).toBe(1)
      expect(r.stderr).toContain("no firewall configured")
      expect(r.stderr).not.toContain("using the embedded sandbox")
    }
  }, 130_000)
})

describe("the README's MCP client configuration", () => {
  const root = resolve(import.meta.dirname, "../..")
  it.skipIf(!existsSync(join(root, "dist/index.js")))(
    "starts the server from another working directory (needs dist/: npm run build)",
    async () => {
      const readme = readFileSync(join(root, "README.md"), "utf8")
      const block = /```json\n(\{ "mcpServers"[\s\S]*?)```/.exec(readme)?.[1] ?? ""
      const config = JSON.parse(block.replaceAll("/path/to/opnsense-mcp", root)) as {
        mcpServers: { opnsense: { command: string; args: Array<string>; env: Record<string, string> } }
      }
      const { args, command, env } = config.mcpServers.opnsense
      const cwd = mkdtempSync(join(tmpdir(), "mcp-client-cwd-"))
      const dataDir = join(cwd, "data")
      const child = spawn(command, args, {
        cwd,
        env: { PATH: "/usr/bin:/bin", ...env, DATA_DIR: dataDir, LOG_DIR: join(cwd, "logs") },
        stdio: ["pipe", "pipe", "ignore"]
      })
      try {
        const answer = new Promise<string>((ok) => createInterface({ input: child.stdout }).once("line", ok))
        child.stdin.write(
          `${
            JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "initialize",
              params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "readme", version: "1" } }
            })
          }\n`
        )
        expect(JSON.parse(await answer)).toMatchObject({ id: 1, result: { serverInfo: { name: "opnsense-mcp" } } })
      } finally {
        child.kill()
      }
    },
    60_000
  )
})

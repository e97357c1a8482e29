/**
 * A real `opnsense-mcp serve` child process on a free port, on the embedded sandbox, with Redis,
 * temp DATA_DIR/LOG_DIR/DESIRED_STATE_DIR, for the script and smoke tests.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

export const projectDir = join(dirname(new URL(import.meta.url).pathname), "..", "..")
const binDir = join(projectDir, "node_modules", ".bin")

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })

export interface Instance {
  readonly url: string
  readonly env: Record<string, string>
  readonly root: string
  readonly stderr: () => string
  readonly stop: () => Promise<number | null>
}

export const startInstance = async (extra: Record<string, string> = {}): Promise<Instance> => {
  const root = mkdtempSync(join(tmpdir(), "ops-instance-"))
  const desired = join(root, "desired-state")
  mkdirSync(desired)
  writeFileSync(
    join(desired, "main.yaml"),
    "vlans:\n  - name: iot\n    parent: igb1\n    tag: 30\n    description: IoT devices\n"
  )
  const port = await freePort()
  const env: Record<string, string> = {
    PATH: `${binDir}:${process.env["PATH"] ?? ""}`,
    HOME: process.env["HOME"] ?? root,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: join(root, "data"),
    LOG_DIR: join(root, "logs"),
    BACKUP_DIR: join(root, "backups"),
    DESIRED_STATE_DIR: desired,
    ADMIN_TOKEN: "script-admin-token",
    MCP_AUTH_TOKEN: "script-mcp-token",
    REDIS_URL: "redis://127.0.0.1:6379",
    HEALTH_CHECK_INTERVAL_MS: "1000",
    ...extra
  }
  const child: ChildProcess = spawn(join(binDir, "node"), [join(projectDir, "src/index.ts"), "serve"], {
    env,
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`)
    const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false)
    if (ok) break
    if (Date.now() > deadline) throw new Error(`serve did not become ready: ${stderr}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    env,
    root,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode)
        child.once("exit", (code) => resolve(code))
        child.kill("SIGTERM")
      })
  }
}

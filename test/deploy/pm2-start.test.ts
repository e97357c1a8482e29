/**
 * pm2 7 itself starts the documented deploy/ecosystem.config.cjs (cluster mode, one worker here) in
 * a temporary PM2_HOME: the worker must come up with the settings of the environment file the
 * config reads (OPNSENSE_URL and credentials of a simulator, PORT, DATA_DIR), which /health shows
 * by reporting the simulator's version. Needs the built CLI (dist/, `npm run build`, which .ci/run
 * runs before the tests); skipped, with the reason in its title, without it.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { startSimulator } from "../../src/Simulator.ts"
import { freePort } from "../support/ports.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const built = existsSync(join(ROOT, "dist/index.js"))

describe.skipIf(!built)("pm2 starts deploy/ecosystem.config.cjs (needs dist/: npm run build)", () => {
  it("loads the environment file: the worker manages the firewall it names", async () => {
    const sim = await startSimulator({ version: "26.7" })
    const tmp = mkdtempSync(join(tmpdir(), "pm2-"))
    const port = await freePort()
    const envFile = join(tmp, "env")
    writeFileSync(
      envFile,
      [
        `OPNSENSE_URL=${sim.url}`,
        `OPNSENSE_API_KEY=${sim.apiKey}`,
        `OPNSENSE_API_SECRET=${sim.apiSecret}`,
        `OPNSENSE_CA_FILE=${sim.caFile ?? ""}`,
        `PORT=${port}`,
        `DATA_DIR=${join(tmp, "data")}`,
        `LOG_DIR=${join(tmp, "logs")}`,
        `DESIRED_STATE_DIR=${join(ROOT, "desired-state")}`,
        ""
      ].join("\n"),
      { mode: 0o600 }
    )
    const env = {
      PATH: process.env["PATH"] ?? "",
      HOME: tmp,
      PM2_HOME: join(tmp, "pm2"),
      OPNSENSE_MCP_ENV_FILE: envFile,
      OPNSENSE_MCP_INSTANCES: "1",
      OPNSENSE_MCP_PM2_LOG_DIR: join(tmp, "pm2-logs")
    }
    const pm2 = (...args: ReadonlyArray<string>) =>
      spawnSync(join(ROOT, "node_modules/.bin/pm2"), args, { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 })
    try {
      const started = pm2("start", "deploy/ecosystem.config.cjs")
      expect(started.status, `${started.stdout}\n${started.stderr}`).toBe(0)
      let seen = ""
      for (let i = 0; i < 60 && !seen.includes(sim.version); i++) {
        await new Promise((r) => setTimeout(r, 500))
        seen = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text(), () => "")
      }
      expect(seen, `${seen}\n${pm2("logs", "--nostream", "--lines", "40").stdout}`).toContain(sim.version)
      expect(seen).not.toContain("embedded sandbox")
    } finally {
      pm2("kill")
      await sim.close()
    }
  }, 120_000)
})

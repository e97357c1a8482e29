/**
 * The pm2 file loads the environment file itself (pm2 has no option for it), so workers start with
 * OPNSENSE_URL and the credentials; a missing file stops it with the path. pm2 itself is not
 * installed here: the file is loaded as pm2 loads it (require), in a child process with its env.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const CONFIG = resolve(import.meta.dirname, "../../deploy/ecosystem.config.cjs")

const load = (envFile: string) =>
  spawnSync(
    process.execPath,
    ["-e", `process.stdout.write(JSON.stringify(require(${JSON.stringify(CONFIG)}).apps[0].env))`],
    { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", OPNSENSE_MCP_ENV_FILE: envFile } }
  )

describe("deploy/ecosystem.config.cjs", () => {
  it("puts the environment file's settings into the workers' environment, over the defaults", () => {
    const file = join(mkdtempSync(join(tmpdir(), "pm2-env-")), "env")
    writeFileSync(
      file,
      [
        "# opnsense-mcp",
        "OPNSENSE_URL=https://192.0.2.1",
        "OPNSENSE_API_KEY_FILE=\"/etc/opnsense-mcp/key\"",
        "export MCP_AUTH_TOKEN='t0ken'",
        "PORT=3100",
        ""
      ].join("\n")
    )
    const r = load(file)
    expect(r.status, r.stderr).toBe(0)
    const env = JSON.parse(r.stdout) as Record<string, string>
    expect(env).toMatchObject({
      OPNSENSE_URL: "https://192.0.2.1",
      OPNSENSE_API_KEY_FILE: "/etc/opnsense-mcp/key",
      MCP_AUTH_TOKEN: "t0ken",
      PORT: "3100",
      NODE_ENV: "production"
    })
  })

  it("refuses to load without its environment file, naming the path", () => {
    const r = load("/nonexistent/opnsense-mcp/env")
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain("cannot read the environment file /nonexistent/opnsense-mcp/env")
  })
})

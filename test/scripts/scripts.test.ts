import { execFile } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Instance, projectDir, startInstance } from "./instance.ts"

let instance: Instance

const run = (script: string, args: ReadonlyArray<string> = [], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(join(projectDir, "scripts", script), [...args], {
      env: { ...instance.env, ...env },
      cwd: instance.root,
      timeout: 60_000
    }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    })
  })

describe("runbook scripts against a running instance", () => {
  beforeAll(async () => {
    instance = await startInstance()
  }, 30_000)
  afterAll(async () => {
    await instance.stop()
  })

  it("health-check.sh: 0 when ready, 1 when unreachable", async () => {
    const ok = await run("health-check.sh")
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/status: ok/)
    expect(ok.stdout).toMatch(/redis: up/)
    const down = await run("health-check.sh", [], { PORT: "1" })
    expect(down.code).toBe(1)
    expect(down.stdout).toMatch(/UNREACHABLE/)
  })

  it("morning-check.sh: reports and counts findings", async () => {
    const ok = await run("morning-check.sh")
    expect(ok.stdout).toMatch(/== 0 finding\(s\)/)
    // the sandbox's certificate, like OPNsense's own self-signed one, is valid for 397 days
    expect(ok.stdout).toMatch(/certificate\[default\]: 39[67] days left \(until \d{4}-/)
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    await fetch(`${instance.url}/admin/circuit-breaker/enable`, {
      method: "POST",
      headers: { authorization: "Bearer script-admin-token" }
    })
    await new Promise((r) => setTimeout(r, 1_500)) // one readiness refresh (HEALTH_CHECK_INTERVAL_MS=1000)
    const open = await run("morning-check.sh")
    await fetch(`${instance.url}/admin/circuit-breaker/disable`, {
      method: "POST",
      headers: { authorization: "Bearer script-admin-token" }
    })
    expect(open.code).toBe(1)
    expect(open.stdout).toMatch(/ATTENTION: 1 circuit breaker\(s\) open/)
  })

  it("backup.sh then test-backup-restore.sh", async () => {
    await fetch(`${instance.url}/api/plan`, { headers: { authorization: "Bearer script-mcp-token" } })
    // the environment file holds the tokens: readable by others where it lives, 0600 in the backup
    const envFile = join(instance.root, "opnsense-mcp.env")
    writeFileSync(envFile, "ADMIN_TOKEN=script-admin-token\nMCP_AUTH_TOKEN=script-mcp-token\n", { mode: 0o644 })
    const backup = await run("backup.sh", [], { OPNSENSE_MCP_ENV_FILE: envFile })
    expect(backup.code, backup.stderr).toBe(0)
    const folder = backup.stdout.trim()
    const files = readdirSync(folder).sort()
    expect(files).toEqual([
      "SHA256SUMS",
      "data.tar.gz",
      "desired-state.tar.gz",
      "env",
      "firewall-default.xml",
      "redis.rdb"
    ])
    expect(statSync(join(folder, "env")).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(folder, "env"), "utf8")).toBe(readFileSync(envFile, "utf8"))
    expect(readFileSync(join(folder, "firewall-default.xml"), "utf8")).toMatch(/<opnsense/)
    const restore = await run("test-backup-restore.sh", [folder])
    expect(restore.code, restore.stderr).toBe(0)
    expect(restore.stdout).toMatch(/restorable/)
    // a tampered backup is caught
    const { appendFileSync } = await import("node:fs")
    appendFileSync(join(folder, "data.tar.gz"), "x")
    const broken = await run("test-backup-restore.sh", [folder])
    expect(broken.code).toBe(1)
    // without ADMIN_TOKEN the firewall part is skipped, not failed
    const noAdmin = await run("backup.sh", [], { ADMIN_TOKEN: "" })
    expect(noAdmin.code).toBe(0)
    expect(existsSync(join(noAdmin.stdout.trim(), "firewall-default.xml"))).toBe(false)
    // no environment file at the default /etc/opnsense-mcp/env here: skipped, not failed
    expect(existsSync(join(noAdmin.stdout.trim(), "env"))).toBe(false)
  })

  it("backup.sh keeps 30 days by default, BACKUP_RETENTION_DAYS otherwise", async () => {
    const root = instance.env["BACKUP_DIR"]!
    const aged = (name: string, days: number) => {
      const dir = join(root, name)
      mkdirSync(dir, { recursive: true })
      const at = new Date(Date.now() - days * 86_400_000)
      utimesSync(dir, at, at)
      return dir
    }
    const month = aged("20200101T000000Z", 29)
    const older = aged("20200102T000000Z", 32)
    const notOurs = aged("keep-me", 400)
    const byDefault = await run("backup.sh", [], { ADMIN_TOKEN: "" })
    expect(byDefault.code, byDefault.stderr).toBe(0)
    expect(byDefault.stderr).toMatch(/removed old backup: .*20200102T000000Z/)
    expect([existsSync(month), existsSync(older), existsSync(notOurs)]).toEqual([true, false, true])
    const shorter = await run("backup.sh", [], { ADMIN_TOKEN: "", BACKUP_RETENTION_DAYS: "10" })
    expect(shorter.code, shorter.stderr).toBe(0)
    expect(existsSync(month)).toBe(false)
    const wrong = await run("backup.sh", [], { ADMIN_TOKEN: "", BACKUP_RETENTION_DAYS: "a month" })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/BACKUP_RETENTION_DAYS must be a whole number/)
  })

  it("capacity-report.sh: objects, routes, process", async () => {
    const report = await run("capacity-report.sh")
    expect(report.code, report.stderr).toBe(0)
    expect(report.stdout).toMatch(/site default: \d+ vlans \d+ aliases \d+ rules/)
    expect(report.stdout).toMatch(/\/health\s+\d+/)
    expect(report.stdout).toMatch(/rss: [\d.]+ MiB/)
  })

  it("serve writes app.log and access.log, and stops cleanly on SIGTERM", async () => {
    const access = readFileSync(join(instance.env["LOG_DIR"]!, "access.log"), "utf8").trim().split("\n")
    const entry = JSON.parse(access.at(-1)!) as Record<string, unknown>
    expect(Object.keys(entry)).toEqual(
      expect.arrayContaining(["time", "method", "path", "status", "durationMs", "requestId"])
    )
    expect(readFileSync(join(instance.env["LOG_DIR"]!, "app.log"), "utf8")).toMatch(/ops server listening/)
    // this one's sandbox certificate expires in 10 days: a finding of the morning check
    const other = await startInstance({ SIMULATOR_CERT_DAYS: "10" })
    const expiring = await run("morning-check.sh", [], other.env)
    expect(expiring.stdout).toMatch(/certificate\[default\]: (9|10) days left .* WARNING/)
    expect(expiring.stdout).toMatch(/ATTENTION: the TLS certificate of site default expires in (9|10) day\(s\)/)
    expect(expiring.code).toBe(1)
    // interrupted by the signal: Effect's runtime exits 130; systemd's unit lists it as success
    expect([0, 130]).toContain(await other.stop())
    expect(readFileSync(join(other.env["LOG_DIR"]!, "app.log"), "utf8")).toMatch(/ops server stopped/)
  }, 40_000)
})

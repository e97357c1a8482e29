/**
 * Processes sharing one DATA_DIR (pm2 workers applying different sites, a CLI beside `serve`):
 * every state.json update and every audit entry survives, the chain stays one chain. And the lock
 * they share gives way when its holder died, and names the holder when it is alive.
 */
import { Effect, Exit } from "effect"
import { execFile, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { tryTake, withFileLock } from "../../src/Store/FileLock.ts"
import { make } from "../../src/Store/Store.ts"

const child = join(import.meta.dirname, "concurrent-child.ts")

const runChild = (dataDir: string, site: string, n: number) =>
  new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [child, dataDir, site, String(n)], (error, _stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`${site}: ${stderr || error.message}`)))
  })

describe("DATA_DIR shared by several processes", () => {
  it("keeps every site's updates and one unbroken audit chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-multi-"))
    const sites = ["hq", "branch", "lab", "dc"]
    const n = 15
    await Promise.all(sites.map((site) => runChild(dir, site, n)))
    const store = await Effect.runPromise(make(dir))
    for (const site of sites) {
      const state = await Effect.runPromise(store.site(site))
      expect(Object.keys(state.inventory["rule"] ?? {}).length, site).toBe(n)
    }
    const report = await Effect.runPromise(store.verify)
    expect(report.problems).toEqual([])
    const audit = await Effect.runPromise(store.readAudit)
    expect(audit.length).toBe(sites.length * n)
    expect(audit.map((e) => e.seq)).toEqual(Array.from({ length: sites.length * n }, (_, i) => i + 1))
  }, 60_000)

  it("clears a lock left by a process that died holding it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-lock-"))
    const file = join(dir, "state.json")
    const dead = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid ?? 999_999
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: dead, host: hostname(), since: "2026-01-01T00:00:00.000Z", nonce: "old" })
    )
    const result = await Effect.runPromise(withFileLock(file, 2_000)(Effect.succeed("ran")))
    expect(result).toBe("ran")
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it("waits for a live holder, then names it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-lock-"))
    const file = join(dir, "state.json")
    // this very process on another host: alive as far as anyone here can tell
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: process.pid, host: "other-host", since: "2026-01-01T00:00:00.000Z", nonce: "x" })
    )
    const started = Date.now()
    const exit = await Effect.runPromiseExit(withFileLock(file, 300)(Effect.succeed("ran")))
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("locked by pid")
    expect(existsSync(`${file}.lock`)).toBe(true)
  })

  it("waits for a lock it cannot read while it is young (a holder between create and write), clears it once old", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-lock-"))
    const file = join(dir, "state.json")
    writeFileSync(`${file}.lock`, "")
    const young = await Effect.runPromiseExit(withFileLock(file, 200)(Effect.succeed("ran")))
    expect(String(Exit.isFailure(young) ? young.cause : "")).toContain("locked by another process")
    expect(existsSync(`${file}.lock`)).toBe(true)
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${file}.lock`, old, old)
    const result = await Effect.runPromise(withFileLock(file, 2_000)(Effect.succeed("ran")))
    expect(result).toBe("ran")
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it("puts back a fresh lock that a late clearer moved aside instead of the dead one it saw", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-lock-"))
    const lock = join(dir, "x.lock")
    type H = { readonly pid: number; readonly host: string; readonly since: string; readonly nonce: string }
    const dead = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid ?? 999_999
    // another process already cleared the dead lock and took it: this is on disk now
    const fresh: H = { pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: "fresh" }
    writeFileSync(lock, JSON.stringify(fresh))
    // ... while this one still reads the dead holder it saw before
    let reads = 0
    const read = (file: string): Promise<H | "absent" | "unreadable"> =>
      Promise.resolve(
        reads++ === 0
          ? { pid: dead, host: hostname(), since: "2026-01-01T00:00:00.000Z", nonce: "dead" }
          : (JSON.parse(readFileSync(file, "utf8")) as H)
      )
    const taken = await tryTake(
      lock,
      JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: "mine" }),
      read,
      (a, b) => a.nonce === b.nonce
    )
    expect(taken).toEqual({ _tag: "Held", holder: undefined })
    expect(JSON.parse(readFileSync(lock, "utf8"))).toEqual(fresh)
  })

  it("clears a lock of our own pid written before this process started (a container restarted as pid 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-lock-"))
    const file = join(dir, "state.json")
    const before = new Date(performance.timeOrigin - 60_000).toISOString()
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: process.pid, host: hostname(), since: before, nonce: "earlier" })
    )
    expect(await Effect.runPromise(withFileLock(file, 2_000)(Effect.succeed("ran")))).toBe("ran")
    // one written by this process since it started is still its own: held
    const now = new Date().toISOString()
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: now, nonce: "mine" }))
    expect(Exit.isFailure(await Effect.runPromiseExit(withFileLock(file, 200)(Effect.succeed("ran"))))).toBe(true)
  })
})

/**
 * Nothing lost, nothing silent: an apply whose audit entry could not be written refuses before its
 * first write, and an apply with nothing to change still closes a journal a killed apply left open.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"

let sim: SimulatorHandle
let root: string
const dataDir = () => join(root, "data")

beforeAll(async () => {
  sim = await startSimulator({ version: "26.7", unmanaged: false })
  root = mkdtempSync(join(tmpdir(), "nothing-silent-"))
  mkdirSync(join(root, "desired-state"))
})
afterAll(async () => {
  await sim.close()
})

const aliases = (...names: ReadonlyArray<string>) =>
  writeFileSync(
    join(root, "desired-state", "aliases.yaml"),
    `aliases:\n${names.map((n, i) => `  - { name: ${n}, type: host, content: [10.0.0.${i + 1}] }\n`).join("")}`
  )
const cli = (...args: ReadonlyArray<string>) =>
  runCli([...args, "--dir", join(root, "desired-state")], { sim, dataDir: dataDir() })
const writes = () => sim.requests.count((e) => e.method === "POST" && /(add|set|del)_item/.test(e.endpoint))

describe("nothing lost, nothing silent", () => {
  it("refuses to write the firewall when the audit log cannot take the apply's entry", async () => {
    aliases("web")
    expect((await cli("apply", "--auto-approve")).code).toBe(0)
    appendFileSync(join(dataDir(), "audit.log"), "{\"seq\":2,\"torn")
    aliases("web", "db")
    const before = writes()
    const refused = await cli("apply", "--auto-approve")
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("audit.log ends in an incomplete line")
    expect(writes()).toBe(before)
    // no journal left open by the refusal
    expect(existsSync(join(dataDir(), "journal", "default.jsonl"))).toBe(false)
  })

  it("closes a journal left open by a killed apply even when there is nothing to change", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "nothing-silent-data-"))
    aliases("web")
    const run = (...args: ReadonlyArray<string>) =>
      runCli([...args, "--dir", join(root, "desired-state")], { sim, dataDir: fresh })
    expect((await run("apply", "--auto-approve")).code).toBe(0)
    mkdirSync(join(fresh, "journal"), { recursive: true })
    const begin = {
      type: "begin",
      applyId: "killed-1",
      site: "default",
      planId: "f".repeat(64),
      actor: "ci-bot",
      at: new Date().toISOString(),
      token: 1,
      intended: []
    }
    writeFileSync(join(fresh, "journal", "default.jsonl"), `${JSON.stringify(begin)}\n`)
    const r = await run("apply", "--auto-approve")
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("killed-1")
    expect(existsSync(join(fresh, "journal", "default.jsonl"))).toBe(false)
    expect(readdirSync(join(fresh, "journal", "archive")).length).toBeGreaterThan(0)
  })
})

describe("DATA_DIR damage", () => {
  it("an unreadable state.json is an index to rebuild: plan warns and works, the next write keeps the old file", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "nothing-silent-state-"))
    aliases("web")
    const run = (...args: ReadonlyArray<string>) =>
      runCli([...args, "--dir", join(root, "desired-state")], { sim, dataDir: fresh })
    expect((await run("apply", "--auto-approve")).code).toBe(0)
    writeFileSync(join(fresh, "state.json"), "{ not json")
    const plan = await run("plan", "--detailed-exitcode")
    expect(plan.stderr).toContain("state.json is unreadable")
    expect(plan.code).toBe(0) // the alias is found by its ownership marker: nothing to change
    aliases("web", "db")
    expect((await run("apply", "--auto-approve")).code).toBe(0)
    expect(readdirSync(fresh).filter((n) => n.startsWith("state.json.unreadable-"))).toHaveLength(1)
    expect((await run("plan", "--detailed-exitcode")).stderr).not.toContain("unreadable")
  })

  it("state verify on a DATA_DIR that does not exist is not 'consistent'", async () => {
    const missing = join(root, "no-such-data-dir")
    const r = await runCli(["state", "verify"], { sim, dataDir: missing })
    expect(r.code).toBe(1)
    expect(`${r.stdout}${r.stderr}`).toContain("does not exist")
  })
})

/**
 * The CLI's exit codes against a simulator that outlives each command, reached
 * through OPNSENSE_URL like a real firewall.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"
import { setAliasContentOutOfBand } from "../support/firewall.ts"
import { TREE } from "./harness.ts"

let sim: SimulatorHandle
let root: string

const cli = (...args: ReadonlyArray<string>) =>
  runCli([...args, "--dir", join(root, "desired-state")], { sim, dataDir: join(root, "data") })

beforeAll(async () => {
  sim = await startSimulator({ version: "26.7" })
  root = mkdtempSync(join(tmpdir(), "reconciler-cli-"))
  cpSync(TREE, join(root, "desired-state"), { recursive: true })
})
afterAll(async () => {
  await sim.close()
  rmSync(root, { recursive: true, force: true })
})

describe("CLI exit codes", () => {
  const planFile = () => join(root, "plan.json")

  it("plan --detailed-exitcode exits 2 with changes and writes --out", async () => {
    const r = await cli("plan", "--detailed-exitcode", "--out", planFile())
    expect(r.stdout).toContain("Plan: 11 to create, 0 to update, 0 to delete.")
    expect(r.code).toBe(2)
  })

  it("apply refuses without --auto-approve when stdin is not a terminal (exit 3)", async () => {
    const r = await cli("apply", "--plan", planFile())
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("--auto-approve")
  })

  it("apply --plan FILE --auto-approve applies (exit 0), then plan exits 0 and drift 0", async () => {
    const r = await cli("apply", "--plan", planFile(), "--auto-approve", "--json")
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ result: "applied", actor: "ci-bot", verification: { clean: true } })
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0)
    expect((await cli("drift")).code).toBe(0)
  })

  it("a saved plan goes stale when the firewall changes (exit 3), and drift exits 2", async () => {
    expect((await cli("plan", "--out", planFile())).code).toBe(0)
    await setAliasContentOutOfBand(sim, "dns_servers", ["10.0.0.99"])
    const stale = await cli("apply", "--plan", planFile(), "--auto-approve")
    expect(stale.code).toBe(3)
    expect(stale.stderr).toContain("changed since plan")
    const drift = await cli("drift", "--json")
    expect(drift.code).toBe(2)
    expect(JSON.parse(drift.stdout).drifted[0]).toMatchObject({ kind: "alias", name: "dns_servers" })
  })

  it("state verify exits 0 on the DATA_DIR the commands wrote", async () => {
    const r = await cli("state", "verify")
    expect(r.stdout).toContain("consistent")
    expect(r.code).toBe(0)
  })
})

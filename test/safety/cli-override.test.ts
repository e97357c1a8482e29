/**
 * The lockout guard as people meet it: `apply` exits 3 on a plan that would cut the management
 * path, and `--override-lockout REASON` applies it with the reason in the audit log.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"

let sim: SimulatorHandle
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(() => sim.close())

const tree = () => {
  const root = mkdtempSync(join(tmpdir(), "cli-override-"))
  const dir = join(root, "desired")
  mkdirSync(dir)
  // the simulator's MGMT VLAN (opt1, 10.0.10.1) is the management path; a floating block cuts it
  writeFileSync(
    join(dir, "sites.yaml"),
    "sites:\n  - name: default\n    path: .\n    management:\n      interface: opt1\n      address: 10.0.10.1\n      port: 443\n      source: 192.168.1.10\n"
  )
  writeFileSync(
    join(dir, "main.yaml"),
    "rules:\n  - name: no-admin\n    interface: floating\n    action: block\n    protocol: tcp\n    destination: { address: 10.0.10.1, port: 443 }\n"
  )
  return { dir, dataDir: join(root, "data") }
}

describe("apply --override-lockout", () => {
  it(
    "refuses a blocked plan with exit 3 and writes nothing; the override applies it and audits the reason",
    async () => {
      const { dataDir, dir } = tree()
      const plan = await runCli(["plan", "--dir", dir, "--json"], { sim, dataDir })
      expect(JSON.parse(plan.stdout).blocked).toEqual([expect.objectContaining({ name: "no-admin" })])

      const before = sim.state.rules.snapshot().size
      const refused = await runCli(["apply", "--dir", dir, "--auto-approve"], { sim, dataDir })
      expect(refused.code).toBe(3)
      expect(refused.stderr).toMatch(/apply refused: .*no-admin/)
      expect(sim.state.rules.snapshot().size).toBe(before)

      const applied = await runCli(
        ["apply", "--dir", dir, "--auto-approve", "--override-lockout", "console session open, change 4711"],
        { sim, dataDir }
      )
      expect(applied.code, applied.stderr).toBe(0)
      expect(applied.stderr).toContain("applying 1 blocked change(s) on purpose")
      expect(sim.state.rules.snapshot().size).toBe(before + 1)
      expect(readFileSync(join(dataDir, "audit.log"), "utf8")).toContain("console session open, change 4711")
    },
    60_000
  )
})

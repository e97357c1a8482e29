import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

const tempFile = () => join(mkdtempSync(join(tmpdir(), "sim-persist-")), "box.json")

describe("simulator: persisted state (the embedded sandbox across CLI runs)", () => {
  it("restores configuration, running rules and backups, but never credentials", async () => {
    const stateFile = tempFile()
    const first = await startSimulator({ stateFile })
    const added = await post(first, "/api/firewall/alias/add_item", {
      alias: { name: "kept", type: "host", content: "192.0.2.7" }
    })
    expect(added.body.result).toBe("saved")
    const rule = await post(first, "/api/firewall/filter/add_rule", {
      rule: { interface: "lan", description: "kept rule" }
    })
    await post(first, "/api/firewall/filter/apply", {})
    const revisions = first.state.backups.length
    await first.close()
    expect(readFileSync(stateFile, "utf8")).not.toContain(first.apiSecret)

    const second = await startSimulator({ stateFile })
    try {
      expect(second.apiSecret).not.toBe(first.apiSecret)
      const uuid = await call(second, "/api/firewall/alias/get_alias_u_u_i_d/kept")
      expect(uuid.body.uuid).toBe(added.body.uuid)
      expect(second.state.applied.rules.has(rule.body.uuid)).toBe(true)
      expect(second.state.backups.length).toBe(Math.min(revisions, 10))
      // one box: the hardware and automatic rules are not doubled by the restore
      expect(second.state.interfaces.filter((i) => i.identifier === "lan")).toHaveLength(1)
      expect(second.state.legacyRules.length).toBe(first.state.legacyRules.length)
    } finally {
      await second.close()
    }
  })

  it("writes the file after a POST that changed the box, not after a POST that only read it", async () => {
    const stateFile = tempFile()
    const sim = await startSimulator({ stateFile })
    try {
      rmSync(stateFile)
      expect((await post(sim, "/api/firewall/filter/search_rule", { current: 1, rowCount: -1 })).status).toBe(200)
      expect((await post(sim, "/api/firewall/alias/search_item", {})).status).toBe(200)
      expect(existsSync(stateFile)).toBe(false)
      await post(sim, "/api/firewall/alias/add_item", { alias: { name: "saved", type: "host", content: "192.0.2.9" } })
      expect(existsSync(stateFile)).toBe(true)
      rmSync(stateFile)
      await post(sim, "/api/firewall/alias/reconfigure", {})
      expect(existsSync(stateFile)).toBe(true)
      rmSync(stateFile)
      const [newest] = sim.state.backups
      await post(sim, `/api/core/backup/delete_backup/${newest?.id ?? ""}`, {})
      expect(existsSync(stateFile)).toBe(true)
    } finally {
      await sim.close()
    }
  })

  it("starts fresh when the file was written for another emulated version", async () => {
    const stateFile = tempFile()
    const old = await startSimulator({ stateFile, version: "26.1" })
    await post(old, "/api/firewall/alias/add_item", { alias: { name: "only_261", type: "host", content: "192.0.2.8" } })
    await old.close()
    const fresh = await startSimulator({ stateFile, version: "26.7" })
    try {
      expect((await call(fresh, "/api/firewall/alias/get_alias_u_u_i_d/only_261")).body).toEqual([])
    } finally {
      await fresh.close()
    }
  })

  it("lets separate CLI runs against the embedded sandbox see one firewall: apply, then an empty plan", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sandbox-cli-"))
    const env = { ...process.env, OPNSENSE_URL: "", DATA_DIR: dataDir, LOG_DIR: join(dataDir, "logs") }
    const cli = (...args: Array<string>) => promisify(execFile)(process.execPath, ["src/index.ts", ...args], { env })
    const applied = await cli("apply", "--auto-approve")
    expect(applied.stdout).toMatch(/re-plan is empty/)
    expect(existsSync(join(dataDir, "sandbox", "default.json"))).toBe(true)
    const plan = await cli("plan", "--json")
    expect(JSON.parse(plan.stdout).changes).toEqual([])
  }, 60_000)
})

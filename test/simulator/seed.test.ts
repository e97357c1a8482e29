import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { loadSeedFile, startSimulator } from "../../src/Simulator.ts"
import { call } from "./helpers.ts"

const dir = mkdtempSync(join(tmpdir(), "sim-seed-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("simulator seeding", () => {
  it("loads YAML seeds with nested aliases and category names, validating each item", async () => {
    const file = join(dir, "seed.yaml")
    writeFileSync(
      file,
      [
        "categories:",
        "  - { name: dns, color: '00aa00' }",
        "aliases:",
        "  - { name: all_dns, type: networkgroup, content: dns_servers }",
        "  - { name: dns_servers, type: host, content: 192.0.2.53 }",
        "rules:",
        "  - { interface: lan, protocol: udp, destination_net: all_dns, destination_port: 53, description: DNS, categories: dns }"
      ].join("\n")
    )
    const sim = await startSimulator({ unmanaged: false, tls: false, seed: loadSeedFile(file) })
    try {
      const rule = [...sim.state.rules.values()][0]
      expect(rule?.["destination_port"]).toBe("53")
      expect(rule?.["categories"]).toBe(sim.state.categories.find("name", "dns"))
      // seeded objects are running, and the box starts with one backup revision
      expect(sim.state.applied.rules.size).toBe(1)
      expect(sim.state.backups).toHaveLength(1)
    } finally {
      await sim.close()
    }
  })

  it("rejects a seed that names unknown keys or invalid items", async () => {
    const file = join(dir, "bad.json")
    writeFileSync(file, JSON.stringify({ firewall_rules: [] }))
    expect(() => loadSeedFile(file)).toThrow(/unknown key "firewall_rules"/)
    await expect(startSimulator({ tls: false, seed: { vlans: [{ if: "igb1", tag: "9999" }] } })).rejects.toThrow(
      /invalid vlan in seed/
    )
  })

  it("starts with realistic unmanaged objects by default, and without them on request", async () => {
    const full = await startSimulator({ tls: false })
    const empty = await startSimulator({ tls: false, unmanaged: false })
    try {
      expect(full.state.rules.size).toBeGreaterThan(0)
      expect(full.state.vlans.size).toBeGreaterThan(0)
      expect(empty.state.rules.size).toBe(0)
      expect(empty.state.aliases.size).toBe(0)
    } finally {
      await full.close()
      await empty.close()
    }
  })
})

describe("opnsense-mcp sandbox", () => {
  it("prints where it listens, serves the API and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["src/index.ts", "sandbox", "--plain-http", "--json", "--version", "26.1"], {
      env: { ...process.env, OPNSENSE_API_KEY: "cli-key", OPNSENSE_API_SECRET: "cli-secret" }
    })
    const line = await new Promise<string>((resolve, reject) => {
      let out = ""
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString()
        if (out.includes("\n")) resolve(out.split("\n")[0] ?? "")
      })
      child.on("exit", (code) => reject(new Error(`sandbox exited early (${code})`)))
    })
    const info = JSON.parse(line)
    expect(info.version).toBe("26.1.5")
    expect(info.apiSecret).toBe("(from OPNSENSE_API_SECRET)")
    const res = await call(
      { url: info.url, apiKey: "cli-key", apiSecret: "cli-secret", caPem: undefined },
      "/api/core/system/status"
    )
    expect(res.status).toBe(200)
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    child.kill("SIGTERM")
    await exited
  })
})

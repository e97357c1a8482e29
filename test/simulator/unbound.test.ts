/**
 * unbound/settings host overrides, host aliases and query forwarding, and unbound/service/reconfigure,
 * over HTTP on both emulated releases (opnsense/core 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Unbound/Api/SettingsController.php).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call } from "./helpers.ts"

const post = (sim: SimulatorHandle, path: string, body: unknown = {}) => call(sim, path, { method: "POST", body })

for (const version of ["26.1", "26.7"] as const) {
  describe(`simulator ${version}: Unbound overrides`, () => {
    let sim: SimulatorHandle
    beforeAll(async () => {
      sim = await startSimulator({ version, tls: false, unmanaged: false })
    })
    afterAll(() => sim.close())

    it("adds a host override and an alias, lists both, deletes the alias with its host", async () => {
      const added = await post(sim, "/api/unbound/settings/add_host_override", {
        host: { hostname: "nas", domain: "office.lan", rr: "A", server: "192.168.1.20", description: "NAS" }
      })
      expect(added.body.result).toBe("saved")
      const host = added.body.uuid as string
      const alias = await post(sim, "/api/unbound/settings/add_host_alias", {
        alias: { host, hostname: "files", domain: "" }
      })
      expect(alias.body.result).toBe("saved")
      const hosts = await post(sim, "/api/unbound/settings/search_host_override")
      expect(hosts.body.rows).toHaveLength(1)
      expect(hosts.body.rows[0]).toMatchObject({
        uuid: host,
        hostname: "nas",
        domain: "office.lan",
        server: "192.168.1.20"
      })
      if (version === "26.7") {
        expect(hosts.body.rows[0]._children[0]).toMatchObject({
          uuid: alias.body.uuid,
          isAlias: true,
          hostname: "files"
        })
      } else {
        expect(hosts.body.rows[0].aliascount).toBe("1")
      }
      const aliases = await post(sim, `/api/unbound/settings/search_host_alias?host=${host}`)
      expect(aliases.body.rows).toMatchObject([{ uuid: alias.body.uuid, host, hostname: "files" }])
      expect((await post(sim, `/api/unbound/settings/del_host_override/${host}`)).body.result).toBe("deleted")
      expect((await post(sim, "/api/unbound/settings/search_host_alias")).body.rows).toEqual([])
    })

    it("refuses what the model refuses: missing address for A, a bad domain, an alias of an unknown host", async () => {
      const bad = await post(sim, "/api/unbound/settings/add_host_override", {
        host: { hostname: "x y", domain: "bad_domain", rr: "A" }
      })
      expect(bad.body.result).toBe("failed")
      expect(Object.keys(bad.body.validations).sort()).toEqual(["host.domain", "host.hostname", "host.server"])
      expect(bad.body.validations["host.server"]).toBe("The field IP address is required.")
      const orphan = await post(sim, "/api/unbound/settings/add_host_alias", { alias: { host: "nope", hostname: "a" } })
      expect(orphan.body.validations["alias.host"]).toBeDefined()
    })

    it("keeps forward and dot rows apart and counts one reconfigure", async () => {
      const fwd = await post(sim, "/api/unbound/settings/add_forward", {
        dot: { domain: "corp.example", server: "10.0.0.53", description: "corp" }
      })
      expect(fwd.body.result).toBe("saved")
      const rows = (await post(sim, "/api/unbound/settings/search_forward")).body.rows
      expect(rows).toMatchObject([{ uuid: fwd.body.uuid, type: "forward", domain: "corp.example" }])
      const before = sim.state.reconfigureCounts.unbound
      expect((await post(sim, "/api/unbound/service/reconfigure")).body).toEqual({ status: "ok" })
      expect(sim.state.reconfigureCounts.unbound).toBe(before + 1)
      expect(sim.state.applied.unboundDots.size).toBe(1)
    })
  })
}

describe("simulator: Unbound overrides persist", () => {
  it("keeps hosts, aliases and forwards, configured and running, across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-unbound-"))
    const stateFile = join(dir, "box.json")
    try {
      const first = await startSimulator({ version: "26.7", tls: false, unmanaged: false, stateFile })
      const host = (await post(first, "/api/unbound/settings/add_host_override", {
        host: { hostname: "nas", domain: "office.lan", server: "192.168.1.20" }
      })).body.uuid as string
      await post(first, "/api/unbound/settings/add_host_alias", { alias: { host, hostname: "files" } })
      await post(first, "/api/unbound/settings/add_forward", { dot: { domain: "corp.example", server: "10.0.0.53" } })
      await post(first, "/api/unbound/service/reconfigure")
      await first.close()
      const second = await startSimulator({ version: "26.7", tls: false, unmanaged: false, stateFile })
      try {
        expect([...second.state.unboundHosts.keys()]).toEqual([host])
        expect([...second.state.unboundAliases.values()].map((a) => a["hostname"])).toEqual(["files"])
        expect(second.state.applied.unboundDots.size).toBe(1)
      } finally {
        await second.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

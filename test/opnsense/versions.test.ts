/**
 * What the client does per OPNsense version (docs/client.md "Version matrix"), against the
 * simulator over HTTPS: the 403 of version detection names the privilege the firewall's ACL asks
 * for; the version is overridden with the client's own `version` option where the simulator does
 * not emulate the release.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AliasSpec } from "../../src/Domain/Model.ts"
import { layerSimulator, Opnsense } from "../../src/Opnsense.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"

const retry = { maxRetries: 0, baseDelayMs: 5, maxDelayMs: 20 }

describe("version detection and version gates", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.apiKeys.push({ key: "no-firmware", secret: "s", user: "auditor", privileges: ["page-system-status"] })
  })
  afterAll(() => sim.close())
  beforeEach(() => {
    sim.faults.reset()
    sim.requests.clear()
  })

  it.live("a 403 on core/firmware/status names page-system-firmware-manualupdate, the privilege its ACL asks for", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Opnsense).version)
      // opnsense/core 25.7, 26.1, 26.7.2: src/opnsense/mvc/app/models/OPNsense/Core/ACL/ACL.xml
      // <page-system-firmware-manualupdate> "System: Firmware" holds api/core/firmware/*
      expect(error).toMatchObject({
        _tag: "PermissionError",
        privilege: "page-system-firmware-manualupdate (System: Firmware)"
      })
      expect(error.message).toContain("page-system-firmware-manualupdate (System: Firmware)")
      expect(error.message).toContain("GET core/firmware/status")
    }).pipe(Effect.provide(layerSimulator({ ...sim, apiKey: "no-firmware", apiSecret: "s" }, { retry }))))

  const authgroup = (name: string, content: ReadonlyArray<string>): AliasSpec => ({
    name,
    type: "authgroup",
    content,
    enabled: true,
    description: "",
    categories: [],
    updateFrequency: ""
  })

  it.live("authgroup aliases read back as the gids written (search rows carry names, or nothing for several)", () =>
    Effect.gen(function*() {
      sim.state.userGroups.push({ gid: "2001", name: "vpn" })
      const opnsense = yield* Opnsense
      yield* opnsense.aliases.create(authgroup("admins_only", ["1999"]), "admins-only")
      yield* opnsense.aliases.create(authgroup("admins_vpn", ["1999", "2001"]), "admins-vpn")
      sim.requests.clear()
      const live = yield* opnsense.aliases.list
      const content = Object.fromEntries(
        live.filter((a) => a.spec.type === "authgroup").map((a) => [a.spec.name, a.spec.content])
      )
      expect(content).toEqual({ admins_only: ["1999"], admins_vpn: ["1999", "2001"] })
      // the raw content of those aliases only: one export of their uuids beside the search
      expect(sim.requests.count("/api/firewall/alias/search_item")).toBe(1)
      expect(sim.requests.count("/api/firewall/alias/export")).toBe(1)
    }).pipe(Effect.provide(layerSimulator(sim, { retry }))))
})

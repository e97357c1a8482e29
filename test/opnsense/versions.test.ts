/**
 * What the client does per OPNsense version (docs/client.md "Version matrix"), against the
 * simulator over HTTPS: the 403 of version detection names the privilege the firewall's ACL asks
 * for; the version is overridden with the client's own `version` option where the simulator does
 * not emulate the release.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { FirmwareVersion } from "../../src/Domain/Model.ts"
import type { AliasSpec } from "../../src/Kinds/Alias/Spec.ts"
import { layerSimulator, Opnsense } from "../../src/Opnsense.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { aliasSpec, ruleSpec as rule } from "../reconciler/fixtures.ts"

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

  const authgroup = (name: string, content: ReadonlyArray<string>): AliasSpec =>
    aliasSpec(name, { type: "authgroup", content })

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

  const v = (raw: string): FirmwareVersion => {
    const [major = 0, minor = 0, patch = 0] = raw.split(".").map(Number)
    return { major, minor, patch, raw }
  }
  it.live("24.7 is read, and every write is refused naming what its filter model lacks; nothing is sent", () =>
    Effect.gen(function*() {
      const opnsense = yield* Opnsense
      const snapshot = yield* opnsense.snapshot({ fresh: true })
      expect(snapshot.rules.length).toBeGreaterThan(0)
      expect(snapshot.version.raw).toBe("24.7.12")
      sim.requests.clear()
      const refused = [
        yield* Effect.flip(opnsense.aliases.create(authgroup("never", ["1999"]), "never")),
        yield* Effect.flip(opnsense.rules.create(rule(), "never", { sequence: 10 })),
        yield* Effect.flip(opnsense.vlans.remove("00000000-0000-4000-8000-000000000001")),
        yield* Effect.flip(opnsense.rules.reconfigure)
      ]
      for (const error of refused) {
        expect(error._tag).toBe("UnsupportedVersionError")
        expect(error.message).toContain("OPNsense 24.7.12 on site \"default\" is read-only")
        for (
          const lack of [
            "no interfacenot",
            "no direction \"any\"",
            "no ipprotocol inet46",
            "single-valued",
            "no TCP/UDP"
          ]
        ) {
          expect(error.message).toContain(lack)
        }
      }
      expect(sim.requests.count((e) => e.method === "POST")).toBe(0)
    }).pipe(Effect.provide(layerSimulator(sim, { retry, version: v("24.7.12") }))))

  it.live("25.7 writes, but refuses direction any (26.1+) before sending; 26.1 takes it", () =>
    Effect.gen(function*() {
      const old = yield* Opnsense
      const error = yield* Effect.flip(old.rules.create(rule({ direction: "any" }), "both-ways", { sequence: 20 }))
      expect(error).toMatchObject({ _tag: "UnsupportedVersionError", missing: ["direction any"] })
      expect(error.message).toContain("no direction \"any\" (in and out only)")
      expect(error.message).toContain("one rule per direction")
      expect(sim.requests.count("/api/firewall/filter/add_rule")).toBe(0)
      const uuid = yield* old.rules.create(rule({ ipVersion: "inet46", protocol: "TCP/UDP" }), "dual", { sequence: 21 })
      expect(sim.state.rules.get(uuid)?.["ipprotocol"]).toBe("inet46")
    }).pipe(Effect.provide(layerSimulator(sim, { retry, version: v("25.7.11") }))))

  it.live("26.1 takes direction any", () =>
    Effect.gen(function*() {
      const uuid = yield* (yield* Opnsense).rules.create(rule({ direction: "any" }), "both-ways", { sequence: 22 })
      expect(sim.state.rules.get(uuid)?.["direction"]).toBe("any")
    }).pipe(Effect.provide(layerSimulator(sim, { retry, version: v("26.1.5") }))))

  it("a box reporting 24.7 in core/firmware/status is detected as such and not written", async () => {
    const old = await startSimulator({ reportVersion: "24.7.12" })
    try {
      await Effect.runPromise(
        Effect.gen(function*() {
          const opnsense = yield* Opnsense
          expect((yield* opnsense.version).raw).toBe("24.7.12")
          const error = yield* Effect.flip(opnsense.rules.create(rule(), "never", { sequence: 10 }))
          expect(error).toMatchObject({ _tag: "UnsupportedVersionError", version: "24.7.12" })
          expect(old.requests.count((e) => e.method === "POST")).toBe(0)
        }).pipe(Effect.provide(layerSimulator(old, { retry })))
      )
    } finally {
      await old.close()
    }
  })
})

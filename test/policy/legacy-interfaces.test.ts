/**
 * Legacy and automatic rows of search_rule name their interfaces by description ("LAN"), as
 * getLegacyFieldMap writes them (opnsense/core 26.1+: FilterController.php). The client maps them
 * back with the interface list, so explain and the lockout guard evaluate them on `lan`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import type { Plan } from "../../src/Domain/Plan.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { explain, fromLive, type Packet } from "../../src/Policy.ts"
import { guardPlan } from "../../src/Safety/Lockout.ts"
import { type LegacyRule, type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { config, ruleSpec } from "../reconciler/fixtures.ts"
import { call, post } from "../simulator/helpers.ts"

const allowLan: LegacyRule = {
  label: "0123456789abcdef0123456789abcdef",
  interface: "lan",
  action: "pass",
  ipprotocol: "inet",
  protocol: "any",
  source: "lan",
  destination: "any",
  destinationPort: "",
  description: "allow LAN",
  automatic: false,
  prio: 400000,
  sequence: 1,
  log: false,
  quick: true
}

const snapshotOf = (sim: SimulatorHandle): Promise<LiveSnapshot> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const client = yield* Opnsense
      return yield* client.snapshot()
    }).pipe(Effect.provide(layerSimulator(sim, { cacheTtlSeconds: 0 })))
  )

const decidedBy = (live: LiveSnapshot, packet: Packet): string => {
  const e = explain(fromLive(live), packet)
  if (Result.isFailure(e)) throw new Error(e.failure.message)
  return `${e.success.decision} by ${e.success.decidedBy.rule}`
}

describe("legacy and automatic rules name interfaces by description (26.7)", () => {
  let sim: SimulatorHandle
  let live: LiveSnapshot
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.7", unmanaged: false, seed: { legacyRules: [allowLan] } })
    live = await snapshotOf(sim)
  })
  afterAll(() => sim.close())

  it("the simulator shows descriptions and `%` twins, as search_rule does from 26.1.9", async () => {
    const rows = (await post(sim, "/api/firewall/filter/search_rule", {})).body.rows as Array<Record<string, unknown>>
    const legacy = rows.find((r) => r["description"] === "allow LAN")
    expect(legacy).toMatchObject({ interface: "LAN", action: "pass", "%action": "Pass", ipprotocol: "inet" })
    expect(rows.find((r) => r["description"] === "Anti-Lockout Rule")).toMatchObject({
      interface: "LAN",
      ipprotocol: "",
      "%ipprotocol": ""
    })
    // the interface filter still compares identifiers
    const lan = (await post(sim, "/api/firewall/filter/search_rule", { interface: "lan" })).body.rows
    expect(lan.some((r: Record<string, unknown>) => r["description"] === "allow LAN")).toBe(true)
  })

  it("the simulator lists lo0 in the overview, but not in the filter's interface list", async () => {
    const overview = (await call(sim, "/api/interfaces/overview/interfaces_info")).body.rows
    expect(overview.find((r: Record<string, unknown>) => r["device"] === "lo0")).toMatchObject({
      identifier: "lo0",
      description: "Loopback",
      ipv4: [{ ipaddr: "127.0.0.1/8" }],
      ipv6: [{ ipaddr: "::1/128" }]
    })
    const list = (await call(sim, "/api/firewall/filter/get_interface_list")).body
    expect(list.interfaces.items).toEqual([
      { value: "lan", label: "LAN", type: "interface" },
      { value: "wan", label: "WAN", type: "interface" }
    ])
    expect(list.floating.items[0].value).toBe("__floating")
  })

  it("the client maps them back to identifiers", () => {
    const byName = (d: string) => live.rules.find((r) => r.spec.description === d)?.spec
    expect(byName("allow LAN")).toMatchObject({ interfaces: ["lan"], ipVersion: "inet" })
    expect(byName("Anti-Lockout Rule")).toMatchObject({ interfaces: ["lan"], ipVersion: "inet46" })
    expect(live.interfaces?.map((i) => `${i.identifier}=${i.description}`)).toEqual(
      expect.arrayContaining(["lan=LAN", "wan=WAN", "lo0=Loopback"])
    )
  })

  it("explain evaluates the legacy rule and the anti-lockout rule on lan", () => {
    expect(decidedBy(live, {
      source: "192.168.1.50",
      destination: "198.51.100.7",
      protocol: "tcp",
      destinationPort: 8443,
      interface: "lan"
    })).toBe("pass by allow LAN")
    expect(decidedBy(live, {
      source: "192.168.1.50",
      destination: "192.168.1.1",
      protocol: "tcp",
      destinationPort: 443,
      interface: "lan"
    })).toBe("pass by Anti-Lockout Rule")
  })

  it("the lockout guard sees the anti-lockout rule keep the management path on lan open", () => {
    const plan: Plan = {
      planId: "p",
      site: "default",
      createdAt: "",
      firewallVersion: live.version.raw,
      liveDigest: "d",
      changes: [{
        action: "create",
        kind: "rule",
        name: "deny-lan",
        sequence: 1,
        after: ruleSpec({ action: "block", interfaces: ["lan"] })
      }],
      summary: { create: 1, update: 0, delete: 0 },
      warnings: [],
      blocked: []
    }
    const site = config({ management: { interface: "lan", address: "192.168.1.1", port: 443 } })
    const result = guardPlan(plan, live, site, sim.url)
    expect(result.blocked).toEqual([])
    expect(result.warnings.filter((w) => w.includes("192.168.1.1"))).toEqual([])
  })
})

describe("legacy rows on 26.1 (show_all only, labels in place)", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.1", unmanaged: false, seed: { legacyRules: [allowLan] } })
  })
  afterAll(() => sim.close())

  it("counts rules per interface in the filter's interface list", async () => {
    const list = (await call(sim, "/api/firewall/filter/get_interface_list")).body
    expect(list.interfaces.items.map((i: Record<string, unknown>) => i["count"])).toEqual([0, 0])
  })

  it("translates interface, action and ipprotocol in place", async () => {
    const plain = (await post(sim, "/api/firewall/filter/search_rule", {})).body.rows
    expect(plain.some((r: Record<string, unknown>) => r["legacy"] === true)).toBe(false)
    const all = (await post(sim, "/api/firewall/filter/search_rule", { interface: "lan", show_all: "1" })).body.rows
    expect(all.find((r: Record<string, unknown>) => r["description"] === "allow LAN")).toMatchObject({
      interface: "LAN",
      action: "Pass",
      ipprotocol: "IPv4"
    })
    expect(all.find((r: Record<string, unknown>) => r["description"] === "Anti-Lockout Rule")).toMatchObject({
      interface: "LAN",
      action: "Pass",
      categories: "Automatically generated rules"
    })
  })
})

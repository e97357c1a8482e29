/**
 * The Opnsense client against the simulator over real HTTPS: bulk reads (one request per kind,
 * asserted from the simulator's request log), canonical decoding including read-only legacy,
 * automatic and built-in objects, writes with the ownership marker, reconfigure, backups.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AliasSpec } from "../../src/Kinds/Alias/Spec.ts"
import type { RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
import type { VlanSpec } from "../../src/Kinds/Vlan/Spec.ts"
import { type BulkRow, layerSimulator, Opnsense, type OpnsenseShape } from "../../src/Opnsense.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"

/** upload_rules through the rules' bulk call */
const upload = (client: OpnsenseShape) => (rows: ReadonlyArray<BulkRow<RuleSpec>>) =>
  client.rules.bulk === undefined ? Effect.die(new Error("rules have no bulk call")) : client.rules.bulk.upsert(rows)

const fast = { retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 } }

const alias: AliasSpec = {
  name: "gitops_dns",
  type: "host",
  content: ["192.0.2.53", "192.0.2.54"],
  enabled: true,
  description: "DNS servers",
  categories: ["gitops"],
  updateFrequency: ""
}
const vlan: VlanSpec = { parent: "igb1", tag: 30, priority: 3, proto: "802.1q", description: "IoT devices" }
const ruleSpec: RuleSpec = {
  enabled: true,
  action: "pass",
  quick: true,
  interfaces: ["lan"],
  interfaceInvert: false,
  direction: "in",
  ipVersion: "inet",
  protocol: "TCP/UDP",
  source: { addresses: ["lan"], invert: false, port: "" },
  destination: { addresses: ["gitops_dns"], invert: false, port: "53" },
  log: true,
  gateway: "",
  description: "DNS to resolvers",
  categories: ["gitops"]
}
const rule = ruleSpec

describe("Opnsense client on a simulated 26.7", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(() => sim.close())

  const provide = <A, E>(effect: Effect.Effect<A, E, Opnsense>) => Effect.provide(effect, layerSimulator(sim, fast))

  it.effect("detects the version once and reads a snapshot with one request per kind", () =>
    provide(Effect.gen(function*() {
      const client = yield* Opnsense
      sim.requests.clear()
      const snapshot = yield* client.snapshot()
      expect(snapshot.version).toMatchObject({ major: 26, minor: 7, raw: sim.version })
      expect(sim.requests.countByEndpoint()).toEqual({
        "/api/core/firmware/status": 1,
        "/api/firewall/category/search_item": 1,
        "/api/interfaces/vlan_settings/search_item": 1,
        "/api/interfaces/assignment/search_item": 1,
        "/api/interfaces/overview/interfaces_info": 1,
        "/api/firewall/filter/get_interface_list": 1,
        "/api/firewall/alias/search_item": 1,
        "/api/firewall/filter/search_rule": 1,
        "/api/unbound/settings/search_host_override": 1,
        "/api/unbound/settings/search_host_alias": 1,
        "/api/unbound/settings/search_forward": 1,
        "/api/firewall/source_nat/download_rules": 1,
        "/api/firewall/one_to_one/search_rule": 1,
        // the outbound NAT mode
        "/api/firewall/source_nat/get": 1,
        "/api/firewall/d_nat/search_rule": 1,
        "/api/kea/dhcpv4/search_subnet": 1,
        "/api/kea/dhcpv4/search_reservation": 1,
        "/api/routes/routes/get": 1,
        "/api/routing/settings/get": 1
      })
      const perSnapshot = sim.requests.count() - 1
      sim.requests.clear()
      yield* client.snapshot({ fresh: true })
      expect(sim.requests.count()).toBe(perSnapshot) // version is remembered
      sim.requests.clear()
      const cached = yield* client.snapshot()
      expect(sim.requests.count()).toBe(0)
      expect(cached).toEqual({ ...snapshot, fetchedAt: cached.fetchedAt })
    })))

  it.effect("decodes a cached snapshot once: later hits on the same entry reuse it", () =>
    provide(Effect.gen(function*() {
      const client = yield* Opnsense
      yield* client.snapshot({ fresh: true })
      sim.requests.clear()
      const first = yield* client.snapshot()
      const second = yield* client.snapshot()
      expect(sim.requests.count()).toBe(0)
      expect(second).toBe(first)
      // a write drops the entry: the next snapshot is read and decoded anew, and shows the write
      const id = yield* client.aliases.create({ ...alias, name: "cached_hits", categories: [] }, "cache-test")
      const after = yield* client.snapshot()
      expect(after).not.toBe(first)
      expect(after.aliases.some((a) => a.uuid === id)).toBe(true)
      const hit = yield* client.snapshot()
      expect(hit).toEqual(after)
      expect(yield* client.snapshot()).toBe(hit)
      yield* client.aliases.remove(id)
    })))

  it.effect("reads the category list with the snapshot, not again for each write that names categories", () =>
    provide(Effect.gen(function*() {
      const client = yield* Opnsense
      const rule: RuleSpec = { ...ruleSpec, destination: { ...ruleSpec.destination, addresses: ["192.0.2.53"] } }
      yield* client.snapshot({ fresh: true })
      sim.requests.clear()
      const ids: Array<string> = []
      for (let i = 0; i < 3; i++) {
        ids.push(
          yield* client.rules.create({ ...rule, categories: ["once-read"] }, `cat-once-${i}`, { sequence: 7000 + i })
        )
      }
      const counts = sim.requests.countByEndpoint()
      expect(counts["/api/firewall/category/search_item"] ?? 0).toBe(0)
      expect(counts["/api/firewall/category/add_item"]).toBe(1)
      expect(counts["/api/firewall/filter/add_rule"]).toBe(3)
      const live = yield* client.snapshot()
      for (const id of ids) expect(live.rules.find((r) => r.uuid === id)?.spec.categories).toEqual(["once-read"])

      // a category deleted behind our back fails one write, and the next write reads the list again
      for (const id of ids) yield* client.rules.remove(id)
      const gone = sim.state.categories.find("name", "once-read") ?? ""
      expect(sim.state.categories.delete(gone)).toBe(true)
      const refused = yield* Effect.flip(
        client.rules.create({ ...rule, categories: ["once-read"] }, "cat-gone", { sequence: 7100 })
      )
      expect(refused._tag).toBe("ValidationError")
      sim.requests.clear()
      const again = yield* client.rules.create({ ...rule, categories: ["once-read"] }, "cat-again", { sequence: 7101 })
      expect(sim.requests.countByEndpoint()["/api/firewall/category/search_item"]).toBe(1)
      expect((yield* client.snapshot()).rules.find((r) => r.uuid === again)?.spec.categories).toEqual(["once-read"])
      yield* client.rules.remove(again)
    })))

  it.effect("keeps legacy, automatic and built-in objects, marked read-only", () =>
    provide(Effect.gen(function*() {
      const snapshot = yield* (yield* Opnsense).snapshot()
      const automatic = snapshot.rules.filter((r) => r.origin === "automatic")
      expect(automatic.map((r) => r.spec.description)).toContain("Anti-Lockout Rule")
      expect(automatic.every((r) => r.owner === undefined)).toBe(true)
      const antiLockout = automatic.find((r) => r.spec.description === "Anti-Lockout Rule")
      expect(antiLockout?.spec).toMatchObject({
        interfaces: ["lan"],
        action: "pass",
        protocol: "TCP",
        destination: { addresses: ["(self)"] }
      })
      const builtin = snapshot.aliases.filter((a) => a.origin === "builtin").map((a) => a.spec.name)
      expect(builtin).toEqual(
        expect.arrayContaining(["bogons", "bogonsv6", "virusprot", "sshlockout", "__lan_network"])
      )
      expect(snapshot.aliases.filter((a) => a.origin === "mvc").every((a) => !a.spec.name.startsWith("__"))).toBe(true)
    })))

  it.effect("creates, reads back, updates, reorders and deletes each kind, marking ownership", () =>
    provide(Effect.gen(function*() {
      const client = yield* Opnsense
      const aliasId = yield* client.aliases.create(alias, "dns-servers")
      const vlanId = yield* client.vlans.create(vlan, "iot")
      const ruleId = yield* client.rules.create(rule, "iot-dns", { sequence: 5000 })
      sim.requests.clear()
      yield* Effect.all([client.aliases.reconfigure, client.vlans.reconfigure, client.rules.reconfigure])
      expect(sim.requests.countByEndpoint()).toEqual({
        "/api/firewall/alias/reconfigure": 1,
        "/api/interfaces/vlan_settings/reconfigure": 1,
        "/api/firewall/filter/apply": 1
      })

      // every write invalidated the cache: this snapshot reads the firewall again
      const snapshot = yield* client.snapshot()
      expect(snapshot.aliases.find((a) => a.uuid === aliasId)).toEqual({
        uuid: aliasId,
        origin: "mvc",
        owner: "dns-servers",
        spec: alias
      })
      const liveVlan = snapshot.vlans.find((v) => v.uuid === vlanId)
      expect(liveVlan).toMatchObject({ origin: "mvc", owner: "iot", spec: vlan })
      expect(liveVlan?.device).toMatch(/^vlan0\d+$/)
      expect(snapshot.rules.find((r) => r.uuid === ruleId)).toEqual({
        uuid: ruleId,
        origin: "mvc",
        owner: "iot-dns",
        sequence: 5000,
        spec: rule
      })
      // the marker is on the firewall, in the description
      const stored = sim.state.rules.get(ruleId)
      expect(JSON.stringify(stored)).toContain("DNS to resolvers [gitops:iot-dns]")

      yield* client.rules.update(
        ruleId,
        { ...rule, destination: { ...rule.destination, port: "853" } },
        "iot-dns",
        { sequence: 5000 }
      )
      yield* client.rules.update(ruleId, rule, "iot-dns", { sequence: 4200, onlySequence: true })
      yield* client.aliases.update(aliasId, { ...alias, content: ["192.0.2.53"] }, "dns-servers")
      yield* client.vlans.update(vlanId, { ...vlan, priority: 5 }, "iot")
      const after = yield* client.snapshot()
      expect(after.rules.find((r) => r.uuid === ruleId)).toMatchObject({
        sequence: 4200,
        spec: { destination: { port: "853" } }
      })
      expect(after.aliases.find((a) => a.uuid === aliasId)?.spec.content).toEqual(["192.0.2.53"])
      expect(after.vlans.find((v) => v.uuid === vlanId)?.spec.priority).toBe(5)

      yield* client.rules.remove(ruleId)
      yield* client.aliases.remove(aliasId)
      yield* client.vlans.remove(vlanId)
      const gone = yield* client.snapshot()
      expect([gone.rules, gone.aliases, gone.vlans].flat().map((o) => o.uuid)).not.toEqual(
        expect.arrayContaining([ruleId])
      )
      expect(gone.aliases.some((a) => a.uuid === aliasId) || gone.vlans.some((v) => v.uuid === vlanId)).toBe(false)
    })))

  it.effect("reports what the firewall refuses as typed errors", () =>
    provide(Effect.gen(function*() {
      const client = yield* Opnsense
      const invalid = yield* Effect.flip(client.aliases.create({ ...alias, name: "9bad", categories: [] }, "bad"))
      expect(invalid._tag).toBe("ValidationError")
      expect(invalid._tag === "ValidationError" && invalid.validations["alias.name"]).toBeTruthy()
      const missing = yield* Effect.flip(client.rules.remove("6b6f6ba4-7a6d-4b4e-9b0a-3f1f0c3d2e1a"))
      expect(missing._tag).toBe("NotFoundError")
      const range = yield* Effect.flip(
        client.rules.update("6b6f6ba4-7a6d-4b4e-9b0a-3f1f0c3d2e1a", rule, "x", {
          sequence: 1_000_000,
          onlySequence: true
        })
      )
      expect(range.message).toContain("outside 1..999999")

      // an alias in use by a rule cannot be deleted: 500 UserException → OperationRefusedError
      const aliasId = yield* client.aliases.create({ ...alias, categories: [] }, "in-use")
      const ruleId = yield* client.rules.create({ ...rule, categories: [] }, "uses-alias", { sequence: 6000 })
      const refused = yield* Effect.flip(client.aliases.remove(aliasId))
      expect(refused._tag).toBe("OperationRefusedError")
      expect(refused.message).toContain("gitops_dns")
      yield* client.rules.remove(ruleId)
      yield* client.aliases.remove(aliasId)
    })))

  it.effect("lists, downloads and reverts backups", () =>
    provide(Effect.gen(function*() {
      const client = yield* Opnsense
      const before = yield* client.backups.current
      expect(before).toBeDefined()
      const xml = yield* client.backups.download(before?.revision ?? "")
      expect(xml).toContain("<opnsense")
      const aliasId = yield* client.aliases.create({ ...alias, name: "reverted_away", categories: [] }, "temp")
      expect((yield* client.backups.list).length).toBeGreaterThan(1)
      yield* client.backups.revert(before?.revision ?? "")
      const snapshot = yield* client.snapshot()
      expect(snapshot.aliases.some((a) => a.uuid === aliasId)).toBe(false)
    })))
})

describe("Opnsense client on a simulated 26.1", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.1" })
  })
  afterAll(() => sim.close())

  it.effect("reads 26.1 and bulk-writes rules through upload_rules", () =>
    Effect.gen(function*() {
      const client = yield* Opnsense
      const snapshot = yield* client.snapshot()
      expect(snapshot.version).toMatchObject({ major: 26, minor: 1 })
      const outcomes = yield* upload(client)([
        {
          spec: { ...rule, categories: [], destination: { addresses: ["192.0.2.53"], invert: false, port: "53" } },
          owner: "bulk-1",
          sequence: 7000
        },
        {
          spec: { ...rule, categories: [], destination: { addresses: ["192.0.2.54"], invert: false, port: "53" } },
          owner: "bulk-2",
          sequence: 7100
        }
      ])
      expect(outcomes.map((o) => o._tag)).toEqual(["Saved", "Saved"])
      const after = yield* client.snapshot()
      expect(after.rules.filter((r) => r.owner?.startsWith("bulk-")).map((r) => [r.owner, r.sequence])).toEqual([[
        "bulk-1",
        7000
      ], ["bulk-2", 7100]])
    }).pipe(Effect.provide(layerSimulator(sim, fast))))
})

describe("upload_rules retried on 26.1", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.1", unmanaged: false })
  })
  afterAll(() => sim.close())

  it.live("re-sends an upload whose connection dropped: every row carries its own uuid, so no twin", () =>
    Effect.gen(function*() {
      const client = yield* Opnsense
      sim.faults.dropNext(1, "/api/firewall/filter/upload_rules")
      const outcomes = yield* upload(client)(["retry-1", "retry-2"].map((owner, i) => ({
        spec: {
          ...rule,
          categories: ["new_cat"],
          destination: { addresses: [`192.0.2.${i + 1}`], invert: false, port: "53" }
        },
        owner,
        sequence: 8000 + i
      })))
      expect(outcomes.map((o) => o._tag)).toEqual(["Saved", "Saved"])
      expect(sim.requests.count("/api/firewall/filter/upload_rules")).toBe(2)
      const after = yield* client.snapshot({ fresh: true })
      const ours = after.rules.filter((r) => r.owner?.startsWith("retry-"))
      expect(ours.map((r) => r.uuid).sort()).toEqual(outcomes.map((o) => o.uuid).sort())
      expect(ours.every((r) => r.spec.categories.includes("new_cat"))).toBe(true)
    }).pipe(Effect.provide(layerSimulator(sim, fast))))
})

describe("upload_rules rows the CSV cannot carry on 26.1", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.1", unmanaged: false })
  })
  afterAll(() => sim.close())

  it.effect("writes a row whose quoted value has a backslash with set_rule, under its own uuid", () =>
    Effect.gen(function*() {
      const client = yield* Opnsense
      const tricky = "path C:\\share; \"quoted\\\""
      const outcomes = yield* upload(client)(["csv-1", "csv-2"].map((owner, i) => ({
        spec: {
          ...rule,
          categories: [],
          destination: { addresses: ["192.0.2.80"], invert: false, port: "80" },
          description: i === 0 ? tricky : "plain"
        },
        owner,
        sequence: 9000 + i
      })))
      expect(outcomes.map((o) => o._tag)).toEqual(["Saved", "Saved"])
      expect(sim.requests.count("/api/firewall/filter/upload_rules")).toBe(1)
      expect(sim.requests.count("/api/firewall/filter/set_rule")).toBe(1)
      const after = yield* client.snapshot({ fresh: true })
      const first = after.rules.find((r) => r.owner === "csv-1")
      expect(first?.uuid).toBe(outcomes[0]?.uuid)
      expect(first?.spec.description).toBe(tricky)
    }).pipe(Effect.provide(layerSimulator(sim, fast))))
})

describe("bulk reads at scale", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ scale: 2000 })
  })
  afterAll(() => sim.close())

  it.effect("still makes one request per kind for 2,000 rules", () =>
    Effect.gen(function*() {
      sim.requests.clear()
      const snapshot = yield* (yield* Opnsense).snapshot()
      expect(snapshot.rules.filter((r) => r.origin === "mvc").length).toBeGreaterThanOrEqual(2000)
      expect(snapshot.aliases.length).toBeGreaterThanOrEqual(200)
      // one request per endpoint, whatever the number of rules
      expect(Object.values(sim.requests.countByEndpoint()).every((n) => n === 1)).toBe(true)
    }).pipe(Effect.provide(layerSimulator(sim, fast))))
})

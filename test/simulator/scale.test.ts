import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

describe("simulator at scale (10 000 rules)", () => {
  let sim: SimulatorHandle
  let startMs = 0
  beforeAll(async () => {
    const t = performance.now()
    sim = await startSimulator({ scale: 10_000, tls: false })
    startMs = performance.now() - t
  }, 120_000)
  afterAll(() => sim.close())

  it("generates N rules, N/10 aliases and N/20 VLANs", () => {
    expect(startMs).toBeLessThan(30_000)
    expect(sim.state.rules.size).toBeGreaterThanOrEqual(10_000)
    expect(sim.state.aliases.size).toBeGreaterThanOrEqual(1_000)
    expect(sim.state.vlans.size).toBeGreaterThanOrEqual(500)
  })

  // Timed on the server (request log), not the client: the 24 MB transfer and JSON.parse in the
  // test process are not the simulator's cost. Bounds are loose for busy CI machines; they catch
  // quadratic behaviour, not milliseconds.
  it("serves the whole filter model and search without rescanning per rule", async () => {
    sim.requests.clear()
    const first = await call(sim, "/api/firewall/filter/get")
    expect(Object.keys(first.body.filter.rules.rule).length).toBe(sim.state.rules.size)
    await call(sim, "/api/firewall/filter/get")
    const search = await post(sim, "/api/firewall/filter/search_rule", { rowCount: 50, current: 3 })
    expect(search.body.rowCount).toBe(50)
    const [cold, warm, searchMs] = sim.requests.entries.map((e) => e.ms)
    expect(cold).toBeLessThan(15_000)
    expect(warm).toBeLessThan(5_000)
    expect(searchMs).toBeLessThan(5_000)
  })

  it("keeps writes cheap", async () => {
    const t = performance.now()
    for (let i = 0; i < 20; i++) {
      await post(sim, "/api/firewall/filter/add_rule", { rule: { interface: "lan", description: `bulk ${i}` } })
    }
    expect(performance.now() - t).toBeLessThan(5_000)
  })
})

/**
 * Outbound NAT rules end to end against the simulator over HTTPS: plan, apply with one filter
 * reconfigure, re-plan empty, update, reorder, delete, adoption and import, on 26.1 and 26.7.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Opnsense } from "../../src/Opnsense.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const SITES = (mode: string) => `sites:\n  - name: default\n    path: .\n    outbound_nat_mode: ${mode}\n`

const NAT = `aliases:
  - name: office_net
    type: network
    content: [192.168.1.0/24]
outbound_nat:
  - name: office-out
    interface: wan
    source: office_net
    target: wanip
    description: Office to the internet
  - name: smtp-relay
    interface: wan
    protocol: tcp
    source: 192.168.1.25
    destination: { port: 25 }
    target: 203.0.113.25
`

const reconfigures = (harness: Harness) => [
  harness.sim.requests.count("/api/firewall/filter/apply"),
  harness.sim.requests.count("/api/firewall/source_nat/apply"),
  harness.sim.requests.count("/api/firewall/one_to_one/apply")
]

const replace = (harness: Harness, files: Readonly<Record<string, string>>) => {
  for (const f of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, f))
  for (const [file, content] of Object.entries(files)) writeFileSync(join(harness.desiredDir, file), content)
}

for (const version of ["26.1", "26.7"] as const) {
  describe(`outbound NAT (${version})`, () => {
    it("plans, applies with one filter reconfigure, re-plans empty; updates, reorders and deletes", async () => {
      h = await startHarness({ version, unmanaged: false, files: { "sites.yaml": SITES("hybrid"), "nat.yaml": NAT } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.filter((c) => c.kind === "outbound_nat").map((c) => [c.action, c.name, c.sequence]))
        .toEqual([["create", "office-out", 100], ["create", "smtp-relay", 200]])
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification).toEqual({ clean: true, remaining: [] })
      // filter rules, source NAT and 1:1 share FilterBaseController's one `filter reload`
      expect(reconfigures(harness)).toEqual([1, 0, 0])
      const stored = [...harness.sim.state.snat.values()].find((r) => r["description"]?.includes("smtp-relay"))
      expect(stored).toMatchObject({
        interface: "wan",
        protocol: "TCP",
        source_net: "192.168.1.25",
        destination_port: "25",
        target: "203.0.113.25",
        description: "[gitops:smtp-relay]"
      })
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

      // a changed field is an update, a moved item a reorder, a removed one a delete
      replace(harness, {
        "sites.yaml": SITES("hybrid"),
        "nat.yaml": NAT.replace("target: 203.0.113.25", "target: 203.0.113.26").replace(
          /  - name: office-out[\s\S]*?(?=  - name: smtp-relay)/,
          ""
        )
      })
      const next = await run(harness, Reconciler.use((r) => r.plan()))
      expect(next.changes.filter((c) => c.kind === "outbound_nat").map((c) => [c.action, c.name])).toEqual([
        ["delete", "office-out"],
        ["update", "smtp-relay"]
      ])
      expect(next.changes.find((c) => c.name === "smtp-relay")?.diff).toContainEqual({
        path: "target",
        from: "203.0.113.25",
        to: "203.0.113.26"
      })
      const applied = await run(harness, Reconciler.use((r) => r.apply(next.planId, { approve: true })))
      expect(applied.result).toBe("applied")
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })

    it("static_port (staticnatport, 26.1.5+): written, read back without a false diff, and turned off", async () => {
      const voice = "outbound_nat:\n  - name: voice-out\n    interface: wan\n    source: 192.168.1.0/24\n" +
        "    target: wanip\n    static_port: true\n"
      h = await startHarness({ version, unmanaged: false, files: { "sites.yaml": SITES("hybrid"), "nat.yaml": voice } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.warnings.filter((w) => w.includes("static_port"))).toEqual([])
      expect((await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))).result).toBe(
        "applied"
      )
      const stored = () => [...harness.sim.state.snat.values()].find((r) => r["description"]?.includes("voice-out"))
      expect(stored()).toMatchObject({ staticnatport: "1" })
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

      replace(harness, { "sites.yaml": SITES("hybrid"), "nat.yaml": voice.replace("    static_port: true\n", "") })
      const off = await run(harness, Reconciler.use((r) => r.plan()))
      expect(off.changes.map((c) => [c.action, c.name, c.diff])).toEqual([
        ["update", "voice-out", [{ path: "staticPort", from: true, to: false }]]
      ])
      expect((await run(harness, Reconciler.use((r) => r.apply(off.planId, { approve: true })))).result).toBe("applied")
      expect(stored()).toMatchObject({ staticnatport: "0" })
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })

    it("adopts an unmanaged rule with every field equal, and imports seeded rules to an empty plan", async () => {
      h = await startHarness({
        version,
        unmanaged: false,
        seed: {
          natOutboundMode: "hybrid",
          snat: [
            { interface: "wan", source_net: "lan", target: "wanip", description: "lan out" },
            { interface: "wan", protocol: "UDP", source_net: "192.168.1.0/24", source_port: "500", target: "wanip" }
          ]
        },
        files: {}
      })
      const harness = h
      const imported = await run(harness, Reconciler.use((r) => r.importLive()))
      expect(imported.counts["outbound_nat"]).toBe(2)
      const file = imported.files.find((f) => f.path.endsWith("outbound-nat.yaml"))
      expect(file?.content).toContain("source: lan")
      replace(harness, Object.fromEntries(imported.files.map((f) => [f.path, f.content])))
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

      // without the inventory the plan adopts by all-fields-equal: an update that adds the marker
      rmSync(join(harness.dataDir, "state.json"))
      const adopt = await run(harness, Reconciler.use((r) => r.plan()))
      // the sandbox objects of other kinds (WAN gateway, assignments) are adopted too
      const own = adopt.changes.filter((c) => c.kind === "outbound_nat")
      expect(own.map((c) => [c.action, c.kind, c.reason?.slice(0, 5)])).toEqual([
        ["update", "outbound_nat", "adopt"],
        ["update", "outbound_nat", "adopt"]
      ])
      const report = await run(harness, Reconciler.use((r) => r.apply(adopt.planId, { approve: true })))
      expect(report.result).toBe("applied")
      const live = await run(harness, Opnsense.use((c) => c.snapshot({ fresh: true })))
      expect(live.outbound_nat.map((r) => [r.origin, r.owner !== undefined])).toEqual([["mvc", true], ["mvc", true]])
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })
  })
}

describe("outbound NAT listing on 26.7 in automatic mode", () => {
  it("still sees configured rules (search_rule hides them in automatic mode): one download_rules", async () => {
    h = await startHarness({
      version: "26.7",
      unmanaged: false,
      seed: { natOutboundMode: "automatic", snat: [{ interface: "wan", source_net: "lan", target: "wanip" }] },
      files: {}
    })
    const harness = h
    harness.sim.requests.clear()
    const live = await run(harness, Opnsense.use((c) => c.snapshot({ fresh: true })))
    expect(live.outbound_nat.map((r) => [r.origin, r.spec.source.address])).toEqual([["mvc", "lan"]])
    expect(harness.sim.requests.count("/api/firewall/source_nat/download_rules")).toBe(1)
    expect(harness.sim.requests.count("/api/firewall/source_nat/search_rule")).toBe(0)
    expect(harness.sim.requests.count("/api/firewall/filter/get")).toBe(0)
  })
})

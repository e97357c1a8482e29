/**
 * Unbound host and domain overrides end to end against the simulator on both emulated releases:
 * plan, apply with one Unbound reconfigure, re-plan empty, update, delete, adoption and import.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Opnsense } from "../../src/Opnsense.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import type { SeedData } from "../../src/Simulator.ts"
import { type Harness, run, startHarness } from "./harness.ts"

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const DNS = `host_overrides:
  - name: nas
    host: nas
    domain: office.lan
    address: 192.168.1.20
    aliases: [files, backup.example.org]
    description: NAS
domain_overrides:
  - name: corp
    domain: corp.example
    server: 10.0.0.53
`

const HOST = "11111111-2222-4333-8444-555555555555"
const seeded: SeedData = {
  unboundHosts: [
    { uuid: HOST, hostname: "printer", domain: "office.lan", rr: "A", server: "192.168.1.30", description: "Printer" },
    { hostname: "printer", domain: "office.lan", rr: "AAAA", server: "fd00::30", description: "Printer" },
    { hostname: "", domain: "office.lan", rr: "MX", mxprio: "10", mx: "mail.office.lan" }
  ],
  unboundAliases: [{ host: HOST, hostname: "print", domain: "" }, {
    host: HOST,
    hostname: "lp",
    domain: "example.org"
  }],
  unboundForwards: [
    { domain: "lab.example", server: "10.9.0.53", port: "5353", forward_first: "1", description: "Lab" },
    // forwarding of every query: not a domain override, left alone
    { domain: "", server: "9.9.9.9" }
  ]
}

for (const version of ["26.1", "26.7"] as const) {
  describe(`Unbound overrides (${version})`, () => {
    it("plans, applies with one Unbound reconfigure, re-plans empty; an edit updates, a removal deletes", async () => {
      h = await startHarness({ version, files: { "70-dns.yaml": DNS } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
        "create host_override nas",
        "create domain_override corp"
      ])
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification).toEqual({ clean: true, remaining: [] })
      expect(harness.sim.requests.count("/api/unbound/service/reconfigure")).toBe(1)
      expect(harness.sim.state.reconfigureCounts.unbound).toBe(1)
      const running = [...harness.sim.state.applied.unboundAliases.values()].map((a) =>
        `${a["hostname"]}|${a["domain"]}`
      )
      expect(running.sort()).toEqual(["backup|example.org", "files|"])
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])

      writeFileSync(
        join(harness.desiredDir, "70-dns.yaml"),
        DNS.replace("192.168.1.20", "192.168.1.21").replace("[files, backup.example.org]", "[files, share]")
          .replace(/domain_overrides:[\s\S]*$/, "")
      )
      const edit = await run(harness, Reconciler.use((r) => r.plan()))
      // deletes of kinds nothing depends on go first
      expect(edit.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
        "delete domain_override corp",
        "update host_override nas"
      ])
      harness.sim.requests.clear()
      const edited = await run(harness, Reconciler.use((r) => r.apply(edit.planId, { approve: true })))
      expect(edited.verification.clean).toBe(true)
      expect(harness.sim.requests.count("/api/unbound/service/reconfigure")).toBe(1)
      const live = await run(harness, Opnsense.use((c) => c.snapshot({ fresh: true })))
      expect(live.host_overrides.map((o) => [o.owner, o.spec.server, o.spec.aliases])).toEqual([
        ["nas", "192.168.1.21", ["files", "share"]]
      ])
      expect(live.domain_overrides).toEqual([])
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })

    it("adopts an unmanaged override with the same name and type instead of creating another", async () => {
      h = await startHarness({
        version,
        unmanaged: false,
        seed: { unboundHosts: [{ hostname: "nas", domain: "office.lan", rr: "A", server: "192.168.1.20" }] },
        files: { "70-dns.yaml": DNS.replace(/domain_overrides:[\s\S]*$/, "") }
      })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => [c.action, c.name, c.reason?.startsWith("adopt")])).toEqual([
        ["update", "nas", true]
      ])
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.verification.clean).toBe(true)
      expect(harness.sim.state.unboundHosts.size).toBe(1)
      const [item] = [...harness.sim.state.unboundHosts.values()]
      expect(item?.["description"]).toBe("NAS [gitops:nas]")
    })

    it("imports a seeded box into YAML that loads and plans empty", async () => {
      h = await startHarness({ version, seed: seeded, files: {} })
      const harness = h
      const result = await run(harness, Reconciler.use((r) => r.importLive()))
      expect(result.counts).toMatchObject({ host_override: 3, domain_override: 1 })
      for (const f of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, f))
      for (const f of result.files) writeFileSync(join(harness.desiredDir, f.path), f.content)
      const hosts = result.files.find((f) => f.path.endsWith("host-overrides.yaml"))?.content ?? ""
      expect(hosts).toContain("aliases:")
      expect(hosts).toContain("lp.example.org")
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes).toEqual([])
    })
  })
}

describe("Unbound overrides on an older release", () => {
  it("a TXT record on 25.7 is warned about at plan time and refused before anything is sent", async () => {
    h = await startHarness({
      version: "26.1",
      reportVersion: "25.7.5",
      unmanaged: false,
      files: {
        "70-dns.yaml":
          "host_overrides:\n  - name: spf\n    host: \"\"\n    domain: office.lan\n    type: TXT\n    txt: v=spf1 -all\n"
      }
    })
    const harness = h
    const plan = await run(harness, Reconciler.use((r) => r.plan()))
    expect(plan.warnings).toContain(
      "host_override \"spf\": OPNsense 25.7.5 lacks TXT records (26.1+); apply will refuse it"
    )
    harness.sim.requests.clear()
    const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
    expect(report.result).toBe("failed")
    expect(report.changes[0]?.error).toContain("cannot hold this host override: its Unbound model lacks TXT records")
    expect(harness.sim.requests.count("/api/unbound/settings/add_host_override")).toBe(0)
  })
})

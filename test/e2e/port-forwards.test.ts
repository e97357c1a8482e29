/**
 * Port forwards end to end against the simulator over HTTP (26.1 and 26.7 emulation): plan,
 * apply with one filter reload, re-plan empty, update, delete, import, adoption, and the plan
 * refusal on a version without firewall/d_nat.
 */
import { Effect } from "effect"
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

const ALIAS = ["aliases:", "  - name: nvr", "    type: host", "    content: [10.30.0.20]"]
const FORWARD = (extra: string) => [
  "port_forwards:",
  "  - name: nvr-view",
  "    interface: wan",
  "    protocol: tcp",
  "    destination: { address: wanip, port: 7443 }",
  "    target: nvr",
  "    local_port: 443",
  `    description: Camera recorder${extra}`
]
const RULE = [
  "rules:",
  "  - name: wan-to-nvr",
  "    interface: wan",
  "    action: pass",
  "    protocol: tcp",
  "    destination: { address: nvr, port: 443 }"
]
const forward = (extra = "", withForward = true) =>
  [...ALIAS, ...(withForward ? FORWARD(extra) : []), ...RULE, ""].join("\n")

const replaceTree = (harness: Harness, files: Readonly<Record<string, string>>) => {
  for (const f of readdirSync(harness.desiredDir)) rmSync(join(harness.desiredDir, f))
  for (const [path, content] of Object.entries(files)) writeFileSync(join(harness.desiredDir, path), content)
}

for (const version of ["26.1", "26.7"] as const) {
  describe(`port forwards (${version})`, () => {
    it("plans as create, applies with one filter reload, re-plans empty; update and delete follow", async () => {
      h = await startHarness({ version, files: { "pf.yaml": forward() } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
        "create alias nvr",
        "create rule wan-to-nvr",
        "create port_forward nvr-view"
      ])
      harness.sim.requests.clear()
      const report = await run(harness, Reconciler.use((r) => r.apply(plan.planId, { approve: true })))
      expect(report.result).toBe("applied")
      expect(report.verification).toEqual({ clean: true, remaining: [] })
      // d_nat apply and filter apply are the same `filter reload`: one call makes both active
      expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)
      expect(harness.sim.requests.count("/api/firewall/d_nat/apply")).toBe(0)
      expect(harness.sim.state.applied.dnat.size).toBe(2)
      const again = await run(harness, Reconciler.use((r) => r.plan()))
      expect(again.changes).toEqual([])

      const live = await run(harness, Opnsense.use((c) => c.snapshot({ fresh: true })))
      const mine = live.port_forwards.find((p) => p.owner === "nvr-view")
      expect(mine?.spec).toMatchObject({
        interfaces: ["wan"],
        protocol: "TCP",
        destination: { addresses: ["wanip"], invert: false, port: "7443" },
        target: "nvr",
        localPort: "443",
        description: "Camera recorder"
      })
      expect(mine?.sequence).toBeGreaterThanOrEqual(1)

      replaceTree(harness, { "pf.yaml": forward(" (changed)") })
      const update = await run(harness, Reconciler.use((r) => r.plan()))
      expect(update.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(["update port_forward nvr-view"])
      expect(update.changes[0]?.diff).toEqual([
        { path: "description", from: "Camera recorder", to: "Camera recorder (changed)" }
      ])
      harness.sim.requests.clear()
      expect((await run(harness, Reconciler.use((r) => r.apply(update, { approve: true })))).result).toBe("applied")
      expect(harness.sim.requests.count("/api/firewall/filter/apply")).toBe(1)

      replaceTree(harness, { "pf.yaml": forward("", false) })
      const removal = await run(harness, Reconciler.use((r) => r.plan()))
      expect(removal.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(["delete port_forward nvr-view"])
      expect((await run(harness, Reconciler.use((r) => r.apply(removal, { approve: true })))).result).toBe("applied")
      expect((await run(harness, Reconciler.use((r) => r.plan()))).changes).toEqual([])
    })

    it("imports the firewall's port forwards into YAML that plans empty", async () => {
      h = await startHarness({ version, files: {} })
      const harness = h
      const result = await run(harness, Reconciler.use((r) => r.importLive()))
      expect(result.counts["port_forward"]).toBe(1)
      const file = result.files.find((f) => f.path === "port-forwards.yaml")
      expect(file?.content).toContain("port_forwards:")
      expect(file?.content).toContain("target: 192.168.1.20")
      replaceTree(harness, Object.fromEntries(result.files.map((f) => [f.path, f.content])))
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes).toEqual([])
    })

    it("adopts an unmanaged port forward with every field equal (adds the marker)", async () => {
      const seeded = [
        "port_forwards:",
        "  - name: web-server",
        "    interface: wan",
        "    ip_version: any",
        "    protocol: tcp",
        "    destination: { address: wanip, port: 8443 }",
        "    target: 192.168.1.20",
        "    local_port: 443",
        "    description: Web server",
        ""
      ].join("\n")
      h = await startHarness({ version, files: { "pf.yaml": seeded } })
      const harness = h
      const plan = await run(harness, Reconciler.use((r) => r.plan()))
      expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name} ${c.reason ?? ""}`.trim())).toEqual([
        expect.stringMatching(/^update port_forward web-server adopt/)
      ])
      expect((await run(harness, Reconciler.use((r) => r.apply(plan, { approve: true })))).result).toBe("applied")
      const live = await run(harness, Opnsense.use((c) => c.snapshot({ fresh: true })))
      expect(live.port_forwards.map((p) => p.owner)).toEqual(["web-server"])
    })
  })
}

describe("port forwards before 26.1", () => {
  it("plan fails with a clear message; drift and import say they cannot be read", async () => {
    h = await startHarness({ version: "26.1", reportVersion: "25.7.9", files: { "pf.yaml": forward() } })
    const harness = h
    const error = await run(harness, Effect.flip(Reconciler.use((r) => r.plan())))
    expect(error._tag).toBe("UnsupportedVersionError")
    expect(error.message).toContain("port forwards are not in the API before 26.1; manage them in the GUI or upgrade")
    expect(error.message).toContain("pf.yaml:6:")
    expect(harness.sim.requests.count("/api/firewall/d_nat/search_rule")).toBe(0)

    replaceTree(harness, { "pf.yaml": forward("", false) })
    const drift = await run(harness, Reconciler.use((r) => r.drift()))
    expect(drift.unreadable).toEqual([
      "port forwards cannot be read: OPNsense 25.7.9: port forwards are not in the API before 26.1; manage them in the GUI or upgrade"
    ])
    const imported = await run(harness, Reconciler.use((r) => r.importLive()))
    expect(imported.skipped.join("\n")).toContain("port forwards cannot be read")
    expect(imported.counts["port_forward"]).toBe(0)
  })
})

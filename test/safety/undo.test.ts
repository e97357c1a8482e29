/**
 * A large apply keeps its own undo: when its writes rotate the revision recorded before it out of
 * the firewall's history (system/backupcount, 100 by default), a failed verification still puts
 * the firewall back, by the inverse of the journal, and the VLAN devices the apply created leave
 * the kernel. Against the simulator over HTTPS.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator, type SimulatorHandle } from "../../src/Simulator.ts"
import { cleanup, closedPort, filesUnder, instance, sites, tempRoot, writeTree } from "./harness.ts"

const BEFORE = `
aliases:
  - { name: keep_a, type: host, content: [10.1.0.1] }
  - { name: drop_a, type: host, content: [10.1.0.9] }
vlans:
  - { name: keep_v, parent: igb1, tag: 50, description: kept }
  - { name: drop_v, parent: igb1, tag: 51 }
rules:
  - name: keep_r
    interface: lan
    action: pass
    protocol: tcp
    destination: { address: keep_a, port: 443 }
  - name: drop_r
    interface: lan
    action: pass
    protocol: tcp
    destination: { address: drop_a, port: 22 }
`

/**
 * Changes keep_*, deletes drop_*, creates `aliases` new aliases, two VLANs and `rules` new rules;
 * with new rules keep_r stays as it is, so the rule creates are one run (one upload_rules on 26.1+).
 */
const after = (aliases: number, rules: number) => `
aliases:
  - { name: keep_a, type: host, content: [10.1.0.2] }
${
  Array.from({ length: aliases }, (_, i) => `  - { name: bulk_${i}, type: host, content: [10.2.${i >> 8}.${i & 255}] }`)
    .join("\n")
}
vlans:
  - { name: keep_v, parent: igb1, tag: 50, description: changed }
  - { name: new_v1, parent: igb1, tag: 60 }
  - { name: new_v2, parent: igb2, tag: 61 }
rules:
  - name: keep_r
    interface: lan
    action: pass
    protocol: tcp
    destination: { address: keep_a, port: ${rules === 0 ? 8443 : 443} }
${
  Array.from({ length: rules }, (_, i) =>
    `  - { name: bulk_r${i}, interface: lan, action: pass, protocol: tcp, destination: { address: 10.3.0.${i}, port: 80 } }`)
    .join("\n")
}
`

/** What the client reads, without the read time: equal before and after a full undo. */
const canonical = (s: LiveSnapshot) => ({
  vlans: [...s.vlans].sort((a, b) => a.uuid.localeCompare(b.uuid)),
  aliases: [...s.aliases].sort((a, b) => a.uuid.localeCompare(b.uuid)),
  rules: [...s.rules].sort((a, b) => a.uuid.localeCompare(b.uuid))
})

const keys = (sim: SimulatorHandle) => ({
  vlans: [...sim.state.vlans.keys()].sort(),
  aliases: [...sim.state.aliases.keys()].sort(),
  rules: [...sim.state.rules.keys()].sort(),
  devices: [...sim.state.vlanDevices.keys()].sort()
})

/**
 * Apply BEFORE, then `after(aliases)` with a probe that fails; returns what the test compares.
 * `backupCount` undefined: the simulator keeps OPNsense's default of 100.
 */
const scenario = (
  aliases: number,
  backupCount: number | undefined,
  version: "26.7" | "26.1" = "26.7",
  rules = 0,
  bulkThreshold?: number
) =>
  Effect.gen(function*() {
    const sim = yield* simulator({ version, ...(backupCount === undefined ? {} : { backupCount }) })
    const root = tempRoot()
    yield* Effect.addFinalizer(() => Effect.sync(() => cleanup(root)))
    const dataDir = join(root, "data")
    const desiredDir = writeTree(join(root, "desired"), { "sites.yaml": sites(""), "main.yaml": BEFORE })
    const layer = instance({ sim, desiredDir, dataDir, bulkThreshold })

    const first = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
    expect(first.result).toBe("applied")
    const pre = yield* Opnsense.use((c) => c.snapshot({ fresh: true })).pipe(Effect.provide(layer))
    const preKeys = keys(sim)

    const port = yield* closedPort
    writeTree(desiredDir, {
      "sites.yaml": sites(`    probes:\n      - { host: 127.0.0.1, port: ${port}, timeout_ms: 500 }\n`),
      "main.yaml": after(aliases, rules)
    })
    const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
    expect(plan.summary).toMatchObject({ create: aliases + 2 + rules, update: rules === 0 ? 3 : 2, delete: 3 })
    const revisionsBefore = sim.state.backups.map((b) => b.id)
    const report = yield* SafeReconciler.use((r) => r.apply(plan.planId, { approve: true })).pipe(
      Effect.provide(layer)
    )
    const now = yield* Opnsense.use((c) => c.snapshot({ fresh: true })).pipe(Effect.provide(layer))

    // the pre-apply desired state plans nothing: the firewall is what it was
    writeTree(desiredDir, { "sites.yaml": sites(""), "main.yaml": BEFORE })
    const replan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
    return { sim, dataDir, plan, report, pre, now, preKeys, revisionsBefore, replan }
  })

describe("a large apply keeps its own undo", () => {
  it.live("on 26.1 too, with 25 rules created by one upload_rules: the inverse restores the pre-apply state", () =>
    Effect.gen(function*() {
      const { report, pre, now, preKeys, sim, replan } = yield* scenario(12, 10, "26.1", 25)
      expect(sim.requests.count("/api/firewall/filter/upload_rules")).toBe(1)
      expect(report.safety?.revert).toMatchObject({ mode: "inverse", result: "reverted" })
      expect(canonical(now)).toEqual(canonical(pre))
      expect(keys(sim)).toEqual(preKeys)
      expect(replan.changes).toEqual([])
    }))

  it.live("after more writes than backupCount (10), a failed verification restores the pre-apply state", () =>
    Effect.gen(function*() {
      const { sim, dataDir, plan, report, pre, now, preKeys, revisionsBefore, replan } = yield* scenario(12, 10)

      expect(plan.warnings.join("\n")).toContain(
        "the firewall keeps 10 configuration revisions (system/backupcount in its config.xml)"
      )
      // the revision recorded before the apply has been pruned by the apply's own saves
      expect(report.safety?.revision).toBe(revisionsBefore[0]?.replace(/^config-|\.xml$/g, ""))
      expect(sim.state.backups.map((b) => b.id)).not.toContain(revisionsBefore[0])

      expect(report.result).toBe("failed")
      expect(report.safety?.revert).toMatchObject({ mode: "inverse", result: "reverted" })
      expect(report.safety?.revert?.reconfigured).toEqual(["vlan", "alias", "rule"])
      expect(report.message).toContain("is no longer kept by the firewall")
      expect(sim.requests.count((e) => e.endpoint.includes("revert_backup"))).toBe(0)

      // live equals the pre-apply snapshot: same uuids (deleted objects came back with theirs), same specs
      expect(canonical(now)).toEqual(canonical(pre))
      expect(keys(sim)).toEqual(preKeys)
      expect(replan.changes).toEqual([])
      // what runs follows: no VLAN device of the reverted apply stays in the kernel
      expect([...sim.state.applied.vlans.keys()].sort()).toEqual(preKeys.vlans)
      expect(preKeys.devices).toEqual([...sim.state.vlans.values()].map((v) => v["vlanif"]).sort())
      // the apply did bring its VLANs up (one reconfigure), the undo took them down (another)
      expect(sim.requests.count("/api/interfaces/vlan_settings/reconfigure")).toBe(3)

      // the pre-apply config.xml, kept 0600 in DATA_DIR
      const kept = report.safety?.undo ?? ""
      expect(kept.startsWith(join(dataDir, "undo"))).toBe(true)
      expect(statSync(kept).mode & 0o777).toBe(0o600)
      expect(readFileSync(kept, "utf8")).toContain("keep_a")
      expect(readdirSync(join(dataDir, "undo")).filter((f) => f.endsWith(".xml"))).toHaveLength(2)
      // and it is named in the apply's journal, whose records hold no config
      const journals = filesUnder(join(dataDir, "journal")).map((f) => f.content).join("\n")
      expect(journals).toContain(kept)
      expect(journals).not.toContain("<opnsense>")
    }))

  it.live(
    "at OPNsense's default of 100 revisions, an apply of 100+ writes is undone the same way",
    () =>
      Effect.gen(function*() {
        // one add_item per alias: an alias import would make the 100 creates one save
        const { plan, report, pre, now, preKeys, sim, replan } = yield* scenario(
          100,
          undefined,
          "26.7",
          0,
          Number.MAX_SAFE_INTEGER
        )
        expect(plan.warnings.join("\n")).toContain(
          "the firewall is assumed to keep 100 configuration revisions (OPNsense's default; its config.xml sets no system/backupcount)"
        )
        expect(report.safety?.revert).toMatchObject({ mode: "inverse", result: "reverted" })
        expect(canonical(now)).toEqual(canonical(pre))
        expect(keys(sim)).toEqual(preKeys)
        expect(replan.changes).toEqual([])
      }),
    60_000
  )

  it.live("an apply that fails part-way after its writes rotated the revision away is undone the same way", () =>
    Effect.gen(function*() {
      const sim = yield* simulator({ backupCount: 10 })
      const root = tempRoot()
      yield* Effect.addFinalizer(() => Effect.sync(() => cleanup(root)))
      const aliases = Array.from(
        { length: 12 },
        (_, i) => `  - { name: part_${i}, type: host, content: [10.4.0.${i}] }`
      )
      const desiredDir = writeTree(join(root, "desired"), {
        "sites.yaml": sites(""),
        "main.yaml": `aliases:\n${aliases.join("\n")}\nrules:\n  - { name: late_r, interface: lan, action: pass }\n`
      })
      const layer = instance({ sim, desiredDir, dataDir: join(root, "data") })
      const pre = yield* Opnsense.use((c) => c.snapshot({ fresh: true })).pipe(Effect.provide(layer))
      const preKeys = keys(sim)
      // the rule goes after every alias: its create fails once the 12 alias saves pruned the revision
      sim.faults.failNext(1, 400, { message: "refused" }, "/api/firewall/filter/add_rule")
      const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
      // applied, then undone
      expect(report.changes.filter((c) => c.status === "reverted")).toHaveLength(12)
      expect(report.safety?.verification?.ok).toBe(false)
      expect(report.safety?.revert).toMatchObject({ mode: "inverse", result: "reverted", writes: 12 })
      const now = yield* Opnsense.use((c) => c.snapshot({ fresh: true })).pipe(Effect.provide(layer))
      expect(canonical(now)).toEqual(canonical(pre))
      expect(keys(sim)).toEqual(preKeys)
    }))

  it.live("a revision restore also takes the VLAN devices the apply created out of the kernel", () =>
    Effect.gen(function*() {
      const sim = yield* simulator({})
      const root = tempRoot()
      yield* Effect.addFinalizer(() => Effect.sync(() => cleanup(root)))
      const port = yield* closedPort
      const desiredDir = writeTree(join(root, "desired"), {
        "sites.yaml": sites(`    probes:\n      - { host: 127.0.0.1, port: ${port}, timeout_ms: 500 }\n`),
        "main.yaml": "vlans:\n  - { name: iot, parent: igb1, tag: 30 }\n"
      })
      const devices = [...sim.state.vlanDevices.keys()].sort()
      const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(
        Effect.provide(instance({ sim, desiredDir, dataDir: join(root, "data") }))
      )
      expect(report.safety?.revert).toMatchObject({ mode: "revision", result: "reverted" })
      expect(sim.requests.count((e) => e.endpoint.includes("revert_backup"))).toBe(1)
      // restoring config.xml alone notes no device for destruction; the del_item before it did
      expect([...sim.state.vlanDevices.keys()].sort()).toEqual(devices)
    }))
})

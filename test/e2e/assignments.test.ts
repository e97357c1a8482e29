/**
 * Interface assignments end to end against the simulator over HTTPS: a new VLAN, its assignment
 * and a rule naming the new interface by description plan and apply in one run on 26.7 (the VLAN
 * reconfigured before the assignment is made, every other subsystem once), re-plan empty, update,
 * delete (unlocked first, the assignment reconfigured before its VLAN is deleted), adopt by
 * device, import to an empty plan; on 26.1 the plan fails naming the device to assign.
 */
import { Effect } from "effect"
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { Opnsense } from "../../src/Opnsense.ts"
import { Reconciler } from "../../src/Reconciler.ts"
import { type Harness, run, startHarness } from "./harness.ts"

const VLANS = `vlans:
  - name: lab
    parent: igb2
    tag: 70
    description: Lab
`
const ASSIGNMENTS = `assignments:
  - name: lab
    vlan: lab
    description: LAB
`
const RULES = `rules:
  - name: lab-web
    interface: LAB
    action: pass
    protocol: TCP
    destination: { port: 443 }
`

const files = { "10-vlans.yaml": VLANS, "15-assignments.yaml": ASSIGNMENTS, "30-rules.yaml": RULES }

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** The POSTs that write or reconfigure, in order (reads and category lookups left out). */
const writesOf = (harness: Harness) =>
  harness.sim.requests.entries.filter((e) => e.method === "POST" && !/search|category/.test(e.endpoint))
    .map((e) => e.endpoint.replace("/api/", ""))

const plan = (harness: Harness) => run(harness, Reconciler.use((r) => r.plan()))
const live = (harness: Harness) => run(harness, Opnsense.use((c) => c.snapshot({ fresh: true })))

describe("interface assignments on 26.7", () => {
  it("a new VLAN, its assignment and a rule on it: one apply, the VLAN reconfigured first, re-plan empty", async () => {
    h = await startHarness({ version: "26.7", files })
    const planned = await plan(h)
    expect(planned.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      "create vlan lab",
      "create assignment lab",
      "create rule lab-web"
    ])
    // opt1 is the box's MGMT VLAN: the new interface will be opt2, and the rule is planned on it
    expect(planned.changes[2]?.after).toMatchObject({ interfaces: ["opt2"] })
    h.sim.requests.clear()
    const report = await run(h, Reconciler.use((r) => r.apply(planned.planId, { approve: true })))
    expect(report.result, report.message).toBe("applied")
    expect(report.verification).toEqual({ clean: true, remaining: [] })
    expect(writesOf(h)).toEqual([
      "interfaces/vlan_settings/add_item",
      "interfaces/vlan_settings/reconfigure",
      "interfaces/assignment/add_item",
      "firewall/filter/add_rule",
      "firewall/filter/apply",
      "interfaces/assignment/reconfigure"
    ])
    expect(report.reconfigured).toEqual(["vlan", "rule", "assignment"])
    const after = await live(h)
    expect(after.assignments.find((a) => a.identifier === "opt2")?.spec).toEqual({
      device: after.vlans.find((v) => v.owner === "lab")?.device,
      description: "LAB",
      lock: true
    })
    expect(after.rules.find((r) => r.owner === "lab-web")?.spec.interfaces).toEqual(["opt2"])
    expect((await plan(h)).changes).toEqual([])

    // a description changed on the firewall is drift of the managed assignment
    const device = after.vlans.find((v) => v.owner === "lab")?.device ?? ""
    await run(h, Opnsense.use((c) => c.assignments.update("opt2", { device, description: "OTHER", lock: true }, "")))
    const drift = await run(h, Reconciler.use((r) => r.drift()))
    expect(drift.drifted.map((d) => [d.kind, d.name, d.diff])).toEqual([
      ["assignment", "lab", [{ path: "description", from: "OTHER", to: "LAB" }]]
    ])

    // a changed description plans as an update (the rule keeps naming the interface)
    writeFileSync(join(h.desiredDir, "15-assignments.yaml"), ASSIGNMENTS.replace("LAB", "LAB2"))
    writeFileSync(join(h.desiredDir, "30-rules.yaml"), RULES.replace("LAB", "LAB2"))
    const update = await plan(h)
    expect(update.changes.map((c) => [c.action, c.kind, c.diff?.map((d) => d.path)])).toEqual([
      ["update", "assignment", ["description"]]
    ])
    const updated = await run(h, Reconciler.use((r) => r.apply(update.planId, { approve: true })))
    expect(updated.verification.clean).toBe(true)

    // removing the rule, the assignment and the VLAN: the locked interface is unlocked and removed,
    // and the assignment reconfigure runs before the VLAN (still assigned until then) is deleted
    rmSync(join(h.desiredDir, "15-assignments.yaml"))
    writeFileSync(join(h.desiredDir, "10-vlans.yaml"), "vlans: []\n")
    writeFileSync(join(h.desiredDir, "30-rules.yaml"), "rules: []\n")
    const removal = await plan(h)
    expect(removal.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      "delete rule lab-web",
      "delete assignment lab",
      "delete vlan lab"
    ])
    h.sim.requests.clear()
    const removed = await run(
      h,
      Reconciler.use((r) => r.apply(removal.planId, { approve: true, allowDestroy: true }))
    )
    expect(removed.result, removed.message).toBe("applied")
    expect(writesOf(h)).toEqual([
      "firewall/filter/del_rule",
      "interfaces/assignment/set_item",
      "interfaces/assignment/del_item",
      "interfaces/assignment/reconfigure",
      "interfaces/vlan_settings/del_item",
      "interfaces/vlan_settings/reconfigure",
      "firewall/filter/apply"
    ])
    const gone = await live(h)
    expect(gone.assignments.map((a) => a.identifier)).toEqual(["wan", "lan", "opt1"])
    expect((await plan(h)).changes).toEqual([])
  })

  it("adopts an assignment of the same device, and an import of assignments plans empty", async () => {
    h = await startHarness({
      version: "26.7",
      files: {
        "15-assignments.yaml":
          "assignments:\n  - name: mgmt\n    device: vlan01\n    description: MGMT\n    lock: false\n"
      }
    })
    const adopt = await plan(h)
    expect(adopt.changes.map((c) => [c.action, c.kind, c.name, c.uuid, c.reason?.slice(0, 6)])).toEqual([
      ["update", "assignment", "mgmt", "opt1", "adopt:"]
    ])
    const applied = await run(h, Reconciler.use((r) => r.apply(adopt.planId, { approve: true })))
    expect(applied.verification.clean).toBe(true)
    expect((await plan(h)).changes).toEqual([])

    const imported = await run(h, Reconciler.use((r) => r.importLive({ kinds: ["assignment"] })))
    const file = imported.files.find((f) => f.path === "assignments.yaml")
    expect(file?.content).toContain("device: igb0")
    rmSync(join(h.desiredDir, "15-assignments.yaml"))
    writeFileSync(join(h.desiredDir, "assignments.yaml"), file?.content ?? "")
    expect((await plan(h)).changes).toEqual([])
  })
})

describe("unmanaged assignments", () => {
  it("are never pruned, even where the site prunes unmanaged objects", async () => {
    h = await startHarness({
      version: "26.7",
      files: {
        "sites.yaml": "sites:\n  - name: default\n    path: .\n    prune_unmanaged: true\n",
        "main.yaml": "aliases:\n  - { name: web, type: host, content: [10.0.0.1] }\n"
      }
    })
    const planned = await plan(h)
    expect(planned.changes.filter((c) => c.kind === "assignment")).toEqual([])
    expect(planned.changes.some((c) => c.action === "delete" && c.kind === "vlan")).toBe(true)
  })
})

describe("interface assignments on 26.1", () => {
  it("fail the plan, naming the device to assign in the GUI", async () => {
    h = await startHarness({ version: "26.1", files })
    const harness = h
    const failure = await run(harness, Effect.flip(Reconciler.use((r) => r.plan())))
    expect(failure._tag).toBe("DesiredStateInvalid")
    expect(failure.message).toContain("15-assignments.yaml:2:5: assignment \"lab\"")
    expect(failure.message).toContain("cannot assign interfaces through its API")
    expect(failure.message).toContain(
      "assign the device of VLAN 70 on igb2 (VLAN \"lab\") in the GUI (Interfaces ▸ Assignments"
    )
  })
})

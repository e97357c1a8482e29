/**
 * An upload_rules batch in which some rows are invalid, through the safe apply: OPNsense saves the
 * valid rows and rejects the others (opnsense/core importCsv), the report says so row by row, the
 * journal records the rules that were created, and the revert that follows the failed
 * verification is what the report says it is.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parseJournal } from "../../src/Safety/Journal.ts"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator } from "../../src/Simulator.ts"
import { cleanup, instance, owned, sites, tempRoot, writeTree } from "./harness.ts"

const BAD = new Set([3, 11, 19])

const rules = `rules:\n${
  Array.from(
    { length: 25 },
    (_, i) =>
      `  - name: row-${i}\n    interface: lan\n    action: pass\n    protocol: tcp\n    destination: { address: 10.9.${i}.1, port: 443 }\n    categories: [batch]\n${
        BAD.has(i) ? "    gateway: NO_SUCH_GW\n" : ""
      }`
  ).join("")
}`

for (const version of ["26.1", "26.7"] as const) {
  describe(`partial upload_rules batch on ${version}`, () => {
    it.live("reports the saved rows as applied, the rejected ones with the firewall's message, then reverts", () =>
      Effect.gen(function*() {
        const sim = yield* simulator({ version })
        const root = yield* Effect.acquireRelease(Effect.sync(tempRoot), (dir) => Effect.sync(() => cleanup(dir)))
        const desiredDir = writeTree(join(root, "desired"), { "sites.yaml": sites(""), "rules.yaml": rules })
        const dataDir = join(root, "data")
        const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(
          Effect.provide(instance({ sim, desiredDir, dataDir }))
        )
        expect(sim.requests.count("/api/firewall/filter/upload_rules")).toBe(1)
        expect(sim.requests.count("/api/firewall/filter/add_rule")).toBe(0)

        const byName = new Map(report.changes.map((c) => [c.name, c]))
        const rejected = [...BAD].map((i) => byName.get(`row-${i}`))
        for (const c of rejected) {
          expect(c?.status).toBe("failed")
          expect(c?.error).toMatch(/^rules\.yaml:\d+:\d+: rule "row-\d+": OPNsense rejected it: rule\.gateway: /)
          expect(Object.keys(c?.validations ?? {})).toEqual(["rule.gateway"])
        }
        const saved = report.changes.filter((c) => !c.name.match(/^row-(3|11|19)$/))
        expect(saved).toHaveLength(22)
        // applied, then undone by the revert below
        expect(saved.every((c) => c.status === "reverted" && c.uuid !== undefined)).toBe(true)
        expect(report.message).toContain("22 of 25 changes applied")

        // the journal names exactly the 22 rules the upload created
        const archive = join(dataDir, "journal", "archive")
        const [file] = readdirSync(archive)
        const records = parseJournal(readFileSync(join(archive, file ?? ""), "utf8"))
        const upload = records.find((r) => r.type === "intent" && r.op === "upload")
        const done = records.find((r) => r.type === "done" && upload?.type === "intent" && r.seq === upload.seq)
        expect(done?.type === "done" ? [...done.uuids].sort() : []).toEqual(saved.map((c) => c.uuid).sort())

        // verification fails on the rejected rows: the safety layer restores the revision from before
        expect(report.result).toBe("failed")
        expect(report.safety?.revert).toMatchObject({ result: "reverted", reconfigured: ["rule"] })
        expect(report.message).toContain("reverted the firewall")
        expect(owned(sim.state.rules.values())).toEqual({})
        expect(owned(sim.state.applied.rules.values())).toEqual({})
      }))
  })
}

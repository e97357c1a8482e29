/**
 * Kill an apply at every API call, then re-run: the second run recovers the journal and ends in the
 * desired state with exactly one object per desired name, the running config matching the saved
 * one, and the journal archived. The kill is an interruption injected into the journal at call k,
 * either after the call returned but before its outcome was journaled (the firewall did it, we do
 * not know) or right after the outcome was journaled.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { Journal, make as makeJournal, type OpenJournal } from "../../src/Safety/Journal.ts"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator } from "../../src/Simulator.ts"
import { cleanup, instance, owned, tempRoot, writeTree } from "./harness.ts"

const TREE = {
  "main.yaml": `
vlans:
  - name: iot
    parent: igb1
    tag: 30
aliases:
  - name: iot_net
    type: network
    content: [10.30.0.0/24]
  - name: inside
    type: networkgroup
    content: [iot_net]
rules:
  - name: iot-dns
    interface: lan
    action: pass
    protocol: udp
    source: iot_net
    destination: { address: 10.0.0.53, port: 53 }
  - name: iot-block
    interface: lan
    action: block
    source: inside
`
}
const NAMES = { vlan: ["iot"], alias: ["iot_net", "inside"], rule: ["iot-dns", "iot-block"] }

type When = "before-outcome" | "after-outcome"

/** A journal that interrupts the apply at its k-th API call. */
const crashingJournal = (dataDir: string, k: number, when: When) =>
  Layer.effect(
    Journal,
    Effect.map(makeJournal({ dataDir }), (real) => {
      let calls = 0
      const wrap = (open: OpenJournal): OpenJournal => ({
        ...open,
        record: (intent, call, uuidsOf) => {
          calls += 1
          if (calls !== k) return open.record(intent, call, uuidsOf)
          return when === "before-outcome"
            ? open.record(intent, Effect.andThen(call, Effect.interrupt), uuidsOf)
            : Effect.andThen(open.record(intent, call, uuidsOf), Effect.interrupt)
        }
      })
      return {
        ...real,
        begin: (b) => Effect.map(real.begin(b), wrap),
        active: (site) => Effect.map(real.active(site), (o) => (o === undefined ? undefined : wrap(o)))
      }
    })
  )

const applyOnce = (layer: Layer.Layer<SafeReconciler>) =>
  Effect.exit(SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer)))

describe("crash at every step", () => {
  it.live(
    "re-running after a kill at any API call ends in the desired state with no duplicates",
    () =>
      Effect.gen(function*() {
        // a clean run tells how many API calls the apply makes
        const calls = yield* Effect.scoped(Effect.gen(function*() {
          const sim = yield* simulator({ unmanaged: false })
          const root = tempRoot()
          const desiredDir = writeTree(join(root, "desired"), TREE)
          const exit = yield* applyOnce(instance({ sim, desiredDir, dataDir: join(root, "data") }))
          expect(Exit.isSuccess(exit) && exit.value.result).toBe("applied")
          const archived = readdirSync(join(root, "data", "journal", "archive"))
          expect(archived).toHaveLength(1)
          cleanup(root)
          return sim.requests.entries.filter((e) =>
            e.method === "POST" && !e.endpoint.includes("search") && !e.endpoint.includes("backup")
          ).length
        }))
        expect(calls).toBe(8) // 5 creates + 3 reconfigures

        for (const when of ["before-outcome", "after-outcome"] as const) {
          for (let k = 1; k <= calls; k++) {
            yield* Effect.scoped(Effect.gen(function*() {
              const sim = yield* simulator({ unmanaged: false })
              const root = tempRoot()
              const desiredDir = writeTree(join(root, "desired"), TREE)
              const dataDir = join(root, "data")
              const crashed = yield* applyOnce(
                instance({ sim, desiredDir, dataDir, journal: crashingJournal(dataDir, k, when) })
              )
              expect(Exit.hasInterrupts(crashed), `${when} ${k}: the apply was killed`).toBe(true)
              expect(existsSync(join(dataDir, "journal", "default.jsonl")), `${when} ${k}: journal left behind`).toBe(
                true
              )

              const rerun = yield* applyOnce(instance({ sim, desiredDir, dataDir }))
              if (Exit.isFailure(rerun)) throw new Error(`${when} ${k}: rerun failed: ${String(rerun.cause)}`)
              const report = rerun.value
              expect(report.safety?.recovered, `${when} ${k}`).toContain("recovered the interrupted apply")
              expect(["applied", "nothing-to-do"]).toContain(report.result)

              const expectOne = (names: ReadonlyArray<string>) => Object.fromEntries(names.map((n) => [n, 1]))
              expect(owned(sim.state.vlans.values()), `${when} ${k}: vlans`).toEqual(expectOne(NAMES.vlan))
              expect(owned(sim.state.aliases.values()), `${when} ${k}: aliases`).toEqual(expectOne(NAMES.alias))
              expect(owned(sim.state.rules.values()), `${when} ${k}: rules`).toEqual(expectOne(NAMES.rule))
              // what runs is what was saved: recovery reconfigured what the killed apply had touched
              expect(owned(sim.state.applied.aliases.values()), `${when} ${k}: running aliases`).toEqual(
                expectOne(NAMES.alias)
              )
              expect(owned(sim.state.applied.rules.values()), `${when} ${k}: running rules`).toEqual(
                expectOne(NAMES.rule)
              )
              expect(existsSync(join(dataDir, "journal", "default.jsonl"))).toBe(false)
              const replan = yield* SafeReconciler.use((r) => r.plan()).pipe(
                Effect.provide(instance({ sim, desiredDir, dataDir }))
              )
              expect(replan.changes, `${when} ${k}: re-plan`).toEqual([])
              cleanup(root)
            }))
          }
        }
      }),
    60_000
  )
})

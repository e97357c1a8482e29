/**
 * The safe apply against the simulator over HTTPS: the lockout tree is blocked (and applies only
 * with a logged override), a failed post-apply probe reverts the firewall to the revision recorded
 * before, two applies from two instances sharing Redis never interleave, and no credential ever
 * lands in DATA_DIR.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, Schedule } from "effect"
import { randomBytes } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import * as net from "node:net"
import { join } from "node:path"
import { parseJournal } from "../../src/Safety/Journal.ts"
import { SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import { acquire as simulator, type SimulatorHandle } from "../../src/Simulator.ts"
import { Store } from "../../src/Store/Store.ts"
import { applyReverts } from "../../src/Telemetry/Metrics.ts"
import {
  ALIASES,
  cleanup,
  filesUnder,
  instance,
  LOCKOUT,
  MANAGEMENT,
  owned,
  sites,
  tempRoot,
  writeTree
} from "./harness.ts"

const setup = (files: Readonly<Record<string, string>>) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const sim = yield* simulator()
      const root = tempRoot()
      return { sim, root, desiredDir: writeTree(join(root, "desired"), files), dataDir: join(root, "data") }
    }),
    ({ root }) => Effect.sync(() => cleanup(root))
  )

/** A listening or a closed TCP port on loopback. */
const port = (listening: boolean) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ server: net.Server; port: number }>((resolve) => {
        const server = net.createServer((s) => s.destroy()).listen(0, "127.0.0.1", () => {
          const address = server.address()
          resolve({ server, port: typeof address === "object" && address !== null ? address.port : 0 })
        })
      })
    ).pipe(Effect.tap(({ server }) => (listening ? Effect.void : Effect.promise(() =>
      new Promise<void>((r) =>
        server.close(() => r())
      )
    )))),
    ({ server }) =>
      Effect.sync(() => server.close())
  ).pipe(Effect.map(({ port }) => port))

const writes = (sim: SimulatorHandle) =>
  sim.requests.entries.filter((e) => e.method === "POST" && /(add|set|del)_|reconfigure|apply|revert/.test(e.endpoint))
    .map((e) => e.endpoint)

describe("lockout guard", () => {
  it.live("blocks a plan that cuts the management path; apply refuses it; an override applies it and is audited", () =>
    Effect.gen(function*() {
      const { dataDir, desiredDir, sim } = yield* setup({ "sites.yaml": sites(MANAGEMENT), "main.yaml": LOCKOUT })
      const layer = instance({ sim, desiredDir, dataDir })
      const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(Effect.provide(layer))
      expect(plan.blocked).toEqual([expect.objectContaining({ kind: "rule", name: "no-admin", action: "create" })])
      expect(plan.blocked[0]?.reason).toContain("10.0.10.1:443 in on opt1")

      sim.requests.clear()
      const refused = yield* Effect.flip(
        SafeReconciler.use((r) => r.apply(plan.planId, { approve: true })).pipe(Effect.provide(layer))
      )
      expect(refused._tag).toBe("PlanBlocked")
      expect(refused.message).toContain("no-admin")
      const refusedToo = yield* Effect.flip(
        SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(Effect.provide(layer))
      )
      expect(refusedToo._tag).toBe("PlanBlocked")
      expect(writes(sim)).toEqual([])

      const report = yield* SafeReconciler.use((r) =>
        r.planAndApply({ approve: true, override: { reason: "maintenance window, console access ready" } })
      ).pipe(Effect.provide(layer))
      expect(report.result).toBe("applied")
      expect(report.override).toBe("maintenance window, console access ready")
      const audit = yield* Store.use((s) => s.readAudit).pipe(Effect.provide(layer))
      expect(audit.at(-1)?.override).toBe("maintenance window, console access ready")
      // the journal names the same actor as the audit log
      const archive = join(dataDir, "journal", "archive")
      const journals = readdirSync(archive).map((f) => parseJournal(readFileSync(join(archive, f), "utf8")))
      expect(journals.flat().filter((r) => r.type === "begin").map((r) => r.actor)).toEqual([audit.at(-1)?.actor])
    }))

  it.live("does not block a plan that leaves the management path alone", () =>
    Effect.gen(function*() {
      const { dataDir, desiredDir, sim } = yield* setup({ "sites.yaml": sites(MANAGEMENT), "main.yaml": ALIASES })
      const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(
        Effect.provide(instance({ sim, desiredDir, dataDir }))
      )
      expect(plan.changes.length).toBeGreaterThan(0)
      expect(plan.blocked).toEqual([])
    }))

  it.live("trusts OPNsense's automatic anti-lockout rule, which the API shows on lan", () =>
    Effect.gen(function*() {
      const lan = "    management: { interface: lan, address: 192.168.1.1, port: 443, source: 192.168.1.10 }\n"
      const { dataDir, desiredDir, sim } = yield* setup({
        "sites.yaml": sites(lan),
        "main.yaml": LOCKOUT.replace("10.0.10.1", "192.168.1.1")
      })
      const plan = yield* SafeReconciler.use((r) => r.plan()).pipe(
        Effect.provide(instance({ sim, desiredDir, dataDir }))
      )
      expect(plan.blocked).toEqual([])
    }))
})

describe("verify and revert", () => {
  it.live("a failed post-apply probe reverts the firewall to the revision recorded before", () =>
    Effect.gen(function*() {
      const closed = yield* port(false)
      const probes = `    probes:\n      - { host: 127.0.0.1, port: ${closed}, timeout_ms: 1000 }\n`
      const { dataDir, desiredDir, sim } = yield* setup({
        "sites.yaml": sites(probes),
        "main.yaml": `${ALIASES}${`
vlans:
  - name: iot
    parent: igb1
    tag: 30
`}`
      })
      const before = sim.state.snapshot()
      const beforeRunning = { aliases: new Map(sim.state.applied.aliases), vlans: new Map(sim.state.applied.vlans) }
      const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(
        Effect.provide(instance({ sim, desiredDir, dataDir }))
      )
      expect(report.result).toBe("failed")
      expect(report.safety?.verification?.failures.join(" ")).toContain(`127.0.0.1:${closed}`)
      expect(report.safety?.revert).toMatchObject({ result: "reverted", revision: report.safety?.revision })
      expect(report.safety?.revert?.reconfigured).toEqual(["vlan", "alias"])
      expect(report.message).toContain("reverted")
      // the saved config and what runs are what they were before the apply
      expect(owned(sim.state.aliases.values())).toEqual({})
      expect(owned(sim.state.vlans.values())).toEqual({})
      expect([...sim.state.aliases.keys()].sort()).toEqual([...before.aliases.keys()].sort())
      expect([...sim.state.vlans.keys()].sort()).toEqual([...before.vlans.keys()].sort())
      expect([...sim.state.applied.aliases.keys()].sort()).toEqual([...beforeRunning.aliases.keys()].sort())
      expect([...sim.state.applied.vlans.keys()].sort()).toEqual([...beforeRunning.vlans.keys()].sort())
      expect(sim.requests.count((e) => e.endpoint.includes("revert_backup"))).toBe(1)
      const audit = yield* Store.use((s) => s.readAudit).pipe(Effect.provide(instance({ sim, desiredDir, dataDir })))
      expect(audit.at(-1)?.result).toContain("reverted to")
      // what the OpnsenseMcpApplyReverted alert counts
      const reverts = yield* Metric.value(Metric.withAttributes(applyReverts, { site: "default", result: "reverted" }))
      expect(reverts.count).toBe(1)
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  it.live("a passing probe keeps the apply", () =>
    Effect.gen(function*() {
      const open = yield* port(true)
      const { dataDir, desiredDir, sim } = yield* setup({
        "sites.yaml": sites(`    probes:\n      - { host: 127.0.0.1, port: ${open} }\n`),
        "main.yaml": ALIASES
      })
      const report = yield* SafeReconciler.use((r) => r.planAndApply({ approve: true })).pipe(
        Effect.provide(instance({ sim, desiredDir, dataDir }))
      )
      expect(report.result).toBe("applied")
      expect(report.safety).toMatchObject({ verification: { ok: true, failures: [] } })
      expect(report.safety?.revert).toBeUndefined()
      expect(report.safety?.revision).toMatch(/\d/)
      expect(owned(sim.state.aliases.values())).toEqual({ iot_net: 1 })
    }))
})

describe("one writer per firewall", () => {
  it.live(
    "two instances sharing Redis: the second fails fast naming the holder, and retried, never interleaves",
    () =>
      Effect.gen(function*() {
        const a = yield* setup({
          "main.yaml": `
aliases:
  - { name: x1, type: host, content: [10.0.0.1] }
  - { name: x2, type: host, content: [10.0.0.2] }
  - { name: x3, type: host, content: [10.0.0.3] }
`
        })
        const bDir = writeTree(join(a.root, "desired-b"), {
          "main.yaml": `
aliases:
  - { name: x1, type: host, content: [10.0.0.1] }
  - { name: x2, type: host, content: [10.0.0.2] }
  - { name: x3, type: host, content: [10.0.0.3] }
vlans:
  - { name: v1, parent: igb1, tag: 41 }
  - { name: v2, parent: igb1, tag: 42 }
  - { name: v3, parent: igb1, tag: 43 }
`
        })
        const prefix = `opnsense-mcp:test:${randomBytes(6).toString("hex")}:`
        // separate DATA_DIRs: only Redis is shared, as between two machines
        const first = instance({
          sim: a.sim,
          desiredDir: a.desiredDir,
          dataDir: join(a.root, "data-a"),
          redisPrefix: prefix
        })
        const second = instance({ sim: a.sim, desiredDir: bDir, dataDir: join(a.root, "data-b"), redisPrefix: prefix })
        a.sim.faults.setLatency(40)
        a.sim.requests.clear()
        const refusals: Array<string> = []
        const runA = SafeReconciler.use((r) => r.planAndApply({ approve: true, actor: "a" })).pipe(
          Effect.provide(first)
        )
        const runB = SafeReconciler.use((r) => r.planAndApply({ approve: true, actor: "b" })).pipe(
          Effect.provide(second),
          Effect.tapError((e) => Effect.sync(() => refusals.push(e.message))),
          Effect.retry({ while: (e) => e._tag === "LockHeld", schedule: Schedule.spaced("50 millis") })
        )
        // B starts once A holds the lock: A's first request to the firewall is made under it (a fixed
        // delay lost the race when A's start-up alone took longer, on a loaded machine)
        const aHoldsLock = Effect.sleep("10 millis").pipe(Effect.repeat({ until: () => a.sim.requests.count() > 0 }))
        const [ra, rb] = yield* Effect.all([runA, Effect.andThen(aHoldsLock, runB)], { concurrency: 2 })
        expect([ra.result, rb.result]).toEqual(["applied", "applied"])
        // B was refused at once while A held the lock, with who and since when
        expect(refusals.length).toBeGreaterThan(0)
        expect(refusals[0]).toMatch(/locked by .* \(pid \d+ on .*\) since \d{4}-/)
        // A's writes and reconfigure, then B's: two uninterrupted blocks
        expect(writes(a.sim)).toEqual([
          "/api/firewall/alias/add_item",
          "/api/firewall/alias/add_item",
          "/api/firewall/alias/add_item",
          "/api/firewall/alias/reconfigure",
          "/api/interfaces/vlan_settings/add_item",
          "/api/interfaces/vlan_settings/add_item",
          "/api/interfaces/vlan_settings/add_item",
          "/api/interfaces/vlan_settings/reconfigure"
        ])
        expect(owned(a.sim.state.aliases.values())).toEqual({ x1: 1, x2: 1, x3: 1 })
        expect(owned(a.sim.state.vlans.values())).toEqual({ v1: 1, v2: 1, v3: 1 })
      }),
    30_000
  )
})

describe("secrets", () => {
  it.live("after plan and apply, no file in DATA_DIR contains the API key or secret", () =>
    Effect.gen(function*() {
      const { dataDir, desiredDir, sim } = yield* setup({ "main.yaml": `${ALIASES}${LOCKOUT}` })
      const layer = instance({ sim, desiredDir, dataDir })
      yield* SafeReconciler.use((r) => Effect.andThen(r.plan(), r.planAndApply({ approve: true }))).pipe(
        Effect.provide(layer)
      )
      const files = filesUnder(dataDir)
      expect(files.map((f) => f.path).some((p) => p.includes("journal"))).toBe(true)
      expect(files.length).toBeGreaterThanOrEqual(3)
      for (const f of files) {
        expect(f.content.includes(sim.apiSecret), f.path).toBe(false)
        expect(f.content.includes(sim.apiKey), f.path).toBe(false)
      }
    }))
})

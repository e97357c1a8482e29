/**
 * Sites spread across instances (issue 19): M sites on N `serve` instances sharing Redis, each
 * site on its own embedded sandbox, the reconcile loop in observe mode. Measured: how many sites
 * each instance leads, and the wall of one reconcile cycle of a site (drift read, start to end),
 * compared with the same N instances each given only its share, ceil(M / N) sites, and a Redis
 * database of its own (no coordination): the same number of processes on the same cores, so the
 * difference is what spreading costs, not the machine.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { emit, median, round } from "./lib/Report.ts"

const projectDir = join(import.meta.dirname, "..")

export interface FleetOptions {
  readonly sites: number
  readonly instances: number
  readonly intervalMs: number
  /** cycles per site to wait for once the spread is steady */
  readonly rounds: number
}

export interface FleetResult {
  readonly sites: number
  readonly instances: number
  readonly share: number
  readonly alone: { readonly medianMs: number; readonly maxMs: number; readonly perInstance: ReadonlyArray<number> }
  readonly fleet: { readonly medianMs: number; readonly maxMs: number; readonly perInstance: ReadonlyArray<number> }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })

const desired = (root: string, names: ReadonlyArray<string>) => {
  const dir = join(root, "desired-state")
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "sites.yaml"), `sites:\n${names.map((n) => `  - name: ${n}\n`).join("")}`)
  for (const n of names) {
    mkdirSync(join(dir, n))
    writeFileSync(join(dir, n, "main.yaml"), "vlans:\n  - name: iot\n    parent: igb1\n    tag: 30\n")
  }
  return dir
}

interface SiteView {
  readonly leader: boolean
  readonly lastResults: ReadonlyArray<{ readonly at: string; readonly durationMs: number }>
}

const serve = async (root: string, id: string, desiredDir: string, intervalMs: number, redisDb: number) => {
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, [join(projectDir, "src/index.ts"), "serve"], {
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? root,
      HOST: "127.0.0.1",
      PORT: String(port),
      INSTANCE_ID: id,
      DATA_DIR: join(root, `data-${id}`),
      LOG_DIR: join(root, `logs-${id}`),
      DESIRED_STATE_DIR: desiredDir,
      REDIS_URL: `redis://127.0.0.1:6379/${redisDb}`,
      RECONCILE_INTERVAL: `${intervalMs}ms`,
      RECONCILE_MODE: "observe",
      // /health is only read for the loop's status: probing 50 firewalls 4 times a second would be
      // most of the load measured
      HEALTH_CHECK_INTERVAL_MS: "3000"
    },
    stdio: ["ignore", "ignore", "ignore"]
  })
  const url = `http://127.0.0.1:${port}`
  const sites = async (): Promise<Record<string, SiteView>> => {
    const body = await fetch(`${url}/health`).then((r) =>
      r.json() as Promise<{ reconcile?: { sites: Record<string, SiteView> } }>
    )
    return body.reconcile?.sites ?? {}
  }
  return { child, sites }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** run instances (sites and Redis database each) until every site has `rounds` results after the spread settled */
const measure = async (
  root: string,
  runs: ReadonlyArray<{ readonly id: string; readonly sites: ReadonlyArray<string>; readonly redisDb: number }>,
  o: FleetOptions
) => {
  const names = [...new Set(runs.flatMap((r) => r.sites))]
  const procs = await Promise.all(
    runs.map((r) => serve(root, r.id, desired(join(root, r.id), r.sites), o.intervalMs, r.redisDb))
  )
  try {
    const deadline = Date.now() + 120_000
    const read = async () => Promise.all(procs.map((p) => p.sites().catch(() => ({} as Record<string, SiteView>))))
    // steady: every site led by exactly one instance, and every instance at its share (on a loaded
    // machine the last instance may join late, and until then the others lead its sites)
    const share = Math.ceil(names.length / procs.length)
    for (;;) {
      const views = await read()
      const leaders = names.map((n) => views.filter((v) => v[n]?.leader === true).length)
      const counts = views.map((v) => Object.values(v).filter((s) => s.leader).length)
      if (leaders.every((l) => l === 1) && counts.every((c) => c <= share)) break
      if (Date.now() > deadline) throw new Error("the fleet did not settle within 2 minutes")
      await sleep(200)
    }
    // the first cycles after a handover include starting the site's client: skip one interval
    await sleep(o.intervalMs)
    const from = Date.now()
    let durations: Array<number> = []
    let perInstance: Array<number> = []
    for (;;) {
      await sleep(Math.max(200, o.intervalMs / 2))
      const views = await read()
      perInstance = views.map((v) => Object.values(v).filter((s) => s.leader).length)
      durations = []
      let done = true
      for (const n of names) {
        const led = views.find((v) => v[n]?.leader === true)?.[n]
        const recent = (led?.lastResults ?? []).filter((r) => Date.parse(r.at) >= from)
        if (recent.length < o.rounds) done = false
        durations.push(...recent.map((r) => r.durationMs))
      }
      if (done) break
      if (Date.now() > deadline) throw new Error("not every site completed its cycles within 2 minutes")
    }
    return { medianMs: median(durations), maxMs: Math.max(...durations), perInstance }
  } finally {
    for (const p of procs) p.child.kill("SIGTERM")
    await sleep(500)
  }
}

export const fleetBench = async (o: FleetOptions): Promise<FleetResult> => {
  const root = mkdtempSync(join(tmpdir(), "bench-fleet-"))
  try {
    const names = Array.from({ length: o.sites }, (_, i) => `site-${i}`)
    const share = Math.ceil(o.sites / o.instances)
    const ids = Array.from({ length: o.instances }, (_, i) => i)
    const alone = await measure(
      root,
      ids.map((i) => ({ id: `alone-${i}`, sites: names.slice(i * share, (i + 1) * share), redisDb: 10 + i })),
      o
    )
    const fleet = await measure(root, ids.map((i) => ({ id: `fleet-${i}`, sites: names, redisDb: 9 })), o)
    return { sites: o.sites, instances: o.instances, share, alone, fleet }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

export const reportFleet = (r: FleetResult): void =>
  emit("fleet", { ...r }, [{
    title: `Reconcile loop: ${r.sites} sites on ${r.instances} instances (observe, embedded sandboxes)`,
    columns: ["run", "sites per instance", "cycle median ms", "cycle max ms"],
    rows: [
      [
        `${r.instances} instances, own share each`,
        r.alone.perInstance.join(" / "),
        round(r.alone.medianMs),
        round(r.alone.maxMs)
      ],
      [`${r.instances} instances`, r.fleet.perInstance.join(" / "), round(r.fleet.medianMs), round(r.fleet.maxMs)]
    ],
    notes: ["cycle: one site's drift read and report, start to end, after the spread is steady"]
  }])

/**
 * Three `serve`-like instances (child processes) share Redis and 50 sites: rendezvous hashing
 * spreads the sites (each site exactly one leader at every sample, no instance over
 * ceil(50/3) + 2), and when one instance is killed with SIGKILL its sites are taken over by the
 * survivors within one interval, again with exactly one leader per site.
 */
import { randomBytes } from "node:crypto"
import { describe, expect, it } from "vitest"
import { sleep, startHarness, waitFor } from "./processes.ts"

const INTERVAL = 1500
const SITES = 50

interface Report {
  readonly instance: string
  readonly at: number
  readonly leads: ReadonlyArray<string>
}

const start = (id: string, prefix: string, reports: Array<Report>, ready: Set<string>) =>
  startHarness(
    "fleet-instance.ts",
    {
      INSTANCE_ID: id,
      LEADER_PREFIX: prefix,
      INTERVAL_MS: String(INTERVAL),
      SITES: String(SITES),
      REPORT_MS: "50"
    },
    (line: Partial<Report> & { readonly ready?: boolean }) => {
      if (line.ready === true && line.instance !== undefined) ready.add(line.instance)
      else if (line.instance !== undefined && line.at !== undefined && line.leads !== undefined) {
        reports.push({ instance: line.instance, at: line.at, leads: line.leads })
      }
    }
  )

/**
 * How old an instance's latest report may be (it reports every 50 ms): on a loaded CI machine, with
 * other test files running beside it, a child's event loop can stall for a few hundred ms.
 */
const FRESH_MS = 500

/** who leads each site at time t: the latest report (at most FRESH_MS old) of every live instance */
const sample = (reports: ReadonlyArray<Report>, instances: ReadonlyArray<string>, t: number) => {
  const leaders = new Map<string, Array<string>>()
  const perInstance = new Map<string, number>()
  for (const id of instances) {
    const last = reports.findLast((r) => r.instance === id && r.at <= t)
    if (last === undefined || t - last.at > FRESH_MS) throw new Error(`no recent report of ${id} at ${t}`)
    perInstance.set(id, last.leads.length)
    for (const site of last.leads) leaders.set(site, [...(leaders.get(site) ?? []), id])
  }
  return { leaders, perInstance }
}

const checkWindow = (
  reports: ReadonlyArray<Report>,
  instances: ReadonlyArray<string>,
  from: number,
  to: number,
  maxPerInstance: number
) => {
  let samples = 0
  for (let t = from; t <= to; t += 100, samples++) {
    const { leaders, perInstance } = sample(reports, instances, t)
    for (let i = 0; i < SITES; i++) {
      expect(leaders.get(`site-${i}`) ?? [], `site-${i} at sample ${t}`).toHaveLength(1)
    }
    for (const [id, n] of perInstance) expect(n, `${id} leads ${n} sites`).toBeLessThanOrEqual(maxPerInstance)
  }
  return samples
}

describe("sites spread across instances (rendezvous hashing over Redis leases)", () => {
  it(
    "3 instances × 50 sites: one leader per site, an even share, a killed instance's sites taken over within one interval",
    async () => {
      const prefix = `opnsense-mcp:test:${randomBytes(6).toString("hex")}:leader:`
      const reports: Array<Report> = []
      const ready = new Set<string>()
      const ids = ["a", "b", "c"]
      const procs = new Map(ids.map((id) => [id, start(id, prefix, reports, ready)]))
      expect(await waitFor(() => ready.size === 3, 15_000)).toBe(true)
      // joining: within a few intervals every site has one leader among the three
      const settled = await waitFor(() => {
        try {
          const { leaders } = sample(reports, ids, Date.now() - 60)
          return leaders.size === SITES && [...leaders.values()].every((l) => l.length === 1)
        } catch {
          return false
        }
      }, INTERVAL * 6)
      expect(settled).toBe(true)
      // the first instance up may have taken every site before it saw the others: within one interval
      // of all three being there, the sites are spread
      const allUp = Math.max(...ids.map((id) => reports.find((r) => r.instance === id)?.at ?? Infinity))
      await sleep(Math.max(0, allUp + INTERVAL - Date.now()))
      const from = Date.now()
      await sleep(INTERVAL * 2)
      const steady = checkWindow(reports, ids, from, Date.now() - 60, Math.ceil(SITES / 3) + 2)
      const shares = sample(reports, ids, Date.now() - 60).perInstance
      console.log(`shares with 3 instances: ${JSON.stringify(Object.fromEntries(shares))} over ${steady} samples`)

      // kill the one that leads the most: its sites must be taken over within one interval
      const [victim] = [...shares.entries()].sort((x, y) => y[1] - x[1])[0] ?? []
      if (victim === undefined) throw new Error("no instance")
      const orphaned = sample(reports, ids, Date.now() - 60).leaders
      const theirs = [...orphaned.entries()].filter(([, l]) => l.includes(victim)).map(([site]) => site)
      const survivors = ids.filter((id) => id !== victim)
      const killedAt = Date.now()
      procs.get(victim)?.kill("SIGKILL")
      const covered = () => {
        try {
          const { leaders } = sample(reports, survivors, Date.now() - 60)
          return theirs.every((site) => leaders.get(site)?.length === 1)
        } catch {
          return false
        }
      }
      expect(await waitFor(covered, INTERVAL * 3)).toBe(true)
      // when each site was first reported led by a survivor
      const tookMs = Math.max(
        ...theirs.map((site) =>
          (reports.find((r) => r.at > killedAt && r.leads.includes(site))?.at ?? Infinity) - killedAt
        )
      )
      console.log(`${theirs.length} sites of ${victim} taken over after ${tookMs} ms (interval ${INTERVAL} ms)`)
      expect(tookMs).toBeLessThanOrEqual(INTERVAL)
      // during the takeover no site ever had two leaders among the survivors
      for (let t = killedAt; t <= Date.now() - 60; t += 50) {
        const { leaders } = sample(reports, survivors, t)
        for (const [site, l] of leaders) expect(l, `${site} at ${t}`).toHaveLength(1)
      }

      // with one instance fewer the ceiling rises, and a few sites move between the survivors
      // (never to two leaders at once); after one more interval the spread is steady again
      await sleep(INTERVAL)
      const after = Date.now()
      await sleep(INTERVAL * 2)
      const steadyAfter = checkWindow(reports, survivors, after, Date.now() - 60, Math.ceil(SITES / 2) + 2)
      console.log(
        `shares with 2 instances: ${
          JSON.stringify(Object.fromEntries(sample(reports, survivors, Date.now() - 60).perInstance))
        } over ${steadyAfter} samples`
      )
    },
    60_000
  )
})

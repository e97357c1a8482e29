import { Effect } from "effect"
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { Plan } from "../../src/Domain/Plan.ts"
import { kindNames } from "../../src/Kinds/Registry.ts"
import { emptyHead, type Head, seal } from "../../src/Store/AuditLog.ts"
import { make } from "../../src/Store/Store.ts"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const fresh = async () => {
  const dir = mkdtempSync(join(tmpdir(), "store-test-"))
  return { dir, store: await run(make(dir)) }
}

const draft = (planId: string) => ({
  at: "2026-01-01T00:00:00.000Z",
  actor: "alice",
  site: "default",
  action: "apply" as const,
  planId,
  result: "applied",
  changes: []
})

const plan: Plan = {
  planId: "a".repeat(64),
  site: "default",
  createdAt: "2026-01-01T00:00:00.000Z",
  firewallVersion: "26.7.5",
  liveDigest: "b".repeat(64),
  changes: [{ action: "create", kind: "alias", name: "x", after: { name: "x" } }],
  summary: { create: 1, update: 0, delete: 0 },
  warnings: [],
  blocked: []
}

describe("Store", () => {
  it("keeps the inventory per site in state.json with its schema version, replacing the file atomically", async () => {
    const { dir, store } = await fresh()
    await run(store.updateSite("hq", (s) => ({ ...s, inventory: { ...s.inventory, alias: { x: "uuid-1" } } })))
    const json = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"))
    expect(json.schemaVersion).toBe(2)
    expect(json.sites.hq.inventory.alias).toEqual({ x: "uuid-1" })
    expect((await run(store.site("hq"))).inventory.alias).toEqual({ x: "uuid-1" })
    // a site nothing was recorded for: an empty inventory per registered kind
    expect((await run(store.site("other"))).inventory).toEqual(Object.fromEntries(kindNames.map((k) => [k, {}])))
  })

  it("stores plans by id and loads them by id or by file", async () => {
    const { store } = await fresh()
    const file = await run(store.savePlan(plan))
    expect(await run(store.loadPlan(plan.planId))).toEqual(plan)
    expect(await run(store.loadPlan(file))).toEqual(plan)
    const missing = await run(Effect.flip(store.loadPlan("c".repeat(64))))
    expect(missing._tag).toBe("PlanNotFound")
  })

  it("loads a plan by the short id `plan` prints (a unique prefix), and says when a prefix is ambiguous", async () => {
    const { store } = await fresh()
    await run(store.savePlan(plan))
    expect(await run(store.loadPlan(plan.planId.slice(0, 12)))).toEqual(plan)
    await run(store.savePlan({ ...plan, planId: `${"a".repeat(12)}${"d".repeat(52)}` }))
    const ambiguous = await run(Effect.flip(store.loadPlan("a".repeat(12))))
    expect(ambiguous.message).toContain("2 stored plans start with aaaaaaaaaaaa")
    const none = await run(Effect.flip(store.loadPlan("0123456789ab")))
    expect(none._tag).toBe("PlanNotFound")
  })

  it("verifies an intact audit chain and detects an edited line", async () => {
    const { dir, store } = await fresh()
    for (const id of ["p1", "p2", "p3"]) await run(store.appendAudit(draft(id)))
    expect((await run(store.verify)).problems).toEqual([])
    const file = join(dir, "audit.log")
    writeFileSync(file, readFileSync(file, "utf8").replace("\"actor\":\"alice\"", "\"actor\":\"mallory\""))
    const report = await run(store.verify)
    expect(report.ok).toBe(false)
    expect(report.problems.join("\n")).toContain("edited")
  })

  it("detects a truncated audit log through the anchor in state.json", async () => {
    const { dir, store } = await fresh()
    for (const id of ["p1", "p2", "p3"]) await run(store.appendAudit(draft(id)))
    const file = join(dir, "audit.log")
    const lines = readFileSync(file, "utf8").trim().split("\n")
    writeFileSync(file, `${lines.slice(0, 2).join("\n")}\n`)
    const report = await run(store.verify)
    expect(report.problems.join("\n")).toContain("truncated")
  })

  it("detects a removed line in the middle", async () => {
    const { dir, store } = await fresh()
    for (const id of ["p1", "p2", "p3"]) await run(store.appendAudit(draft(id)))
    const file = join(dir, "audit.log")
    const lines = readFileSync(file, "utf8").trim().split("\n")
    writeFileSync(file, `${[lines[0], lines[2]].join("\n")}\n`)
    expect((await run(store.verify)).problems.join("\n")).toContain("chain broken")
  })

  it("migrates a v1 state.json and reports it until then", async () => {
    const { dir, store } = await fresh()
    writeFileSync(
      join(dir, "state.json"),
      JSON.stringify({ version: 1, inventory: { "default/rule/iot-dns": "u1", "hq/alias/net": "u2" } })
    )
    expect((await run(store.verify)).problems.join("\n")).toContain("state migrate")
    expect(await run(store.migrate)).toEqual({ from: 1, to: 2, changed: true })
    expect(await run(store.migrate)).toEqual({ from: 2, to: 2, changed: false })
    expect((await run(store.site("default"))).inventory.rule).toEqual({ "iot-dns": "u1" })
    expect((await run(store.site("hq"))).inventory.alias).toEqual({ net: "u2" })
    expect((await run(store.verify)).ok).toBe(true)
  })

  it("refuses a state.json from an unknown schema instead of overwriting it", async () => {
    const { dir, store } = await fresh()
    writeFileSync(join(dir, "state.json"), JSON.stringify({ schemaVersion: 9, sites: {} }))
    const error = await run(Effect.flip(store.site("default")))
    expect(error.message).toContain("schema version 9")
    expect((await run(store.verify)).ok).toBe(false)
  })

  it("appends to a long log without reading it: bytes read stay flat however many entries it holds", async () => {
    const { dir, store } = await fresh()
    const file = join(dir, "audit.log")
    const count = 20_000
    const lines: Array<string> = []
    let head: Head = emptyHead
    for (let i = 0; i < count; i++) {
      const entry = seal(draft(`p${i}`), head)
      lines.push(JSON.stringify(entry))
      head = { count: entry.seq, lastHash: entry.hash }
    }
    writeFileSync(file, `${lines.join("\n")}\n`)
    const logBytes = statSync(file).size
    expect(logBytes).toBeGreaterThan(4_000_000)
    // bytes this process read through read(2) (Linux): a whole-file read per append would be 50 × the log
    const bytesRead = () => Number(/rchar:\s*(\d+)/.exec(readFileSync("/proc/self/io", "utf8"))?.[1])
    const before = bytesRead()
    for (let i = 0; i < 50; i++) await run(store.appendAudit(draft(`q${i}`)))
    const read = bytesRead() - before
    expect(read).toBeLessThan(logBytes / 4)
    const last = await run(store.appendAudit(draft("last")))
    expect(last.seq).toBe(count + 51)
    expect((await run(store.verify)).problems).toEqual([])
  })

  it("reports a torn last line instead of chaining over it, and continues once it is removed", async () => {
    const { dir, store } = await fresh()
    for (const id of ["p1", "p2"]) await run(store.appendAudit(draft(id)))
    const file = join(dir, "audit.log")
    const intact = readFileSync(file, "utf8")
    // a crash in the middle of the third append
    appendFileSync(file, "{\"seq\":3,\"at\":\"2026-01-01T00:00:00.000Z\",\"act")
    const refused = await run(Effect.flip(store.appendAudit(draft("p3"))))
    expect(refused.message).toContain("incomplete line")
    expect(refused.message).toContain(`truncate -s ${Buffer.byteLength(intact)}`)
    expect(readFileSync(file, "utf8").startsWith(intact)).toBe(true)
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(3)
    expect((await run(store.verify)).problems.join("\n")).toContain("audit.log line 3: incomplete")
    writeFileSync(file, intact)
    expect((await run(store.appendAudit(draft("p3")))).seq).toBe(3)
    expect((await run(store.verify)).problems).toEqual([])
  })

  it("continues the chain after another writer's append (the file grew behind this process)", async () => {
    const { dir, store } = await fresh()
    await run(store.appendAudit(draft("p1")))
    const other = await run(make(dir))
    await run(other.appendAudit(draft("p2")))
    expect((await run(store.appendAudit(draft("p3")))).seq).toBe(3)
    expect((await run(store.verify)).problems).toEqual([])
  })
})

/**
 * CI smoke of `npm run bench`: every benchmark runs at tiny sizes (`--smoke`) and prints its JSON
 * line with the expected keys. No timed assertions: the figures of a smoke run mean nothing. What
 * is asserted are the facts the benchmarks exist to show, which do not depend on speed: a plan of
 * an adopted firewall is empty and reads each kind once, an apply reconfigures each subsystem once
 * and verifies clean, the baseline makes one request per object.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { join } from "node:path"

const ROOT = join(import.meta.dirname, "..", "..")

type Json = Readonly<Record<string, unknown>>
const isJson = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const runSmoke = Effect.promise(
  () =>
    new Promise<{ readonly lines: ReadonlyArray<Json>; readonly stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [join(ROOT, "bench", "run.ts"), "--smoke"], {
        cwd: ROOT,
        maxBuffer: 32 * 1024 * 1024,
        timeout: 240_000
      }, (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`bench --smoke failed: ${error.message}\n${stderr.slice(-2000)}`))
        const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l): unknown => JSON.parse(l)).filter(
          isJson
        )
        resolve({ lines, stderr })
      })
    })
)

const field = (value: unknown, ...path: ReadonlyArray<string | number>): unknown => {
  let cur = value
  for (const key of path) {
    cur = Array.isArray(cur) && typeof key === "number"
      ? cur[key]
      : isJson(cur)
      ? cur[String(key)]
      : undefined
  }
  return cur
}

describe("npm run bench -- --smoke", () => {
  it.effect(
    "prints one JSON line per benchmark with its figures, and a table for people",
    () =>
      Effect.gen(function*() {
        const { lines, stderr } = yield* runSmoke
        const by = new Map(lines.map((l) => [String(l["benchmark"]), l]))
        expect([...by.keys()].sort()).toEqual([
          "apply-new-rules",
          "diff",
          "fleet",
          "http",
          "plan-noop",
          "policy",
          "simulator",
          "startup",
          "targets"
        ])

        // sites spread across instances: every site led once, nobody over its share
        const fleet = by.get("fleet")
        const perInstance = field(fleet, "fleet", "perInstance")
        expect(perInstance).toEqual(expect.any(Array))
        const counts = perInstance as ReadonlyArray<number>
        expect(counts.reduce((a, b) => a + b, 0)).toBe(field(fleet, "sites"))
        for (const n of counts) expect(n).toBeLessThanOrEqual(Number(field(fleet, "share")) + 2)
        expect(field(fleet, "alone", "medianMs")).toEqual(expect.any(Number))

        // plan with nothing to change: adopted firewall, one read per kind, baseline per object
        const plan = field(by.get("plan-noop"), "results", 0)
        expect(field(plan, "changes")).toBe(0)
        expect(field(plan, "maxReadsPerKind")).toBe(1)
        for (const key of ["planMs", "processMs", "peakRssMb", "moduleLoadMs"]) {
          expect(field(plan, key)).toEqual(expect.any(Number))
        }
        expect(field(plan, "requests", "readsByKind")).toMatchObject({ vlan: 1, alias: 1, rule: 1 })
        expect(field(plan, "requests", "writes")).toBe(0)
        const objects = field(plan, "baseline", "objects")
        expect(objects).toEqual(expect.any(Number))
        expect(field(plan, "baseline", "requests")).toBe(Number(objects) + 3)
        expect(field(plan, "ratio", "requests")).toBeGreaterThan(1)
        for (const key of ["loadDesiredMs", "snapshotMs", "buildPlanMs"]) {
          expect(field(plan, "phases", key)).toEqual(expect.any(Number))
        }

        // start-up: --version and a whole-process plan, timed as processes (spawn to exit), with the
        // plan's phases from the marked runs; every plan run found the adopted firewall unchanged
        const startup = by.get("startup")
        expect(field(startup, "version", 0, "entry")).toBe("src")
        expect(field(startup, "version", 0, "medianMs")).toEqual(expect.any(Number))
        expect(field(startup, "plan", "series", 0, "medianMs")).toEqual(expect.any(Number))
        expect(field(startup, "plan", "series", 0, "stdoutBytes")).toBeGreaterThan(0)
        for (const key of ["moduleLoadMs", "desiredStateMs", "firewallReadMs", "diffRenderMs", "exitMs"]) {
          expect(field(startup, "plan", "series", 0, "phases", key), key).toEqual(expect.any(Number))
        }
        expect(field(startup, "plan", "series", 0, "phases", "requests")).toBeGreaterThanOrEqual(5)

        // diff alone
        const diff = field(by.get("diff"), "results", 0)
        for (const key of ["buildPlanMs", "diffSiteMs", "liveDigestMs", "changedBuildPlanMs"]) {
          expect(field(diff, key)).toEqual(expect.any(Number))
        }
        expect(field(diff, "changedChanges")).toBeGreaterThan(0)

        // apply of new rules: one reconfigure of the filter, clean verification, baseline 2 per rule
        const apply = field(by.get("apply-new-rules"), "results", 0)
        const n = Number(field(apply, "newRules"))
        expect(field(apply, "result")).toBe("applied")
        expect(field(apply, "verificationClean")).toBe(true)
        expect(field(apply, "apply", "reconfiguresByKind")).toEqual({ rule: 1 })
        expect(field(apply, "maxReconfiguresPerSubsystem")).toBe(1)
        expect(field(apply, "ruleWrites")).toBeGreaterThanOrEqual(1)
        expect(field(apply, "ruleWrites")).toBeLessThanOrEqual(n)
        expect(field(apply, "baseline", "requests")).toBe(2 * n)
        expect(field(apply, "baseline", "reconfigures")).toBe(n)

        // policy (bench/policy.ts folded in)
        const shapes = field(by.get("policy"), "results")
        expect(Array.isArray(shapes) && shapes.length > 0).toBe(true)
        for (const key of ["explainWorstMs", "lintMs", "decideWorstMs", "rules"]) {
          expect(field(shapes, 0, key))
            .toEqual(expect.any(Number))
        }

        // http: measured, not skipped
        const http = by.get("http")
        expect(field(http, "health", "requestsPerSecond")).toEqual(expect.any(Number))
        expect(field(http, "health", "non2xx")).toBe(0)
        expect(field(http, "apiRules", "requestsPerSecond")).toEqual(expect.any(Number))
        expect(field(http, "apiRules", "non2xx")).toBe(0)
        expect(field(http, "mcpPlan", "changes")).toBe(0)
        expect(field(http, "mcpPlan", "p50Ms")).toEqual(expect.any(Number))

        // targets: every target named with a verdict (met, not met, or not measured with a reason)
        const targets = field(by.get("targets"), "targets")
        expect(Array.isArray(targets) && targets.length >= 10).toBe(true)
        expect(field(by.get("targets"), "machine", "cpus")).toEqual(expect.any(Number))

        // and tables for people
        for (
          const title of [
            "plan with nothing to change",
            "plan + apply of N new rules",
            "diff and plan computation alone",
            "lint and explain",
            "start-up: whole processes",
            "where a whole-process plan spends its time",
            "ops server",
            "targets (issue #11)"
          ]
        ) {
          expect(stderr).toContain(title)
        }
      }),
    { timeout: 240_000 }
  )
})

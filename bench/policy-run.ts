/**
 * Folds the policy engineer's bench/policy.ts (lint and explain over N rules) into the runner: it
 * runs as its own process, unchanged, and its JSON becomes the `policy` line and table.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { isRecord, num as n } from "./lib/Json.ts"
import { emit } from "./lib/Report.ts"

export interface PolicyShape {
  readonly shape: string
  readonly rules: number
  readonly compileMs: number
  readonly decideAvgMs: number
  readonly decideWorstMs: number
  readonly explainWorstMs: number
  readonly explainSteps: number
  readonly lintMs: number
  readonly findings: Readonly<Record<string, number>>
}

const decode = (u: unknown): ReadonlyArray<PolicyShape> => {
  if (!isRecord(u) || !Array.isArray(u["results"])) {
    throw new Error("bench/policy.ts printed no results: its output format changed")
  }
  return u["results"].filter(isRecord).map((r) => ({
    shape: String(r["shape"]),
    rules: n(r, "rules"),
    compileMs: n(r, "compileMs"),
    decideAvgMs: n(r, "decideAvgMs"),
    decideWorstMs: n(r, "decideWorstMs"),
    explainWorstMs: n(r, "explainWorstMs"),
    explainSteps: n(r, "explainSteps"),
    lintMs: n(r, "lintMs"),
    findings: isRecord(r["findings"])
      ? Object.fromEntries(Object.entries(r["findings"]).filter((e): e is [string, number] => typeof e[1] === "number"))
      : {}
  }))
}

export const policyBench = (rules: number): Promise<ReadonlyArray<PolicyShape>> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(import.meta.dirname, "policy.ts"), String(rules)],
      { maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`bench/policy.ts failed: ${stderr.slice(-500) || error.message}`))
        try {
          resolve(decode(JSON.parse(stdout)))
        } catch (e) {
          reject(e)
        }
      }
    )
  })

export const reportPolicy = (results: ReadonlyArray<PolicyShape>): void =>
  emit("policy", { results }, [
    {
      title: "lint and explain (bench/policy.ts; pure, no I/O)",
      columns: [
        "shape",
        "rules",
        "compile ms",
        "decide avg ms",
        "decide worst ms",
        "explain ms",
        "lint ms",
        "findings"
      ],
      rows: results.map((r) => [
        r.shape,
        r.rules,
        r.compileMs,
        r.decideAvgMs,
        r.decideWorstMs,
        r.explainWorstMs,
        r.lintMs,
        Object.values(r.findings).reduce((a, b) => a + b, 0)
      ]),
      notes: [
        "explain ms: one explain of a packet no rule matches (it walks every rule on its interface); decide worst: the same packet, verdict only"
      ]
    }
  ])

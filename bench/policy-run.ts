/**
 * Folds the policy engineer's bench/policy.ts (lint and explain over N rules) into the runner: it
 * runs as its own process, unchanged, and its JSON becomes the `policy` line and table.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { cliNodeFlags } from "./lib/Child.ts"
import { isRecord, num as n } from "./lib/Json.ts"
import { emit } from "./lib/Report.ts"

export interface PolicyShape {
  readonly shape: string
  readonly rules: number
  readonly compileMs: number
  readonly decideAvgMs: number
  readonly decideWorstMs: number
  /** median of 101 explanations of a packet no rule matches (every applicable rule walked) */
  readonly explainWorstMs: number
  readonly explainP90Ms: number
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
    explainP90Ms: n(r, "explainP90Ms"),
    explainSteps: n(r, "explainSteps"),
    lintMs: n(r, "lintMs"),
    findings: isRecord(r["findings"])
      ? Object.fromEntries(Object.entries(r["findings"]).filter((e): e is [string, number] => typeof e[1] === "number"))
      : {}
  }))
}

const runShape = (rules: number, shape: "spread" | "one"): Promise<ReadonlyArray<PolicyShape>> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      // the engine as the CLI and serve run it (their node flags), each shape in a process of its own
      [...cliNodeFlags, join(import.meta.dirname, "policy.ts"), String(rules), shape],
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

export const policyBench = async (rules: number): Promise<ReadonlyArray<PolicyShape>> => [
  ...(await runShape(rules, "spread")),
  ...(await runShape(rules, "one"))
]

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
        "explain p90 ms",
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
        r.explainP90Ms,
        r.lintMs,
        Object.values(r.findings).reduce((a, b) => a + b, 0)
      ]),
      notes: [
        "explain ms: median of 101 explanations of a packet no rule matches (each walks every rule on its interface), after a first that builds the interface index; decide worst: the same packet, verdict only",
        "each shape runs in a process of its own, with the node flags of the CLI's entry (src/index.ts shebang)"
      ]
    }
  ])

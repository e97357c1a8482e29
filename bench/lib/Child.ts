/**
 * Run a bench child (bench/child/*.ts) in its own Node process with IPC: the child marks phase
 * boundaries, the parent notes the simulator's request-log position at each mark, and the child's
 * last message is its result. `BENCH_CPU_PROF=DIR` profiles every child with `--cpu-prof`.
 */
import { fork } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { hermeticEnv, type SimulatorHandle } from "./Sim.ts"

export interface ChildRun {
  /** label → request-log index when the child reached it */
  readonly marks: ReadonlyMap<string, number>
  readonly result: Readonly<Record<string, unknown>>
  /** wall time of the whole process, spawn to exit */
  readonly processMs: number
  readonly stderr: string
}

const isMessage = (
  u: unknown
): u is {
  readonly type: string
  readonly label?: string
  readonly result?: Record<string, unknown>
  readonly message?: string
} => typeof u === "object" && u !== null && "type" in u && typeof u.type === "string"

/**
 * The flags the CLI gives node (its entry's `#!/usr/bin/env -S node …` line): a bench child runs
 * the same composition as the CLI, so it runs under the same V8 settings.
 */
export const cliNodeFlags: ReadonlyArray<string> = (() => {
  const entry = readFileSync(join(import.meta.dirname, "..", "..", "src", "index.ts"), "utf8")
  const shebang = /^#!\/usr\/bin\/env -S node((?: --?[\w-]+(?:=\S+)?)*)\s*$/m.exec(entry.split("\n")[0] ?? "")
  return shebang?.[1]?.trim().split(/\s+/).filter((f) => f !== "") ?? []
})()

export const runChild = (
  script: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  sim: SimulatorHandle
): Promise<ChildRun> =>
  new Promise((resolve, reject) => {
    const profileDir = process.env["BENCH_CPU_PROF"]
    const started = performance.now()
    const child = fork(join(import.meta.dirname, "..", "child", script), [...args], {
      env: hermeticEnv(env),
      execArgv: [...cliNodeFlags, ...(profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`])],
      stdio: ["ignore", "ignore", "pipe", "ipc"]
    })
    const marks = new Map<string, number>()
    let result: Record<string, unknown> | undefined
    let failure: string | undefined
    let stderr = ""
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-8000)
    })
    child.on("message", (message: unknown) => {
      if (!isMessage(message)) return
      if (message.type === "mark" && message.label !== undefined) {
        marks.set(message.label, sim.requests.entries.length)
        child.send({ type: "ack" })
      } else if (message.type === "result") result = message.result
      else if (message.type === "error") failure = message.message
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      const processMs = performance.now() - started
      if (result !== undefined) resolve({ marks, result, processMs, stderr })
      else {reject(
          new Error(
            `bench child ${script} ${args.join(" ")} exited ${code}: ${
              failure ?? stderr.trim().split("\n").slice(-5).join(" | ")
            }`
          )
        )}
    })
  })

/** Requests between two marks (or to the end of the log). */
export const between = (run: ChildRun, sim: SimulatorHandle, from: string, to?: string) => {
  const start = run.marks.get(from) ?? 0
  const end = to === undefined ? sim.requests.entries.length : (run.marks.get(to) ?? sim.requests.entries.length)
  return sim.requests.entries.slice(start, end)
}

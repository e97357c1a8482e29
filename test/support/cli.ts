/**
 * Run the real CLI (`node src/index.ts ...`) as a child process against a simulator reached through
 * OPNSENSE_URL, like CI runs it against a firewall. stdin is a pipe (not a terminal) and the
 * environment is only what is passed here, so nothing of the developer's shell leaks in.
 */
import { execFile } from "node:child_process"
import { resolve } from "node:path"
import type { SimulatorHandle } from "../../src/Simulator.ts"

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  readonly sim: SimulatorHandle
  readonly dataDir: string
  /** working directory of the child (default: the project root) */
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string>>
}

const ENTRY = resolve(import.meta.dirname, "../../src/index.ts")

/** The variables that point the CLI at the simulator. */
export const simulatorEnv = (sim: SimulatorHandle): Record<string, string> => ({
  OPNSENSE_URL: sim.url,
  OPNSENSE_API_KEY: sim.apiKey,
  OPNSENSE_API_SECRET: sim.apiSecret,
  OPNSENSE_CA_FILE: sim.caFile ?? ""
})

export const runCli = (args: ReadonlyArray<string>, options: CliOptions) =>
  new Promise<CliResult>((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [ENTRY, ...args],
      {
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        env: {
          PATH: process.env["PATH"] ?? "",
          ...simulatorEnv(options.sim),
          DATA_DIR: options.dataDir,
          USER: "ci-bot",
          CACHE_DEFAULT_TTL: "0",
          ...options.env
        }
      },
      (error, stdout, stderr) =>
        resolvePromise({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    )
    child.stdin?.end() // stdin is a pipe, not a terminal
  })

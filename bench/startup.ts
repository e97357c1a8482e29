/**
 * Start-up as a user sees it: whole processes, spawn to exit, with the CLI's own node flags.
 *
 *   --version          `node src/index.ts --version` (and dist/index.js), N times
 *   plan, whole process `node src/index.ts plan --json` against the bench's simulator at the
 *                       largest plan size, N times, and a few more runs with phase marks
 *                       (bench/lib/Marks.ts) to show where the time goes
 *
 * Each measurement gets a fresh Node compile cache (NODE_COMPILE_CACHE in a temporary directory):
 * the first run fills it ("cold", what the first command after an install or upgrade pays), the
 * others read it ("warm", every later command); the median is of the warm runs.
 *
 * dist/: the TypeScript build is what `npm install -g` users run (no type stripping at start). The
 * bench compiles it into a temporary directory with the project's tsconfig.build.json, unless told
 * not to (`--startup-dist skip`, the default for --smoke).
 */
import { execFile, spawn } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cliNodeFlags } from "./lib/Child.ts"
import { type Marks, marksHook, parseMarks } from "./lib/Marks.ts"
import { emit, median, round, type Table } from "./lib/Report.ts"
import { hermeticEnv } from "./lib/Sim.ts"

const ROOT = join(import.meta.dirname, "..")

/** An entry point to time: the sources, or a build of them. */
export interface Entry {
  readonly name: "src" | "dist"
  readonly file: string
}

export const sourceEntry: Entry = { name: "src", file: join(ROOT, "src", "index.ts") }

export interface Build {
  readonly entry: Entry
  readonly remove: () => void
}

/**
 * `tsc -p tsconfig.build.json` into a temporary directory laid out like the package (dist/ beside
 * package.json, which the build imports for the version, and node_modules).
 */
export const buildDist = (): Promise<Build> =>
  new Promise((resolve, reject) => {
    const root = mkdtempSync(join(tmpdir(), "bench-dist-"))
    const remove = () => rmSync(root, { recursive: true, force: true })
    copyFileSync(join(ROOT, "package.json"), join(root, "package.json"))
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"))
    execFile(
      process.execPath,
      [
        join(ROOT, "node_modules", "typescript", "bin", "tsc"),
        "-p",
        join(ROOT, "tsconfig.build.json"),
        "--outDir",
        join(
          root,
          "dist"
        )
      ],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error !== null) {
          remove()
          return reject(new Error(`tsc failed: ${error.message}\n${stdout.slice(-2000)}`))
        }
        resolve({ entry: { name: "dist", file: join(root, "dist", "index.js") }, remove })
      }
    )
  })

export interface ProcessRun {
  readonly ms: number
  readonly code: number | null
  readonly stdoutBytes: number
  /** absolute times (ms since the epoch) the parent saw */
  readonly spawnedAt: number
  readonly firstStdoutAt: number | undefined
  readonly exitedAt: number
  readonly marks: Marks | undefined
  readonly stderrTail: string
}

const now = () => performance.timeOrigin + performance.now()

/** One process, spawn to exit. The parent's event loop stays free (the simulator may live in it). */
export const runProcess = (
  entry: Entry,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  options: { readonly marks?: boolean; readonly profileDir?: string | undefined } = {}
): Promise<ProcessRun> =>
  new Promise((resolve, reject) => {
    const nodeArgs = [
      ...cliNodeFlags,
      ...(options.marks === true ? ["--import", marksHook] : []),
      ...(options.profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`]),
      entry.file,
      ...args
    ]
    const spawnedAt = now()
    const child = spawn(process.execPath, nodeArgs, { env: hermeticEnv(env), stdio: ["ignore", "pipe", "pipe"] })
    let firstStdoutAt: number | undefined
    let stdoutBytes = 0
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      firstStdoutAt ??= now()
      stdoutBytes += chunk.length
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-16_000)
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const exitedAt = now()
      resolve({
        ms: exitedAt - spawnedAt,
        code,
        stdoutBytes,
        spawnedAt,
        firstStdoutAt,
        exitedAt,
        marks: parseMarks(stderr),
        stderrTail: stderr.split("\n").filter((l) => !l.startsWith("BENCH-MARKS ")).join("\n").slice(-1000)
      })
    })
  })

/**
 * A fresh compile cache for each entry's series (its first run fills it), removed afterwards. The
 * entries' runs are interleaved, so a change in the machine's load hits them alike.
 */
const interleaved = async (
  entries: ReadonlyArray<Entry>,
  runs: number,
  once: (entry: Entry, env: Readonly<Record<string, string>>, index: number) => Promise<ProcessRun>
): Promise<ReadonlyArray<ReadonlyArray<ProcessRun>>> => {
  const caches = entries.map(() => mkdtempSync(join(tmpdir(), "bench-compile-cache-")))
  try {
    const all: Array<Array<ProcessRun>> = entries.map(() => [])
    for (let i = 0; i < runs; i++) {
      for (const [k, entry] of entries.entries()) {
        all[k]?.push(await once(entry, { NODE_COMPILE_CACHE: caches[k] ?? "" }, i))
      }
    }
    return all
  } finally {
    for (const dir of caches) rmSync(dir, { recursive: true, force: true })
  }
}

export interface Series {
  readonly entry: "src" | "dist"
  /** the first run, compile cache empty */
  readonly coldMs: number
  /** median of the other runs (compile cache filled) */
  readonly medianMs: number
  readonly minMs: number
  readonly maxMs: number
  readonly runsMs: ReadonlyArray<number>
}

const series = (entry: Entry, runs: ReadonlyArray<ProcessRun>): Series => {
  const ms = runs.map((r) => r.ms)
  const warm = ms.slice(1)
  return {
    entry: entry.name,
    coldMs: round(ms[0] ?? Number.NaN),
    medianMs: round(median(warm.length > 0 ? warm : ms)),
    minMs: round(Math.min(...warm)),
    maxMs: round(Math.max(...warm)),
    runsMs: ms.map((n) => round(n))
  }
}

const check = (run: ProcessRun, what: string, ok: (code: number | null) => boolean): ProcessRun => {
  if (!ok(run.code)) throw new Error(`${what} exited ${run.code}: ${run.stderrTail}`)
  return run
}

/** `--version`, whole process, `runs` times plus the cold one, for each entry. */
export const versionSeries = async (entries: ReadonlyArray<Entry>, runs: number): Promise<ReadonlyArray<Series>> => {
  const all = await interleaved(
    entries,
    runs + 1,
    async (entry, env) => check(await runProcess(entry, ["--version"], env), `${entry.name} --version`, (c) => c === 0)
  )
  return entries.map((entry, k) => series(entry, all[k] ?? []))
}

/** Phases of one marked plan run, in ms, on the parent's clock from spawn. */
export interface PlanPhases {
  /** spawn to the command's modules evaluated: Node start, the CLI, parsing, the command's imports */
  readonly moduleLoadMs: number
  /** to the first request to the firewall: layers, configuration, the desired-state load */
  readonly desiredStateMs: number
  /** first request out to last response read (version, categories, VLANs, aliases, rules, interfaces) */
  readonly firewallReadMs: number
  /** last response to the plan on stdout: decoding the last listing, diff, plan stored, JSON rendered */
  readonly diffRenderMs: number
  /** plan on stdout to the process gone: scopes closed, sockets and files released, exit */
  readonly exitMs: number
  readonly requests: number
}

const phasesOf = (run: ProcessRun): PlanPhases | undefined => {
  const m = run.marks
  if (m === undefined) return undefined
  const at = (name: string) => {
    const t = m.marks[name]
    return t === undefined ? Number.NaN : m.timeOrigin + t - run.spawnedAt
  }
  const loaded = at("commandLoaded")
  const first = at("firstRequest")
  const last = at("lastResponse")
  const out = run.firstStdoutAt === undefined ? at("stdout") : run.firstStdoutAt - run.spawnedAt
  return {
    moduleLoadMs: round(loaded),
    desiredStateMs: round(first - loaded),
    firewallReadMs: round(last - first),
    diffRenderMs: round(out - last),
    exitMs: round(run.ms - out),
    requests: m.requests
  }
}

const medianPhases = (all: ReadonlyArray<PlanPhases>): PlanPhases | undefined => {
  if (all.length === 0) return undefined
  const pick = (k: keyof PlanPhases) => round(median(all.map((p) => p[k])))
  return {
    moduleLoadMs: pick("moduleLoadMs"),
    desiredStateMs: pick("desiredStateMs"),
    firewallReadMs: pick("firewallReadMs"),
    diffRenderMs: pick("diffRenderMs"),
    exitMs: pick("exitMs"),
    requests: pick("requests")
  }
}

export interface PlanSeries extends Series {
  /** median phases over the marked runs (taken after the timed ones, same warm cache) */
  readonly phases: PlanPhases | undefined
  readonly markedRuns: number
  readonly stdoutBytes: number
}

/**
 * `plan --json`, whole process, against a firewall that is already adopted (an empty plan): `runs`
 * timed runs after the cold one, then `markedRuns` with the phase marks (and --cpu-prof with
 * BENCH_CPU_PROF), for each entry.
 */
export const planSeries = async (
  entries: ReadonlyArray<Entry>,
  env: Readonly<Record<string, string>>,
  runs: number,
  markedRuns: number
): Promise<ReadonlyArray<PlanSeries>> => {
  const args = ["plan", "--json"]
  const ok = (c: number | null) => c === 0
  const profileDir = process.env["BENCH_CPU_PROF"]
  const all = await interleaved(entries, runs + 1 + markedRuns, async (entry, cache, i) => {
    const marks = i > runs
    const run = await runProcess(entry, args, { ...env, ...cache }, marks ? { marks, profileDir } : {})
    return check(run, `${entry.name} plan`, ok)
  })
  return entries.map((entry, k) => {
    const runsOf = all[k] ?? []
    const timed = runsOf.slice(0, runs + 1)
    const marked = runsOf.slice(runs + 1).map(phasesOf).filter((p): p is PlanPhases => p !== undefined)
    return {
      ...series(entry, timed),
      phases: medianPhases(marked),
      markedRuns: marked.length,
      stdoutBytes: timed[0]?.stdoutBytes ?? 0
    }
  })
}
export interface StartupResult {
  readonly runs: number
  readonly version: ReadonlyArray<Series>
  readonly plan:
    | {
      readonly rules: number
      readonly latencyMs: number
      readonly series: ReadonlyArray<PlanSeries>
    }
    | { readonly notMeasured: string }
  readonly dist: { readonly built: boolean; readonly reason?: string }
}

export const reportStartup = (r: StartupResult): void => {
  const tables: Array<Table> = [
    {
      title: "start-up: whole processes, spawn to exit (the CLI's node flags)",
      columns: ["command", "entry", "median ms (warm)", "min", "max", "first run ms (cold cache)", "runs"],
      rows: [
        ...r.version.map((s) => ["--version", s.entry, s.medianMs, s.minMs, s.maxMs, s.coldMs, s.runsMs.length]),
        ...("series" in r.plan
          ? r.plan.series.map((s) => [
            `plan --json (${"rules" in r.plan ? r.plan.rules : "?"} rules)`,
            s.entry,
            s.medianMs,
            s.minMs,
            s.maxMs,
            s.coldMs,
            s.runsMs.length
          ])
          : [])
      ],
      notes: [
        "warm: Node's compile cache filled by the first run (src/index.ts enables it), as for every command after the first",
        r.dist.built
          ? "dist: the TypeScript build (tsc -p tsconfig.build.json), what an installed opnsense-mcp runs"
          : `dist: not measured (${r.dist.reason ?? "not built"})`
      ]
    }
  ]
  if ("series" in r.plan) {
    tables.push({
      title:
        `where a whole-process plan spends its time (${r.plan.rules} rules, ${r.plan.latencyMs} ms latency; median of marked runs)`,
      columns: ["entry", "module load", "desired state", "firewall read", "diff + render", "exit", "requests"],
      rows: r.plan.series.map((s) =>
        s.phases === undefined
          ? [s.entry, undefined, undefined, undefined, undefined, undefined, undefined]
          : [
            s.entry,
            s.phases.moduleLoadMs,
            s.phases.desiredStateMs,
            s.phases.firewallReadMs,
            s.phases.diffRenderMs,
            s.phases.exitMs,
            s.phases.requests
          ]
      ),
      notes: [
        "module load: spawn to the plan command's modules evaluated (Node start, CLI parsing, imports); desired state: to the first request (layers, configuration, YAML load and checks)",
        "firewall read: first request out to last response read; diff + render: decoding the last listing, diff, plan stored in DATA_DIR, JSON on stdout; exit: to the process gone"
      ]
    })
  }
  emit("startup", { ...r }, tables)
}

/** Make sure a directory for profiles exists when BENCH_CPU_PROF is set. */
export const profileDirReady = (): void => {
  const dir = process.env["BENCH_CPU_PROF"]
  if (dir !== undefined) mkdirSync(dir, { recursive: true })
}

/**
 * A generated simulator with its objects adopted into a desired-state tree, kept running so a plan
 * can be profiled or timed by hand against it:
 *
 *   node bench/tools/fixture-server.ts 10000 /tmp/fixture   # prints the environment, runs until ^C
 *   env $(cat /tmp/fixture/env) node --cpu-prof src/index.ts plan
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { adopt } from "../lib/Fixture.ts"
import { clientEnv, start } from "../lib/Sim.ts"

const scale = Number(process.argv[2] ?? "10000")
const root = process.argv[3] ?? "/tmp/fixture"
const latencyMs = Number(process.env["BENCH_LATENCY_MS"] ?? "5")
const dirs = { root, desired: join(root, "desired-state"), data: join(root, "data"), logs: join(root, "logs") }
for (const d of [dirs.desired, dirs.data, dirs.logs]) mkdirSync(d, { recursive: true })

const sim = await start({ scale, latencyMs, version: "26.7" })
const live = await adopt(sim, { ...dirs, remove: () => undefined })
const env = Object.entries(clientEnv(sim, dirs)).map(([k, v]) => `${k}=${v}`).join("\n")
writeFileSync(join(root, "env"), `${env}\n`)
process.stderr.write(`${JSON.stringify(live)} adopted; environment in ${join(root, "env")}\n`)
process.on("SIGINT", () => void sim.close().then(() => process.exit(0)))

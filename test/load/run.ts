/**
 * `npm run test:load`: autocannon against a running instance (OPS_URL, default
 * http://127.0.0.1:3000). Fails (exit 1) when /health is under 5,000 req/s or cached /api/rules
 * under 2,000 req/s (LOAD_MIN_HEALTH_RPS / LOAD_MIN_RULES_RPS override). Warm-up first, so the
 * numbers are steady state. MCP_AUTH_TOKEN is sent when set.
 */
import autocannon from "autocannon"

const base = process.env["OPS_URL"] ?? `http://127.0.0.1:${process.env["PORT"] ?? "3000"}`
const seconds = Number(process.env["LOAD_SECONDS"] ?? "10")
const connections = Number(process.env["LOAD_CONNECTIONS"] ?? "50")
const token = process.env["MCP_AUTH_TOKEN"]
const headers: Record<string, string> = token === undefined || token === "" ? {} : { authorization: `Bearer ${token}` }

const targets = [
  { path: "/health", min: Number(process.env["LOAD_MIN_HEALTH_RPS"] ?? "5000") },
  { path: "/api/rules", min: Number(process.env["LOAD_MIN_RULES_RPS"] ?? "2000") }
]

const run = (path: string, duration: number) => autocannon({ url: `${base}${path}`, connections, duration, headers })

let failed = false
for (const target of targets) {
  await run(target.path, 2)
  const result = await run(target.path, seconds)
  const rps = result.requests.average
  const errors = result.non2xx + result.errors
  const ok = rps >= target.min && errors === 0
  failed ||= !ok
  process.stdout.write(
    `${ok ? "ok  " : "FAIL"} ${target.path}: ${
      Math.round(rps)
    } req/s (min ${target.min}), p99 ${result.latency.p99} ms, ${errors} errors\n`
  )
}
process.exitCode = failed ? 1 : 0

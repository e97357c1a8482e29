/**
 * The simulator as the benchmarks use it: started with a per-request latency, and its request log
 * read as "how many requests of which class and kind". The simulator is part of the measured loop,
 * so its own time per request (log `ms` minus the injected latency) is reported beside ours.
 */
import { type RequestEntry, type SimulatorHandle, type SimulatorOptions, startSimulator } from "../../src/Simulator.ts"

export type { SimulatorHandle }

export const start = (options: SimulatorOptions & { readonly latencyMs: number }): Promise<SimulatorHandle> =>
  startSimulator({ unmanaged: false, ...options })

/** Environment for a child process (CLI or bench child) that talks to this simulator. */
export const clientEnv = (
  sim: SimulatorHandle,
  dirs: { readonly desired: string; readonly data: string; readonly logs: string }
): Record<string, string> => ({
  OPNSENSE_URL: sim.url,
  OPNSENSE_API_KEY: sim.apiKey,
  OPNSENSE_API_SECRET: sim.apiSecret,
  OPNSENSE_CA_FILE: sim.caFile ?? "",
  DESIRED_STATE_DIR: dirs.desired,
  DATA_DIR: dirs.data,
  LOG_DIR: dirs.logs,
  LOG_LEVEL: "error"
})

/**
 * The parent's environment without anything that would point a child elsewhere or change what is
 * measured (a developer's OPNSENSE_URL, MCP_AUTH_TOKEN, REDIS_URL, OTLP endpoint, reconcile loop),
 * plus `extra`.
 */
export const hermeticEnv = (extra: Readonly<Record<string, string>>): Record<string, string> => {
  const drop =
    /^(OPNSENSE_|MCP_|ADMIN_TOKEN|METRICS_TOKEN|REDIS_URL|OTEL_|RECONCILE_|DESIRED_STATE_DIR|DATA_DIR|LOG_|HOST$|PORT$|CACHE_|ENABLE_COMPRESSION|DEBUG$)/
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !drop.test(k)) env[k] = v
  return { ...env, ...extra }
}

export type RequestClass = "read" | "write" | "reconfigure"
export type RequestKind = "vlan" | "alias" | "rule" | "category" | "system"

const kindOf = (endpoint: string): RequestKind => {
  // the interface names rules may use (checked at plan time), not a read of the rules: with the
  // interfaces overview and the version, a read of the firewall itself
  if (endpoint === "/api/firewall/filter/get_interface_list") return "system"
  if (endpoint.startsWith("/api/interfaces/vlan_settings/")) return "vlan"
  if (endpoint.startsWith("/api/firewall/alias/")) return "alias"
  if (endpoint.startsWith("/api/firewall/filter/")) return "rule"
  if (endpoint.startsWith("/api/firewall/category/")) return "category"
  return "system"
}

const classOf = (method: string, endpoint: string): RequestClass => {
  const action = endpoint.slice(endpoint.lastIndexOf("/") + 1)
  if (action === "reconfigure" || action === "apply") return "reconfigure"
  // searches are POSTs that change nothing; every GET reads (core/backup/backups, system status...)
  if (method === "GET" || /^(search|get|export|download|list|status)/.test(action)) return "read"
  return "write"
}

export interface RequestSummary {
  readonly total: number
  readonly reads: number
  readonly writes: number
  readonly reconfigures: number
  /** read requests per resource kind (vlan, alias, rule, category, system) */
  readonly readsByKind: Readonly<Record<string, number>>
  /** write requests per kind */
  readonly writesByKind: Readonly<Record<string, number>>
  /** reconfigure/apply requests per subsystem */
  readonly reconfiguresByKind: Readonly<Record<string, number>>
  readonly byEndpoint: Readonly<Record<string, number>>
  /** time the simulator spent on these requests beyond the injected latency (sum over requests) */
  readonly simulatorMs: number
  /** request/response sizes are not logged by the simulator; the largest single handling time is */
  readonly slowestMs: number
  /** mean time the simulator spent per request of each endpoint, beyond the injected latency */
  readonly simulatorMsByEndpoint: Readonly<Record<string, number>>
}

export const summarize = (entries: ReadonlyArray<RequestEntry>, latencyMs: number): RequestSummary => {
  const readsByKind: Record<string, number> = {}
  const writesByKind: Record<string, number> = {}
  const reconfiguresByKind: Record<string, number> = {}
  const byEndpoint: Record<string, number> = {}
  let reads = 0
  let writes = 0
  let reconfigures = 0
  let simulatorMs = 0
  let slowestMs = 0
  const ownByEndpoint: Record<string, number> = {}
  for (const e of entries) {
    byEndpoint[e.endpoint] = (byEndpoint[e.endpoint] ?? 0) + 1
    const kind = kindOf(e.endpoint)
    const cls = classOf(e.method, e.endpoint)
    if (cls === "read") {
      reads++
      readsByKind[kind] = (readsByKind[kind] ?? 0) + 1
    } else if (cls === "write") {
      writes++
      writesByKind[kind] = (writesByKind[kind] ?? 0) + 1
    } else {
      reconfigures++
      reconfiguresByKind[kind] = (reconfiguresByKind[kind] ?? 0) + 1
    }
    const own = Math.max(0, e.ms - latencyMs)
    ownByEndpoint[e.endpoint] = (ownByEndpoint[e.endpoint] ?? 0) + own
    simulatorMs += own
    slowestMs = Math.max(slowestMs, e.ms)
  }
  return {
    total: entries.length,
    reads,
    writes,
    reconfigures,
    readsByKind,
    writesByKind,
    reconfiguresByKind,
    byEndpoint,
    simulatorMs: Math.round(simulatorMs),
    slowestMs: Math.round(slowestMs),
    simulatorMsByEndpoint: Object.fromEntries(
      Object.entries(ownByEndpoint).map((
        [endpoint, ms]
      ) => [endpoint, Math.round((ms / (byEndpoint[endpoint] ?? 1)) * 100) / 100])
    )
  }
}

/** The requests logged since `from` (an index into the log). */
export const since = (sim: SimulatorHandle, from: number): ReadonlyArray<RequestEntry> =>
  sim.requests.entries.slice(from)

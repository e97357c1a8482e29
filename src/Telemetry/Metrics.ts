/**
 * Every metric the service exposes, defined once. The HTTP server, the OPNsense client, the cache,
 * the circuit breaker and the reconciler increment these; `/metrics` renders them in Prometheus
 * text format (Http/Metrics.ts). Use the `record*` helpers rather than the raw metrics: they keep
 * label names and label cardinality consistent (no uuids, no query strings, no secrets in labels).
 *
 * Durations are recorded in seconds (Prometheus convention); callers pass milliseconds.
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { getHeapStatistics } from "node:v8"

const latencyBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const reconcileBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

// ---------------------------------------------------------------------------------------------
// HTTP (recorded by the ops server for every request)

export const httpRequests = Metric.counter("opnsense_mcp_http_requests_total", {
  description: "HTTP requests served, by method, route template and status code",
  incremental: true
})
export const httpRequestDuration = Metric.histogram("opnsense_mcp_http_request_duration_seconds", {
  description: "HTTP request latency, by method and route template",
  boundaries: latencyBoundaries
})

// ---------------------------------------------------------------------------------------------
// OPNsense API (recorded by the client for every call, including failed and timed-out ones)

export const opnsenseCalls = Metric.counter("opnsense_mcp_opnsense_api_calls_total", {
  description:
    "Calls to the OPNsense API, by site, endpoint (ids stripped) and outcome (HTTP status, 'timeout', 'transport', 'circuit_open')",
  incremental: true
})
export const opnsenseCallDuration = Metric.histogram("opnsense_mcp_opnsense_api_call_duration_seconds", {
  description: "Latency of calls to the OPNsense API, by site and endpoint",
  boundaries: latencyBoundaries
})

// ---------------------------------------------------------------------------------------------
// Cache (recorded by Resilience/Cache)

export const cacheHits = Metric.counter("opnsense_mcp_cache_hits_total", {
  description: "Cache lookups answered from the cache, by cache name",
  incremental: true
})
export const cacheMisses = Metric.counter("opnsense_mcp_cache_misses_total", {
  description: "Cache lookups that had to fetch, by cache name",
  incremental: true
})

// ---------------------------------------------------------------------------------------------
// Circuit breaker (recorded by Resilience/CircuitBreaker on every transition)

/** 0 = closed (calls flow), 1 = half-open (probing), 2 = open (no calls to OPNsense) */
export const BreakerStateValue = { closed: 0, half_open: 1, open: 2 } as const
export type BreakerStateName = keyof typeof BreakerStateValue

export const breakerState = Metric.gauge("opnsense_mcp_circuit_breaker_state", {
  description: "Circuit breaker state per site: 0 closed, 1 half-open, 2 open"
})
export const breakerTransitions = Metric.counter("opnsense_mcp_circuit_breaker_transitions_total", {
  description: "Circuit breaker state changes, by site and new state",
  incremental: true
})

// ---------------------------------------------------------------------------------------------
// Reconciler (recorded once per plan/drift/apply cycle)

/** ok = nothing to do; changes = plan has changes; drift = drift found; applied; failed; refused */
export type ReconcileResult = "ok" | "changes" | "drift" | "applied" | "failed" | "refused" | "stale"

export const reconcileRuns = Metric.counter("opnsense_mcp_reconcile_runs_total", {
  description: "Reconcile cycles, by site, operation (plan, drift, apply, loop) and result",
  incremental: true
})
export const reconcileDuration = Metric.histogram("opnsense_mcp_reconcile_duration_seconds", {
  description: "Duration of reconcile cycles, by site and operation",
  boundaries: reconcileBoundaries
})
export const driftObjects = Metric.gauge("opnsense_mcp_drift_objects", {
  description: "Objects that differ from the desired state at the last check, by site and kind"
})
export const applyChanges = Metric.counter("opnsense_mcp_apply_changes_total", {
  description: "Changes applied to a firewall, by site, kind, action and result",
  incremental: true
})
/** result: "reverted" (the firewall is back as before the apply) or "revert_failed" */
export const applyReverts = Metric.counter("opnsense_mcp_apply_reverts_total", {
  description:
    "Applies whose verification failed and that were rolled back, by site and result (reverted, revert_failed)",
  incremental: true
})
export const reconcileCondition = Metric.gauge("opnsense_mcp_reconcile_condition", {
  description: "Reconcile loop conditions by site and type (Ready, Reconciling, Stalled): 1 true, 0 false"
})
export const lastReconcileTimestamp = Metric.gauge("opnsense_mcp_last_reconcile_timestamp_seconds", {
  description: "Unix time of the last finished reconcile cycle, by site"
})

// ---------------------------------------------------------------------------------------------
// Firewalls (sampled by /health's background check)

export const firewallCertificateExpiry = Metric.gauge("opnsense_mcp_firewall_certificate_expiry_seconds", {
  description: "Unix time at which the TLS certificate of the firewall's web GUI expires (notAfter), by site"
})

// ---------------------------------------------------------------------------------------------
// Process (sampled when /metrics is scraped)

export const processResidentMemory = Metric.gauge("opnsense_mcp_process_resident_memory_bytes", {
  description: "Resident set size of the process"
})
export const processHeapUsed = Metric.gauge("opnsense_mcp_process_heap_used_bytes", {
  description: "V8 heap in use"
})
export const processHeapTotal = Metric.gauge("opnsense_mcp_process_heap_total_bytes", {
  description: "V8 heap reserved"
})
export const processHeapLimit = Metric.gauge("opnsense_mcp_process_heap_limit_bytes", {
  description: "V8 heap size limit: the process aborts with 'heap out of memory' when the heap reaches it"
})
export const processExternalMemory = Metric.gauge("opnsense_mcp_process_external_memory_bytes", {
  description: "Memory held by C++ objects bound to JavaScript (buffers)"
})
export const processUptime = Metric.gauge("opnsense_mcp_process_uptime_seconds", {
  description: "Seconds since the process started"
})

// ---------------------------------------------------------------------------------------------
// Helpers: the one way to record, so labels stay consistent.

const seconds = (ms: number): number => ms / 1000

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const LONG_ID = /\/(?:config-)?[0-9][0-9.]*(?:\.xml)?(?=\/|$)/g

/**
 * An endpoint label without ids: "firewall/filter/get_rule/<uuid>" → "firewall/filter/get_rule/:id".
 * Query strings and a leading "/api/" are dropped, so the label set stays small.
 */
export const endpointLabel = (path: string): string => {
  const noQuery = path.split("?", 1)[0] ?? path
  return noQuery.replace(/^\/?api\//, "").replace(UUID, ":id").replace(LONG_ID, "/:id")
}

/** One OPNsense API call: `status` is the HTTP status, or "timeout" / "transport" / "circuit_open". */
export const recordOpnsenseCall = (options: {
  readonly site: string
  readonly endpoint: string
  readonly status: number | "timeout" | "transport" | "circuit_open"
  readonly durationMs: number
}): Effect.Effect<void> => {
  const endpoint = endpointLabel(options.endpoint)
  return Effect.andThen(
    Metric.update(
      Metric.withAttributes(opnsenseCalls, { site: options.site, endpoint, status: String(options.status) }),
      1
    ),
    Metric.update(
      Metric.withAttributes(opnsenseCallDuration, { site: options.site, endpoint }),
      seconds(options.durationMs)
    )
  )
}

/** Both counters of a cache at 0, so /metrics shows them (and rate() works) before the first lookup. */
export const registerCache = (cache: string): Effect.Effect<void> =>
  Effect.andThen(
    Metric.update(Metric.withAttributes(cacheHits, { cache }), 0),
    Metric.update(Metric.withAttributes(cacheMisses, { cache }), 0)
  )

export const recordCacheHit = (cache: string): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(cacheHits, { cache }), 1)

export const recordCacheMiss = (cache: string): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(cacheMisses, { cache }), 1)

/** Call on every breaker transition (and once at start with the initial state). */
export const recordBreakerState = (site: string, state: BreakerStateName): Effect.Effect<void> =>
  Effect.andThen(
    Metric.update(Metric.withAttributes(breakerState, { site }), BreakerStateValue[state]),
    Metric.update(Metric.withAttributes(breakerTransitions, { site, state }), 1)
  )

/** One reconcile cycle: operation is "plan", "drift", "apply" or "loop". */
export const recordReconcile = (options: {
  readonly site: string
  readonly operation: "plan" | "drift" | "apply" | "loop"
  readonly result: ReconcileResult
  readonly durationMs: number
}): Effect.Effect<void> => {
  const { operation, site } = options
  return Effect.all([
    Metric.update(Metric.withAttributes(reconcileRuns, { site, operation, result: options.result }), 1),
    Metric.update(Metric.withAttributes(reconcileDuration, { site, operation }), seconds(options.durationMs)),
    Metric.update(Metric.withAttributes(lastReconcileTimestamp, { site }), Date.now() / 1000)
  ], { discard: true })
}

/** Drift per kind at the last check; call with 0 for kinds that have none so the series resets. */
export const recordDrift = (site: string, kind: string, count: number): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(driftObjects, { site, kind }), count)

export const recordApplyChange = (options: {
  readonly site: string
  readonly kind: string
  readonly action: "create" | "update" | "delete"
  readonly result: "ok" | "failed"
}): Effect.Effect<void> =>
  Metric.update(
    Metric.withAttributes(applyChanges, {
      site: options.site,
      kind: options.kind,
      action: options.action,
      result: options.result
    }),
    1
  )

/** An apply rolled back after its verification failed, and whether the rollback succeeded. */
export const recordApplyRevert = (site: string, result: "reverted" | "revert_failed"): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(applyReverts, { site, result }), 1)

/** Sample process memory into the process gauges (called by /metrics before rendering). */
export const sampleProcess: Effect.Effect<void> = Effect.suspend(() => {
  const memory = process.memoryUsage()
  return Effect.all([
    Metric.update(processResidentMemory, memory.rss),
    Metric.update(processHeapUsed, memory.heapUsed),
    Metric.update(processHeapTotal, memory.heapTotal),
    Metric.update(processHeapLimit, getHeapStatistics().heap_size_limit),
    Metric.update(processExternalMemory, memory.external),
    Metric.update(processUptime, process.uptime())
  ], { discard: true })
})

/** The loop's conditions of one site, as 0/1 gauges (sampled with /health's background check). */
export const recordConditions = (status: {
  readonly site: string
  readonly conditions: ReadonlyArray<{ readonly type: string; readonly status: boolean }>
}): Effect.Effect<void> =>
  Effect.forEach(
    status.conditions,
    (c) =>
      Metric.update(Metric.withAttributes(reconcileCondition, { site: status.site, type: c.type }), c.status ? 1 : 0),
    { discard: true }
  )

/** notAfter of a site's firewall certificate (sampled with /health's background check). */
export const recordCertificateExpiry = (site: string, notAfter: Date): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(firewallCertificateExpiry, { site }), notAfter.getTime() / 1000)

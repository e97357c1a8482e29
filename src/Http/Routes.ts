/**
 * The HTTP API's routes, as a static table: method, path, which guard applies, and a handler
 * over the ports. Handlers never fail: every failure is already an HTTP answer here.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { HttpServerRequest } from "effect/http/HttpServerRequest"
import * as Response from "effect/http/HttpServerResponse"
import type { HttpServerResponse } from "effect/http/HttpServerResponse"
import * as PrometheusMetrics from "effect/observability/PrometheusMetrics"
import type { LiveSnapshot } from "../Domain/Model.ts"
import { kindAt } from "../Kinds/Registry.ts"
import { permissionError, unreadableEntry } from "../Opnsense/Unreadable.ts"
import { sampleProcess } from "../Telemetry/Metrics.ts"
import { RELEASE_TAG, VERSION } from "../Version.ts"
import { gitTag } from "./Commit.ts"
import type { HealthMonitor } from "./Health.ts"
import { type Kind, listing, type ListingOptions } from "./Listing.ts"
import type { PortError, Ports, SitePort } from "./Ports.ts"
import { answer, error, fromPortError, json, jsonBytes } from "./Respond.ts"

export type GuardName = "public" | "metrics" | "api" | "mcp" | "admin"

export interface Route {
  readonly method: "GET" | "POST" | "DELETE"
  readonly path: string
  readonly guard: GuardName
  /** long-lived (MCP SSE streams): exempt from the request time limit */
  readonly streaming?: boolean
  readonly handler: (request: HttpServerRequest) => Effect.Effect<HttpServerResponse>
}

const query = (request: HttpServerRequest): URLSearchParams => {
  const i = request.url.indexOf("?")
  return new URLSearchParams(i < 0 ? "" : request.url.slice(i + 1))
}

/** ?site=S, or the only site; several sites and no choice is a 400 that names them. */
const pickSite = (ports: Ports, request: HttpServerRequest): SitePort | HttpServerResponse => {
  const wanted = query(request).get("site")
  const names = ports.sites.map((s) => s.name).join(", ")
  if (wanted === null) {
    const only = ports.sites.length === 1 ? ports.sites[0] : undefined
    return only ?? error(400, "SiteRequired", `several sites are configured: add ?site=<one of ${names}>`)
  }
  return ports.sites.find((s) => s.name === wanted) ??
    error(404, "UnknownSite", `no site named "${wanted}": configured sites are ${names}`)
}

const isSite = (x: SitePort | HttpServerResponse): x is SitePort => "opnsense" in x

/**
 * The last snapshot per site, shared for one second: under load, one snapshot read (cache lookup
 * and decode in the client) serves every request of that second, those that arrive while it is
 * still being read included (one read and one serialisation, not one per waiting request). A
 * failed read is not kept. Cleared by the cache admin routes.
 */
const HOT_MS = 1_000
type Hot = Map<string, { readonly at: number; readonly snapshot: Deferred.Deferred<LiveSnapshot, PortError> }>

const sharedSnapshot = (hot: Hot, site: SitePort): Effect.Effect<LiveSnapshot, PortError> =>
  Effect.suspend(() => {
    const now = Date.now()
    const recent = hot.get(site.name)
    if (recent !== undefined && now - recent.at < HOT_MS) return Deferred.await(recent.snapshot)
    const entry = { at: now, snapshot: Deferred.makeUnsafe<LiveSnapshot, PortError>() }
    hot.set(site.name, entry)
    const forgetFailure = Effect.sync(() => {
      if (hot.get(site.name) === entry) hot.delete(site.name)
    })
    // detached, so a caller that gives up (timeout, closed connection) leaves the read to the others
    return site.opnsense.snapshot().pipe(
      Effect.onExit((exit) =>
        Effect.andThen(Exit.isFailure(exit) ? forgetFailure : Effect.void, Deferred.done(entry.snapshot, exit))
      ),
      Effect.forkDetach,
      Effect.andThen(Deferred.await(entry.snapshot))
    )
  })

const liveKind = (ports: Ports, hot: Hot, kind: Kind, options: ListingOptions) => (request: HttpServerRequest) => {
  const site = pickSite(ports, request)
  if (!isSite(site)) return Effect.succeed(site)
  const params = query(request)
  return Effect.matchEffect(sharedSnapshot(hot, site), {
    onFailure: (e) => Effect.succeed(fromPortError(e)),
    onSuccess: (snapshot) => {
      // an empty list would say the firewall has none: say the key may not read them instead
      const refused = unreadableEntry(snapshot, kindAt(kind)?.name ?? kind)
      return refused === undefined
        ? listing(snapshot, kind, request, params, options)
        : Effect.succeed(fromPortError(permissionError(site.name, refused)))
    }
  })
}

const unavailable = (what: string) =>
  Effect.succeed(error(503, "NotAvailable", `${what} is not available in this process`))

const bySite = (ports: Ports, request: HttpServerRequest): ReadonlyArray<SitePort> | undefined => {
  const wanted = query(request).get("site")
  return wanted === null ? ports.sites : ports.sites.filter((s) => s.name === wanted)
}

const heap = () => {
  const m = process.memoryUsage()
  return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external }
}

export const routes = (ports: Ports, health: HealthMonitor, options: ListingOptions = {}): ReadonlyArray<Route> => {
  const hot: Hot = new Map()
  const forgetHotSnapshots = () => hot.clear()
  // the report changes once per check interval: build its answer once, not once per request
  // (responses are immutable values: headers added later make a copy)
  let lastReport: unknown
  let lastAnswer = jsonBytes(new Uint8Array(0))
  // read once: the tag of the running checkout does not change while it runs
  const tagAtHead = gitTag(ports.commit)
  const healthAnswer = Effect.map(health.current, (r) => {
    if (r !== lastReport) {
      lastReport = r
      lastAnswer = jsonBytes(Buffer.from(JSON.stringify(r)), r.ready ? 200 : 503)
    }
    return lastAnswer
  })
  const reconcile = (op: "plan" | "drift") => (request: HttpServerRequest) => {
    const reconciler = ports.reconciler
    if (reconciler === undefined) return unavailable("the reconciler")
    const site = pickSite(ports, request)
    if (!isSite(site)) return Effect.succeed(site)
    return answer(reconciler[op](site.name))
  }
  const breakerAnswer = (f: (site: string | undefined) => Effect.Effect<unknown>) => (request: HttpServerRequest) => {
    const breaker = ports.breaker
    if (breaker === undefined) return unavailable("the circuit breaker")
    const site = query(request).get("site") ?? undefined
    if (site !== undefined && !ports.sites.some((s) => s.name === site)) {
      return Effect.succeed(error(404, "UnknownSite", `no site named "${site}"`))
    }
    return Effect.map(f(site), (breakers) => json({ breakers }))
  }

  return [
    { method: "GET", path: "/health", guard: "public", handler: () => healthAnswer },
    { method: "GET", path: "/health/ready", guard: "public", handler: () => healthAnswer },
    {
      method: "GET",
      path: "/health/live",
      guard: "public",
      handler: () => Effect.succeed(json({ status: "alive", uptimeSeconds: Math.round(process.uptime()) }))
    },
    {
      method: "GET",
      path: "/version",
      guard: "public",
      handler: () =>
        Effect.map(
          health.versions,
          (opnsense) =>
            json({
              name: "opnsense-mcp",
              version: VERSION,
              tag: RELEASE_TAG,
              gitTag: tagAtHead ?? null,
              commit: ports.commit ?? null,
              node: process.version,
              opnsense
            })
        )
    },
    {
      method: "GET",
      path: "/metrics",
      guard: "metrics",
      handler: () => Effect.andThen(sampleProcess, PrometheusMetrics.format()).pipe(Effect.map(prometheusText))
    },
    {
      // Streamable HTTP here is stateless (no GET stream, no session to DELETE): POST only, so every
      // other method gets the same 405 with `Allow: POST`
      method: "POST",
      path: "/mcp",
      guard: "mcp",
      streaming: true,
      handler: (request) =>
        ports.mcp === undefined
          ? Effect.succeed(error(503, "McpNotAvailable", "MCP not available in this process"))
          : ports.mcp(request)
    },
    { method: "GET", path: "/api/vlans", guard: "api", handler: liveKind(ports, hot, "vlans", options) },
    { method: "GET", path: "/api/rules", guard: "api", handler: liveKind(ports, hot, "rules", options) },
    { method: "GET", path: "/api/aliases", guard: "api", handler: liveKind(ports, hot, "aliases", options) },
    { method: "GET", path: "/api/plan", guard: "api", handler: reconcile("plan") },
    { method: "GET", path: "/api/drift", guard: "api", handler: reconcile("drift") },
    {
      method: "GET",
      path: "/debug/cache/stats",
      guard: "admin",
      handler: () => (ports.cache === undefined ? unavailable("the cache") : answer(ports.cache.stats))
    },
    {
      method: "POST",
      path: "/admin/cache/clear",
      guard: "admin",
      handler: () =>
        ports.cache === undefined
          ? unavailable("the cache")
          : answer(Effect.tap(ports.cache.clear, () => Effect.sync(forgetHotSnapshots)), (cleared) => json({ cleared }))
    },
    {
      method: "POST",
      path: "/admin/cache/warm",
      guard: "admin",
      handler: (request) =>
        Effect.forEach(bySite(ports, request) ?? [], (site) =>
          Effect.sync(forgetHotSnapshots).pipe(Effect.andThen(
            site.opnsense.snapshot({ fresh: true }).pipe(
              Effect.map((s) => ({
                site: site.name,
                // a stale snapshot is the last one read while the breaker is open: nothing was warmed
                ok: !s.stale,
                ...(s.stale
                  ? { error: `the firewall could not be read; the snapshot of ${s.fetchedAt} is stale` }
                  : {}),
                vlans: s.vlans.length,
                aliases: s.aliases.length,
                rules: s.rules.length
              })),
              Effect.catch((e) => Effect.succeed({ site: site.name, ok: false, error: e.message }))
            )
          )), { concurrency: "unbounded" }).pipe(
            Effect.map((warmed) => json({ warmed }, warmed.every((w) => w.ok) ? 200 : 502))
          )
    },
    {
      method: "GET",
      path: "/admin/circuit-breaker",
      guard: "admin",
      handler: breakerAnswer(() => ports.breaker?.status ?? Effect.succeed([]))
    },
    {
      method: "POST",
      path: "/admin/circuit-breaker/enable",
      guard: "admin",
      handler: breakerAnswer((site) => ports.breaker?.forceOpen(site) ?? Effect.succeed([]))
    },
    {
      method: "POST",
      path: "/admin/circuit-breaker/disable",
      guard: "admin",
      handler: breakerAnswer((site) => ports.breaker?.close(site) ?? Effect.succeed([]))
    },
    {
      method: "POST",
      path: "/admin/gc",
      guard: "admin",
      handler: () =>
        Effect.sync(() => {
          const gc = globalThis.gc
          const before = heap()
          if (typeof gc !== "function") {
            return json({
              exposed: false,
              message: "GC is not exposed: start node with --expose-gc to enable it",
              before
            })
          }
          const start = performance.now()
          gc()
          return json({
            exposed: true,
            durationMs: Math.round((performance.now() - start) * 1000) / 1000,
            before,
            after: heap()
          })
        })
    },
    {
      method: "GET",
      path: "/admin/backup/config",
      guard: "admin",
      handler: (request) => {
        const site = pickSite(ports, request)
        if (!isSite(site)) return Effect.succeed(site)
        const backups = site.opnsense.backups
        return backups.current.pipe(
          Effect.flatMap((current) =>
            current === undefined
              ? Effect.succeed(
                error(404, "NoBackup", `the firewall of site ${site.name} lists no configuration backup`)
              )
              : Effect.map(backups.download(current.revision), (xml) => xmlResponse(xml, site.name, current.revision))
          ),
          (e) => answer(e, (r) => r)
        )
      }
    }
  ]
}

const prometheusText = (text: string) =>
  Response.text(text, { contentType: "text/plain; version=0.0.4; charset=utf-8" })

const xmlResponse = (xml: string, site: string, revision: string) =>
  Response.text(xml, {
    contentType: "application/xml",
    headers: {
      "content-disposition": `attachment; filename="config-${site.replace(/[^\w.-]/g, "_")}-${
        revision.replace(/[^\w.-]/g, "_")
      }.xml"`,
      "cache-control": "no-store"
    }
  })

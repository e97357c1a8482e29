/**
 * Test layers for the server's ports: a site whose firewall answers from memory, a cache, a
 * breaker and a reconciler that keep just enough state to observe what the routes did.
 */
import { Context, Effect, Layer } from "effect"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import * as Http from "../../src/Http.ts"
import { defaults, type HttpConfig } from "../../src/Http/Config.ts"
import type { BreakerStatus, Ports, SitePort } from "../../src/Http/Ports.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import { type AccessEntry, AccessLog } from "../../src/Logging.ts"
import { CircuitOpenError, TransportError } from "../../src/Opnsense/Errors.ts"

export const snapshot = (site: string, rules = 3): LiveSnapshot => ({
  ...emptyCollections(),
  site,
  version: { major: 26, minor: 7, patch: 5, raw: "26.7.5" },
  fetchedAt: "2026-01-01T00:00:00.000Z",
  stale: false,
  vlans: [{
    uuid: "v1",
    origin: "mvc",
    device: "vlan01",
    spec: { parent: "igb1", tag: 30, priority: 0, proto: "", description: "iot" }
  }],
  aliases: [],
  rules: Array.from({ length: rules }, (_, i) => ({
    uuid: `r${i}`,
    origin: "mvc" as const,
    sequence: i + 1,
    spec: {
      enabled: true,
      action: "pass" as const,
      quick: true,
      interfaces: ["lan"],
      interfaceInvert: false,
      direction: "in" as const,
      ipVersion: "inet" as const,
      protocol: "TCP",
      source: { addresses: [], invert: false, port: "" },
      destination: { addresses: ["10.0.0.1"], invert: false, port: "443" },
      log: false,
      gateway: "",
      description: `rule ${i}`,
      categories: []
    }
  }))
})

export interface FakeState {
  up: boolean
  forced: boolean
  snapshots: number
  cleared: number
  shutdownCalls: number
}

export const fakePorts = (state: FakeState, siteNames: ReadonlyArray<string> = ["default"]): Ports => {
  const cached = new Map(siteNames.map((n) => [n, snapshot(n)]))
  const site = (name: string): SitePort => ({
    name,
    opnsense: {
      url: "https://127.0.0.1:1",
      ping: Effect.suspend((): Effect.Effect<{ readonly latencyMs: number }, CircuitOpenError | TransportError> =>
        state.forced
          ? Effect.fail(new CircuitOpenError({ site: name, message: "circuit open", retryAfterMs: 5000 }))
          : state.up
          ? Effect.succeed({ latencyMs: 1 })
          : Effect.fail(
            new TransportError({ site: name, endpoint: "core/system/status", message: "connection refused" })
          )
      ),
      version: Effect.succeed({ major: 26, minor: 7, patch: 5, raw: "26.7.5" }),
      snapshot: (options) =>
        Effect.suspend(() => {
          if (state.forced) {
            return Effect.fail(new CircuitOpenError({ site: name, message: "circuit open", retryAfterMs: 5000 }))
          }
          state.snapshots++
          if (options?.fresh === true) cached.set(name, snapshot(name))
          return Effect.succeed(cached.get(name) ?? snapshot(name))
        }),
      backups: {
        list: Effect.succeed([]),
        current: Effect.succeed({ revision: "1700000000.12", time: "2026-01-01T00:00:00Z", description: "test" }),
        download: (revision) =>
          Effect.succeed(`<?xml version="1.0"?><opnsense><revision>${revision}</revision></opnsense>`),
        revert: () => Effect.void
      }
    }
  })
  const breakers = (): ReadonlyArray<BreakerStatus> =>
    siteNames.map((s) => ({ site: s, state: state.forced ? "open" : "closed", forced: state.forced, failures: 0 }))
  return {
    sites: siteNames.map(site),
    cache: {
      stats: Effect.sync(() => ({
        hits: 3,
        misses: 1,
        size: siteNames.length,
        hitRate: 0.75,
        backend: "memory" as const
      })),
      clear: Effect.sync(() => {
        state.cleared++
        return siteNames.length
      })
    },
    breaker: {
      status: Effect.sync(breakers),
      forceOpen: () =>
        Effect.sync(() => {
          state.forced = true
          return breakers()
        }),
      close: () =>
        Effect.sync(() => {
          state.forced = false
          return breakers()
        })
    },
    reconciler: {
      plan: (s) =>
        Effect.succeed({ planId: "abc", site: s, changes: [], summary: { create: 0, update: 0, delete: 0 } }),
      drift: (s) => Effect.succeed({ site: s, drift: [] })
    },
    onShutdown: [Effect.sync(() => {
      state.shutdownCalls++
    })],
    commit: "0123abc"
  }
}

export const newState = (): FakeState => ({ up: true, forced: false, snapshots: 0, cleared: 0, shutdownCalls: 0 })

export const accessEntries: Array<AccessEntry> = []
export const accessLayer = Layer.succeed(AccessLog, { write: (e) => void accessEntries.push(e) })

export const testConfig = (overrides: Partial<HttpConfig> = {}): HttpConfig => ({
  ...defaults,
  port: 0,
  healthIntervalMs: 60_000,
  ...overrides
})

/** Start the server on a free port; the scope of the test stops it. */
export const start = (config: HttpConfig, ports: Ports) =>
  Layer.build(Http.layer(config, ports).pipe(Layer.provide(accessLayer))).pipe(
    Effect.map((context) => Context.get(context, Http.OpsServer))
  )

export const call = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const body = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body,
      json: () => JSON.parse(body) as Record<string, unknown>
    }
  })

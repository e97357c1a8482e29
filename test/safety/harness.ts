/**
 * The safe reconciler wired to a real simulator over HTTPS, the real YAML loader, the real inner
 * reconciler and a temporary DATA_DIR. Several "instances" (separate layers, separate Redis
 * connections) can share one simulator.
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DesiredState } from "../../src/DesiredState.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { Firewalls } from "../../src/Reconciler.ts"
import { layer as reconcilerLayer } from "../../src/Reconciler/Live.ts"
import { Journal, layer as journalLayer } from "../../src/Safety/Journal.ts"
import { type ApplyLock, layerFile, layerRedis } from "../../src/Safety/Lock.ts"
import { layer as safeLayer, SafeReconciler } from "../../src/Safety/SafeReconciler.ts"
import type { SimulatorHandle } from "../../src/Simulator.ts"
import { layer as storeLayer, Store } from "../../src/Store/Store.ts"

export const REDIS = "redis://127.0.0.1:6379"

/** sites.yaml of the one site, with `extra` lines under it (e.g. MANAGEMENT) */
export const sites = (extra: string) => `
sites:
  - name: default
    path: .
${extra}
`
// the simulator's MGMT VLAN (opt1, 10.0.10.1): reached through the seeded "Admin access to the
// firewall" rule, not through the automatic anti-lockout rule, which only covers lan
export const MANAGEMENT = `    management:
      interface: opt1
      address: 10.0.10.1
      port: 443
      source: 192.168.1.10
`
export const ALIASES = `
aliases:
  - name: iot_net
    type: network
    content: [10.30.0.0/24]
`
// floating: evaluated before every interface rule, so it cuts the management path
export const LOCKOUT = `
rules:
  - name: no-admin
    interface: floating
    action: block
    protocol: tcp
    destination: { address: 10.0.10.1, port: 443 }
`

export const tempRoot = (): string => mkdtempSync(join(tmpdir(), "safety-"))

/** Write a desired-state folder from file name → YAML. */
export const writeTree = (dir: string, files: Readonly<Record<string, string>>): string => {
  mkdirSync(dir, { recursive: true })
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content)
  return dir
}

export interface InstanceOptions {
  readonly sim: SimulatorHandle
  readonly desiredDir: string
  readonly dataDir: string
  /** Redis lock with this key prefix; file lock in DATA_DIR when undefined */
  readonly redisPrefix?: string | undefined
  /** replace the journal (crash injection) */
  readonly journal?: Layer.Layer<Journal> | undefined
  /** the reconciler's bulk threshold (upload_rules, alias import); its default when undefined */
  readonly bulkThreshold?: number | undefined
}

const firewallsFromClient = Layer.effect(
  Firewalls,
  Opnsense.useSync((client) => ({ forSite: () => Effect.succeed(client) }))
)

export const instance = (o: InstanceOptions): Layer.Layer<SafeReconciler | Store | Opnsense | Journal | ApplyLock> => {
  const lock = o.redisPrefix === undefined
    ? layerFile({ dataDir: o.dataDir })
    : layerRedis({ url: REDIS, prefix: o.redisPrefix, ttlMs: 5_000 })
  const deps = Layer.mergeAll(
    firewallsFromClient,
    storeLayer(o.dataDir),
    DesiredState.layer,
    o.journal ?? journalLayer({ dataDir: o.dataDir }),
    lock
  )
  const inner = reconcilerLayer({ desiredDir: o.desiredDir, actor: "safety-test", bulkThreshold: o.bulkThreshold })
  return safeLayer(inner, { actor: "safety-test" }).pipe(
    Layer.provideMerge(deps),
    Layer.provideMerge(layerSimulator(o.sim, { cacheTtlSeconds: 0 })),
    Layer.provide(NodeServices.layer)
  )
}

/** Objects of a simulator collection whose description carries `[gitops:<name>]`, by name. */
export const owned = (items: Iterable<Readonly<Record<string, unknown>>>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const item of items) {
    for (const value of Object.values(item)) {
      const m = typeof value === "string" ? /\[gitops:([^\]]+)\]$/.exec(value) : null
      if (m?.[1] !== undefined) out[m[1]] = (out[m[1]] ?? 0) + 1
    }
  }
  return out
}

/** Every file under a directory, recursively, with its content. */
export const filesUnder = (dir: string): ReadonlyArray<{ readonly path: string; readonly content: string }> =>
  readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? filesUnder(full) : [{ path: full, content: readFileSync(full, "utf8") }]
  })

export const cleanup = (dir: string) => rmSync(dir, { recursive: true, force: true })

/** A loopback port nothing listens on: a probe of it fails, so verification fails. */
export const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
)

/**
 * The firewall's TLS certificate in /health and /metrics, read from simulators whose generated
 * certificates expire in 10 days (a warning), in 397 days (OPNsense's default) and from a plain
 * http:// one (no certificate).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { SitePort } from "../../src/Http/Ports.ts"
import { startSimulator } from "../../src/Simulator.ts"
import { call, fakePorts, newState, start, testConfig } from "./fixtures.ts"

const sim = (options: Parameters<typeof startSimulator>[0]) =>
  Effect.acquireRelease(
    Effect.promise(() => startSimulator(options)),
    (s) => Effect.promise(() => s.close())
  )

interface Report {
  readonly status: string
  readonly warnings?: ReadonlyArray<string>
  readonly dependencies: {
    readonly opnsense: Record<string, { readonly certificate?: { status: string; daysLeft: number; notAfter: string } }>
  }
}

describe("firewall certificate expiry", () => {
  it.live("days left per site in /health, a warning under 30 days, notAfter as a gauge", () =>
    Effect.gen(function*() {
      const soon = yield* sim({ certificateDays: 10, unmanaged: false })
      const later = yield* sim({ unmanaged: false })
      const plain = yield* sim({ tls: false, unmanaged: false })
      const urls: Record<string, string> = { soon: soon.url, later: later.url, plain: plain.url }
      const base = fakePorts(newState(), Object.keys(urls))
      const sites = base.sites.map((s): SitePort => ({ ...s, opnsense: { ...s.opnsense, url: urls[s.name]! } }))
      const server = yield* start(testConfig(), { ...base, sites })
      const before = soon.requests.count()
      yield* server.health.refresh

      const health = yield* call(`${server.url}/health`)
      assert.strictEqual(health.status, 200, health.body)
      const report = JSON.parse(health.body) as Report
      assert.strictEqual(report.status, "ok", "an expiring certificate does not stop readiness")
      const soonCert = report.dependencies.opnsense["soon"]?.certificate
      if (soonCert === undefined) return assert.fail(health.body)
      assert.strictEqual(soonCert.status, "warning")
      assert.ok(soonCert.daysLeft === 9 || soonCert.daysLeft === 10, String(soonCert.daysLeft))
      const laterCert = report.dependencies.opnsense["later"]?.certificate
      if (laterCert === undefined) return assert.fail(health.body)
      assert.strictEqual(laterCert.status, "ok")
      assert.ok(laterCert.daysLeft >= 396, String(laterCert.daysLeft))
      assert.strictEqual(report.dependencies.opnsense["plain"]?.certificate, undefined)
      assert.strictEqual(report.warnings?.length, 1)
      assert.match(report.warnings?.[0] ?? "", /site soon expires in (9|10) day\(s\)/)
      // the handshake is not an API call
      assert.strictEqual(soon.requests.count(), before)

      const metrics = (yield* call(`${server.url}/metrics`)).body
      const gauge = /opnsense_mcp_firewall_certificate_expiry_seconds\{site="soon"\} (\d+(?:\.\d+)?)/.exec(metrics)
      assert.ok(gauge !== null, metrics)
      assert.strictEqual(Number(gauge[1]) * 1000, Date.parse(soonCert.notAfter))
      assert.notInclude(metrics, `opnsense_mcp_firewall_certificate_expiry_seconds{site="plain"}`)
    }))
})

/**
 * Resolving a site's connection from the environment (ConfigProvider, no process.env mutation):
 * the sandbox fallback with its banner, credentials from variables and *_FILE, per-site variable
 * names, the insecure warning, and errors that say what to set.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { SiteConfig } from "../../src/Domain/Desired.ts"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerConfig } from "../../src/Opnsense/Layer.ts"
import { layerMemory } from "../../src/Resilience/Cache.ts"
import { layer as breakerLayer } from "../../src/Resilience/CircuitBreaker.ts"
import { startSimulator } from "../../src/Simulator.ts"
import { resolveTarget } from "../../src/Target.ts"

const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

const site = (overrides: Partial<SiteConfig>): SiteConfig => ({
  name: "branch",
  path: "branch",
  pruneUnmanaged: false,
  probes: [],
  lint: {},
  ...overrides
})

describe("Target", () => {
  it.live("without any URL, starts the embedded sandbox, prints the banner, and the client works against it", () => {
    const lines: Array<string> = []
    const secrets: Array<string> = []
    const startSandbox = async () => {
      const handle = await startSimulator()
      secrets.push(handle.apiKey, handle.apiSecret)
      return handle
    }
    return Effect.gen(function*() {
      const client = yield* Opnsense
      expect((yield* client.version).major).toBe(26)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(
        /^no OPNSENSE_URL: using the embedded sandbox \(simulated OPNsense 26\.7\.\d+ at https:\/\/127\.0\.0\.1:\d+/
      )
      expect(secrets).toHaveLength(2)
      for (const secret of secrets) expect(lines[0]).not.toContain(secret)
    }).pipe(
      Effect.provide(layerConfig(undefined, { write: (line) => lines.push(line), startSandbox })),
      Effect.provide([breakerLayer(), layerMemory()]),
      withEnv({})
    )
  })

  it.live("OPNSENSE_SANDBOX_SEED starts the embedded sandbox from a config snapshot (CI without a firewall)", () => {
    const dir = mkdtempSync(join(tmpdir(), "target-seed-"))
    const seedFile = join(dir, "snapshot.yaml")
    writeFileSync(seedFile, "aliases:\n  - { name: from_snapshot, type: host, content: 192.0.2.77 }\n")
    return Effect.gen(function*() {
      const snapshot = yield* (yield* Opnsense).snapshot()
      expect(snapshot.aliases.map((a) => a.spec.name)).toContain("from_snapshot")
    }).pipe(
      Effect.provide(layerConfig(undefined, { write: () => {} })),
      Effect.provide([breakerLayer(), layerMemory()]),
      withEnv({ OPNSENSE_SANDBOX_SEED: seedFile, DATA_DIR: join(dir, "data") })
    )
  })

  it.effect("the retry policy from OPNSENSE_RETRIES* is part of the resolved connection (every face honours it)", () =>
    Effect.gen(function*() {
      const target = yield* resolveTarget(undefined, { write: () => {} })
      expect(target.options.retry).toEqual({ maxRetries: 7, baseDelayMs: 50, maxDelayMs: 900 })
    }).pipe(
      Effect.scoped,
      withEnv({
        OPNSENSE_URL: "https://192.0.2.1",
        OPNSENSE_API_KEY: "k",
        OPNSENSE_API_SECRET: "s",
        OPNSENSE_RETRIES: "7",
        OPNSENSE_RETRY_BASE_MS: "50",
        OPNSENSE_RETRY_MAX_MS: "900"
      })
    ))

  it.effect("an unreadable OPNSENSE_SANDBOX_SEED is a clear error naming the variable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(resolveTarget(undefined, { write: () => {} }))
      expect(error.message).toMatch(/OPNSENSE_SANDBOX_SEED=\/nonexistent\/seed.yaml cannot be used/)
    }).pipe(Effect.scoped, withEnv({ OPNSENSE_SANDBOX_SEED: "/nonexistent/seed.yaml" })))

  it.effect("reads the URL and credentials, from variables or *_FILE, with the timeout", () => {
    const dir = mkdtempSync(join(tmpdir(), "target-test-"))
    writeFileSync(join(dir, "secret"), "s3cret-from-file\n")
    return Effect.gen(function*() {
      const target = yield* resolveTarget(undefined, { write: () => {} })
      expect(target.sandbox).toBe(false)
      expect(target.options).toMatchObject({ site: "default", url: "https://192.0.2.1", timeoutMs: 2500 })
      expect(Redacted.value(target.options.apiKey)).toBe("key-from-env")
      expect(Redacted.value(target.options.apiSecret)).toBe("s3cret-from-file")
      expect(String(target.options.apiSecret)).not.toContain("s3cret")
    }).pipe(
      Effect.scoped,
      withEnv({
        OPNSENSE_URL: "https://192.0.2.1/",
        OPNSENSE_API_KEY: "key-from-env",
        OPNSENSE_API_SECRET_FILE: join(dir, "secret"),
        OPNSENSE_TIMEOUT_MS: "2500"
      })
    )
  })

  it.effect("uses the site's URL, credential variable names and CA file", () => {
    const dir = mkdtempSync(join(tmpdir(), "target-test-"))
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    return Effect.gen(function*() {
      const target = yield* resolveTarget(
        site({
          url: "https://fw-branch.example:8443",
          apiKeyEnv: "BRANCH_KEY",
          apiSecretEnv: "BRANCH_SECRET",
          caFile: join(dir, "ca.pem")
        }),
        { write: () => {} }
      )
      expect(target.options).toMatchObject({
        site: "branch",
        url: "https://fw-branch.example:8443",
        timeoutMs: 10_000,
        insecure: false
      })
      expect(target.options.caPem).toContain("BEGIN CERTIFICATE")
      expect(Redacted.value(target.options.apiKey)).toBe("branch-key")
    }).pipe(
      Effect.scoped,
      withEnv({ OPNSENSE_URL: "https://ignored", BRANCH_KEY: "branch-key", BRANCH_SECRET: "branch-secret" })
    )
  })

  it.effect("warns loudly when TLS verification is off", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const target = yield* resolveTarget(undefined, { write: (line) => lines.push(line) })
      expect(target.options.insecure).toBe(true)
      expect(lines.join("\n")).toMatch(/^WARNING: OPNSENSE_INSECURE=true: TLS certificate verification is OFF/)
      expect(lines.join("\n")).toContain("OPNSENSE_CA_FILE")
    }).pipe(
      Effect.scoped,
      withEnv({
        OPNSENSE_URL: "https://192.0.2.1",
        OPNSENSE_API_KEY: "k",
        OPNSENSE_API_SECRET: "s",
        OPNSENSE_INSECURE: "true"
      })
    )
  })

  it.effect("says which variable is missing, and refuses credentials in the URL", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(
        resolveTarget(site({ url: "https://192.0.2.9", apiKeyEnv: "BRANCH_KEY", apiSecretEnv: "BRANCH_SECRET" }))
      )
      expect(missing._tag).toBe("TargetConfigError")
      expect(missing.message).toContain("BRANCH_SECRET is not set")
      expect(missing.message).toContain("BRANCH_SECRET_FILE")
      const inUrl = yield* Effect.flip(resolveTarget(site({ url: "https://root:opnsense@192.0.2.9" })))
      expect(inUrl.message).toContain("must not carry credentials")
      expect(inUrl.message).not.toContain("opnsense@")
    }).pipe(Effect.scoped, withEnv({ BRANCH_KEY: "k" })))
})

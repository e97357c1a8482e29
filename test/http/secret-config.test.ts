/**
 * The ops server's and MCP's bearer tokens from the environment or from the file `<NAME>_FILE`
 * names (a mounted Kubernetes Secret): the variable wins, the file is trimmed, empty is unset, and
 * an unreadable file is an error naming the variable and the path.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { config as httpConfig } from "../../src/Http/Config.ts"
import { optionalSecret } from "../../src/Http/SecretConfig.ts"
import { config as mcpConfig } from "../../src/Mcp/Config.ts"

const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
const reveal = (
  value: Redacted.Redacted<string> | undefined
) => (value === undefined ? undefined : Redacted.value(value))

describe("optionalSecret", () => {
  const dir = mkdtempSync(join(tmpdir(), "secret-config-"))
  writeFileSync(join(dir, "mcp_auth_token"), "token-from-file\n")
  writeFileSync(join(dir, "admin_token"), "admin-from-file")
  writeFileSync(join(dir, "empty"), "\n")

  it.effect("reads every token from its _FILE, trimmed, for the ops server and for MCP", () =>
    Effect.gen(function*() {
      const http = yield* httpConfig
      expect(reveal(http.mcpAuthToken)).toBe("token-from-file")
      expect(reveal(http.adminToken)).toBe("admin-from-file")
      expect(http.metricsToken).toBeUndefined()
      expect(String(http.mcpAuthToken)).not.toContain("token-from-file")
      expect(reveal((yield* mcpConfig("http")).authToken)).toBe("token-from-file")
    }).pipe(withEnv({
      HOST: "0.0.0.0",
      MCP_AUTH_TOKEN_FILE: join(dir, "mcp_auth_token"),
      ADMIN_TOKEN_FILE: join(dir, "admin_token")
    })))

  it.effect("the variable itself wins over its file; empty values and empty files are unset", () =>
    Effect.gen(function*() {
      expect(reveal(yield* optionalSecret("MCP_AUTH_TOKEN"))).toBe("from-env")
      expect(yield* optionalSecret("ADMIN_TOKEN")).toBeUndefined()
      expect(yield* optionalSecret("METRICS_TOKEN")).toBeUndefined()
    }).pipe(withEnv({
      MCP_AUTH_TOKEN: "from-env",
      MCP_AUTH_TOKEN_FILE: join(dir, "mcp_auth_token"),
      ADMIN_TOKEN: "",
      ADMIN_TOKEN_FILE: join(dir, "empty"),
      METRICS_TOKEN_FILE: ""
    })))

  it.effect("an unreadable file names the variable and the path", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.gen(function*() {
        return yield* optionalSecret("ADMIN_TOKEN")
      }))
      expect(error.message).toContain(`ADMIN_TOKEN_FILE names ${join(dir, "missing")}, which cannot be read`)
    }).pipe(withEnv({ ADMIN_TOKEN_FILE: join(dir, "missing") })))
})

/**
 * MCP resources: the desired-state files (read-only, confined to DESIRED_STATE_DIR), the latest
 * stored plan per site, and the audit log.
 *
 *   desired-state://file/{+path}   one YAML file, e.g. desired-state://file/site-a/rules.yaml
 *   plan://latest/{site}           the newest plan stored for a site
 *   audit://log                    reconciler applies + MCP write calls, newest last
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server"
import { Effect, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Plan } from "../Domain/Plan.ts"
import { resolveInside } from "../GitOps/Paths.ts"
import { Reconciler } from "../Reconciler.ts"
import { McpAudit } from "./Audit.ts"
import { McpConfig } from "./Config.ts"

const yamlFiles = (root: string): Effect.Effect<ReadonlyArray<string>> =>
  Effect.promise(async () => {
    const out: Array<string> = []
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => [])
      for (const entry of entries) {
        if (entry.name.startsWith(".")) continue
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) await walk(full)
        else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) out.push(path.relative(root, full))
      }
    }
    await walk(root)
    return out.sort()
  })

const decodePlan = Schema.decodeUnknownOption(Schema.fromJsonString(Plan))

/** The newest plan per site among the stored plans in DATA_DIR/plans. */
export const latestPlans = (dataDir: string): Effect.Effect<ReadonlyMap<string, Plan>> =>
  Effect.promise(async () => {
    const dir = path.join(dataDir, "plans")
    const names = await fs.readdir(dir).catch(() => [])
    const latest = new Map<string, Plan>()
    for (const name of names.filter((n) => n.endsWith(".json"))) {
      const decoded = decodePlan(await fs.readFile(path.join(dir, name), "utf8").catch(() => ""))
      if (decoded._tag === "None") continue
      const known = latest.get(decoded.value.site)
      if (known === undefined || known.createdAt < decoded.value.createdAt) {
        latest.set(decoded.value.site, decoded.value)
      }
    }
    return latest
  })

export interface ResourceHost<R> {
  readonly run: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}

type Needs = McpConfig | Reconciler | McpAudit

export const register = (server: McpServer, host: ResourceHost<Needs>): void => {
  server.registerResource(
    "desired-state-file",
    new ResourceTemplate("desired-state://file/{+path}", {
      list: () =>
        host.run(Effect.gen(function*() {
          const config = yield* McpConfig
          const files = yield* yamlFiles(config.desiredStateDir)
          return {
            resources: files.map((f) => ({
              uri: `desired-state://file/${f}`,
              name: f,
              title: `desired state: ${f}`,
              mimeType: "application/yaml"
            }))
          }
        }))
    }),
    {
      title: "Desired-state file",
      description: "A YAML file of the desired state (read-only; change it with propose_change)",
      mimeType: "application/yaml"
    },
    (uri, variables) =>
      host.run(Effect.gen(function*() {
        const config = yield* McpConfig
        const requested = decodeURIComponent(String(variables["path"] ?? ""))
        const file = yield* resolveInside(config.desiredStateDir, requested).pipe(Effect.orDie)
        const text = yield* Effect.tryPromise(() => fs.readFile(file, "utf8")).pipe(
          Effect.mapError(() => new Error(`no desired-state file ${requested}; list resources to see the files`)),
          Effect.orDie
        )
        return { contents: [{ uri: uri.href, mimeType: "application/yaml", text }] }
      }))
  )

  server.registerResource(
    "latest-plan",
    new ResourceTemplate("plan://latest/{site}", {
      list: () =>
        host.run(Effect.gen(function*() {
          const config = yield* McpConfig
          const plans = yield* latestPlans(config.dataDir)
          return {
            resources: [...plans.values()].map((p) => ({
              uri: `plan://latest/${p.site}`,
              name: `latest plan for ${p.site}`,
              description: `${
                p.planId.slice(0, 12)
              } made ${p.createdAt}: create ${p.summary.create}, update ${p.summary.update}, delete ${p.summary.delete}`,
              mimeType: "application/json"
            }))
          }
        }))
    }),
    {
      title: "Latest plan per site",
      description: "The newest stored plan of a site (plan JSON)",
      mimeType: "application/json"
    },
    (uri, variables) =>
      host.run(Effect.gen(function*() {
        const config = yield* McpConfig
        const site = String(variables["site"] ?? "")
        const found = (yield* latestPlans(config.dataDir)).get(site)
        if (found === undefined) {
          return yield* Effect.die(new Error(`no stored plan for site "${site}"; call the plan tool first`))
        }
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(found, null, 2) }] }
      }))
  )

  server.registerResource(
    "audit-log",
    "audit://log",
    {
      title: "Audit log",
      description: "Reconciler applies and imports, and MCP write-tool calls (newest last, up to 200 each)",
      mimeType: "application/json"
    },
    (uri) =>
      host.run(Effect.gen(function*() {
        const reconciler = yield* Reconciler
        const audit = yield* McpAudit
        const applies = yield* reconciler.auditLog({ limit: 200 }).pipe(Effect.orElseSucceed(() => []))
        const mcp = yield* audit.read(200)
        return {
          contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ applies, mcp }, null, 2) }]
        }
      }))
  )
}

/**
 * MCP resources: the desired-state files (read-only; only those the loader reads), the latest
 * stored plan per site, and the audit log.
 *
 *   desired-state://file/{+path}   one YAML file, e.g. desired-state://file/site-a/rules.yaml
 *   plan://latest/{site}           the newest plan stored for a site
 *   audit://log                    reconciler applies + MCP write calls, newest last
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { DesiredState } from "../DesiredState.ts"
import type { SourceFile } from "../DesiredState/Load.ts"
import { Plan } from "../Domain/Plan.ts"
import { Reconciler } from "../Reconciler.ts"
import { McpAudit } from "./Audit.ts"
import { McpConfig } from "./Config.ts"

/**
 * The desired-state files exactly as the loader reads them (DesiredState.sources): sites.yaml and
 * the YAML files of each site's folder, regular files only (never a FIFO, device or socket), no
 * symlink leaving the tree, within the size cap, valid UTF-8. Anything else under the directory
 * (.git/config with a token in a remote URL, .env.local, .git/index) is not a desired-state file
 * and is not served. One rule, the loader's, for what the tools load and what agents may read.
 */
const desiredFiles = Effect.fn("Mcp.desiredFiles")(function*() {
  const config = yield* McpConfig
  const desired = yield* DesiredState
  const tree = yield* desired.sources({ dir: config.desiredStateDir })
  const files: Array<SourceFile> = tree.sitesFile === undefined ? [] : [tree.sitesFile]
  for (const site of tree.sites) files.push(...site.files)
  return new Map(files.map((f) => [f.path, f.text]))
})

const decodePlan = Schema.decodeUnknownOption(Schema.fromJsonString(Plan))

/** The newest plan per site among the stored plans in DATA_DIR/plans. */
/**
 * The newest stored plan of each site that `accept`s it. Plans of proposal branches are stored in
 * the same folder (so they can be applied once merged); the resource keeps to the checkout's.
 */
export const latestPlans = (
  dataDir: string,
  accept: (plan: Plan) => boolean = () => true
): Effect.Effect<ReadonlyMap<string, Plan>> =>
  Effect.promise(async () => {
    const dir = path.join(dataDir, "plans")
    const names = await fs.readdir(dir).catch(() => [])
    const latest = new Map<string, Plan>()
    for (const name of names.filter((n) => n.endsWith(".json"))) {
      const decoded = decodePlan(await fs.readFile(path.join(dir, name), "utf8").catch(() => ""))
      if (decoded._tag === "None" || !accept(decoded.value)) continue
      const known = latest.get(decoded.value.site)
      if (known === undefined || known.createdAt < decoded.value.createdAt) {
        latest.set(decoded.value.site, decoded.value)
      }
    }
    return latest
  })

/** The newest stored plan per site made from the desired state checked out now (its digest). */
const checkoutPlans = Effect.gen(function*() {
  const config = yield* McpConfig
  const { tree } = yield* (yield* DesiredState).validate({ dir: config.desiredStateDir })
  const digests = new Map((tree?.sites ?? []).map((s) => [s.config.name, s.digest]))
  return yield* latestPlans(config.dataDir, (p) => p.desiredDigest === digests.get(p.site))
})

export interface ResourceHost<R> {
  readonly run: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}

type Needs = McpConfig | Reconciler | McpAudit | DesiredState

export const register = (server: McpServer, host: ResourceHost<Needs>): void => {
  server.registerResource(
    "desired-state-file",
    new ResourceTemplate("desired-state://file/{+path}", {
      list: () =>
        host.run(Effect.gen(function*() {
          const files = [...(yield* desiredFiles()).keys()].sort()
          return {
            resources: files.map((f) => ({
              uri: `desired-state://file/${f}`,
              name: f,
              title: `desired state: ${f}`,
              mimeType: "application/yaml"
            }))
          }
        })),
      // completion/complete: the files the loader reads, by prefix
      complete: {
        path: (value) =>
          host.run(Effect.map(desiredFiles(), (files) => [...files.keys()].filter((f) => f.startsWith(value)).sort()))
      }
    }),
    {
      title: "Desired-state file",
      description: "A YAML file of the desired state (read-only; change it with propose_change)",
      mimeType: "application/yaml"
    },
    (uri, variables) =>
      host.run(Effect.gen(function*() {
        const requested = decodeURIComponent(String(variables["path"] ?? ""))
        const text = (yield* desiredFiles()).get(requested)
        if (text === undefined) {
          return yield* Effect.die(
            new Error(
              `no desired-state file ${requested}: only the YAML files the loader reads are served; list resources to see them`
            )
          )
        }
        return { contents: [{ uri: uri.href, mimeType: "application/yaml", text }] }
      }))
  )

  server.registerResource(
    "latest-plan",
    new ResourceTemplate("plan://latest/{site}", {
      list: () =>
        host.run(Effect.gen(function*() {
          const plans = yield* checkoutPlans
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
        })),
      // completion/complete: the site names the desired state declares, by prefix
      complete: {
        site: (value) =>
          host.run(
            Reconciler.use((r) => r.sites).pipe(
              Effect.map((sites) => sites.map((s) => s.name).filter((n) => n.startsWith(value)).sort()),
              Effect.orElseSucceed((): Array<string> => [])
            )
          )
      }
    }),
    {
      title: "Latest plan per site",
      description: "The newest stored plan of a site made from the checked-out desired state (plan JSON); " +
        "plans of proposal branches are returned by propose_change, not here",
      mimeType: "application/json"
    },
    (uri, variables) =>
      host.run(Effect.gen(function*() {
        const site = String(variables["site"] ?? "")
        const found = (yield* checkoutPlans).get(site)
        if (found === undefined) {
          return yield* Effect.die(
            new Error(`no stored plan of the checked-out desired state for site "${site}"; call the plan tool first`)
          )
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

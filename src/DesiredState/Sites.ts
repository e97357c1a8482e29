/**
 * desired-state/sites.yaml: which sites exist, where their YAML lives, which firewall each one
 * targets and the names (never the values) of the environment variables holding its credentials.
 * Without the file there is one site, "default", whose files sit directly in the root.
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type { Issue, SiteConfig } from "../Domain/Desired.ts"
import { Severity } from "../Domain/Desired.ts"
import { flattenSchemaIssue, makeIssue, suggestion } from "./Issues.ts"
import { type Limits, locate, parseYaml } from "./Yaml.ts"

export const SITES_FILE = "sites.yaml"

const doc = <S extends Schema.Top>(schema: S, description: string) => schema.annotate({ description })
const EnvName = doc(
  Schema.String.check(Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_]*$/)),
  "name of an environment variable"
)

export const SiteInput = Schema.Struct({
  name: doc(Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/)), "site name, used with --site"),
  path: Schema.optionalKey(
    doc(Schema.String, "folder of the site's YAML relative to the desired-state root; default: the site name")
  ),
  url: Schema.optionalKey(
    doc(Schema.String, "firewall base URL, e.g. https://192.0.2.1; default: OPNSENSE_URL, else the sandbox")
  ),
  api_key_env: Schema.optionalKey(EnvName),
  api_secret_env: Schema.optionalKey(EnvName),
  ca_file: Schema.optionalKey(doc(Schema.String, "CA bundle for the firewall's certificate")),
  prune_unmanaged: Schema.optionalKey(
    doc(Schema.Boolean, "also delete objects the desired state does not name (default false)")
  ),
  management: Schema.optionalKey(Schema.Struct({
    interface: doc(Schema.String, "interface the firewall is managed through, e.g. lan"),
    address: Schema.optionalKey(Schema.String),
    port: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65535 }))),
    source: Schema.optionalKey(doc(Schema.String, "address, CIDR or alias of the admin machines")),
    anti_lockout: Schema.optionalKey(Schema.Boolean)
  })),
  probes: Schema.optionalKey(Schema.Array(Schema.Struct({
    host: Schema.String,
    port: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65535 })),
    timeout_ms: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 600000 })))
  }))),
  lint: Schema.optionalKey(doc(Schema.Record(Schema.String, Severity), "lint code → error, warning, info or off")),
  interfaces: Schema.optionalKey(doc(
    Schema.Record(
      Schema.String,
      Schema.Struct({
        networks: Schema.optionalKey(
          doc(Schema.Array(Schema.String), "what the interface net (e.g. `lan`) means in rules, as CIDRs")
        ),
        addresses: Schema.optionalKey(
          doc(Schema.Array(Schema.String), "the firewall's own addresses on it (`lanip`, `(self)`)")
        )
      })
    ),
    "interface identifier → its networks and addresses, so lint and explain can resolve `lan`, `lanip` and `(self)`"
  )),
  sensitive_interfaces: Schema.optionalKey(
    doc(Schema.Array(Schema.String), "interfaces where pass rules must log (default [wan])")
  ),
  outbound_nat_mode: Schema.optionalKey(
    doc(
      Schema.Literals(["automatic", "hybrid", "manual", "advanced", "disabled"]),
      "outbound NAT mode: automatic, hybrid, manual (advanced) or disabled; left as it is when absent"
    )
  )
})
export type SiteInput = typeof SiteInput.Type

export const SitesFile = Schema.Struct({ sites: Schema.Array(SiteInput) })

const siteKeys = Object.keys(SiteInput.fields)

export const defaultSite: SiteConfig = { name: "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} }

const toConfig = (input: SiteInput): SiteConfig => ({
  name: input.name,
  path: normalisePath(input.path ?? input.name),
  ...(input.url !== undefined ? { url: input.url } : {}),
  ...(input.api_key_env !== undefined ? { apiKeyEnv: input.api_key_env } : {}),
  ...(input.api_secret_env !== undefined ? { apiSecretEnv: input.api_secret_env } : {}),
  ...(input.ca_file !== undefined ? { caFile: input.ca_file } : {}),
  pruneUnmanaged: input.prune_unmanaged ?? false,
  ...(input.management !== undefined
    ? {
      management: {
        interface: input.management.interface,
        ...(input.management.address !== undefined ? { address: input.management.address } : {}),
        ...(input.management.port !== undefined ? { port: input.management.port } : {}),
        ...(input.management.source !== undefined ? { source: input.management.source } : {}),
        ...(input.management.anti_lockout !== undefined ? { antiLockout: input.management.anti_lockout } : {})
      }
    }
    : {}),
  probes: (input.probes ?? []).map((p) => ({
    host: p.host,
    port: p.port,
    ...(p.timeout_ms !== undefined ? { timeoutMs: p.timeout_ms } : {})
  })),
  lint: input.lint ?? {},
  ...(input.interfaces !== undefined
    ? {
      interfaces: Object.fromEntries(
        Object.entries(input.interfaces).map(([name, i]) => [name, {
          ...(i.networks !== undefined ? { networks: i.networks } : {}),
          ...(i.addresses !== undefined ? { addresses: i.addresses } : {})
        }])
      )
    }
    : {}),
  ...(input.sensitive_interfaces !== undefined ? { sensitiveInterfaces: input.sensitive_interfaces } : {}),
  // "manual" is what the GUI calls the mode OPNsense stores as "advanced"
  ...(input.outbound_nat_mode !== undefined
    ? { outboundNatMode: input.outbound_nat_mode === "manual" ? "advanced" : input.outbound_nat_mode }
    : {})
})

const normalisePath = (path: string): string => {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".")
  return parts.length === 0 ? "." : parts.join("/")
}

/** Parse sites.yaml; every problem is an Issue, the sites that are valid are returned. */
export const parseSites = (
  text: string,
  limits?: Limits
): { readonly sites: ReadonlyArray<SiteConfig>; readonly issues: ReadonlyArray<Issue> } => {
  const parsed = parseYaml(SITES_FILE, text, limits)
  const file = parsed.file
  if (file === undefined) return { sites: [], issues: parsed.issues }
  const issues: Array<Issue> = []
  const root = file.value
  const hint = "sites.yaml holds `sites:`, a list of { name, path, url, api_key_env, api_secret_env, ... }"
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    return {
      sites: [],
      issues: [
        makeIssue(SITES_FILE, locate(file, []), {
          code: "type",
          message: "sites.yaml must be a mapping with a `sites` list",
          hint
        })
      ]
    }
  }
  for (const key of Object.keys(root)) {
    if (key !== "sites") {
      issues.push(
        makeIssue(SITES_FILE, locate(file, [key], "key"), {
          code: "unknown-field",
          message: `unknown key "${key}"`,
          hint: suggestion(key, ["sites"]) ?? hint
        })
      )
    }
  }
  const list: unknown = "sites" in root ? root.sites : undefined
  if (Array.isArray(list)) {
    list.forEach((site: unknown, index) => {
      if (typeof site !== "object" || site === null || Array.isArray(site)) return
      for (const key of Object.keys(site)) {
        if (!siteKeys.includes(key)) {
          issues.push(makeIssue(SITES_FILE, locate(file, ["sites", index, key], "key"), {
            code: "unknown-field",
            message: `unknown site field "${key}"`,
            hint: suggestion(key, siteKeys) ?? `known fields: ${siteKeys.join(", ")}`
          }))
        }
      }
    })
  }
  const exit = Schema.decodeUnknownExit(SitesFile)(root, { errors: "all" })
  if (Exit.isFailure(exit)) {
    const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
    for (const problem of error === undefined ? [] : flattenSchemaIssue(error.issue, root)) {
      issues.push(makeIssue(SITES_FILE, locate(file, problem.path), problem))
    }
    return { sites: [], issues }
  }
  const seen = new Set<string>()
  exit.value.sites.forEach((site, index) => {
    if (seen.has(site.name)) {
      issues.push(
        makeIssue(SITES_FILE, locate(file, ["sites", index, "name"]), {
          code: "duplicate-name",
          name: site.name,
          message: `site "${site.name}" is defined twice`
        })
      )
    }
    seen.add(site.name)
    if (site.path !== undefined && (site.path.startsWith("/") || site.path.split("/").includes(".."))) {
      issues.push(makeIssue(SITES_FILE, locate(file, ["sites", index, "path"]), {
        code: "invalid-path",
        name: site.name,
        message: `path "${site.path}" leaves the desired-state directory`,
        hint: "use a folder relative to the desired-state root, e.g. hq"
      }))
    }
    if (site.url !== undefined && !(URL.canParse(site.url) && /^https?:\/\//i.test(site.url))) {
      issues.push(
        makeIssue(SITES_FILE, locate(file, ["sites", index, "url"]), {
          code: "invalid-value",
          name: site.name,
          message: `"${site.url}" is not an http(s) URL`
        })
      )
    }
  })
  return { sites: exit.value.sites.map(toConfig), issues }
}

/**
 * Read-only tools: status, live objects, validation, plans, drift and the audit log. None of them
 * writes anything except `plan`, which stores the plan in DATA_DIR so `apply_plan` can name it.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { DesiredState } from "../../DesiredState.ts"
import { Issue } from "../../Domain/Desired.ts"
import { ResourceKind } from "../../Domain/Model.ts"
import { Plan } from "../../Domain/Plan.ts"
import { AuditEntry, DriftReport } from "../../Domain/Reports.ts"
import { KindName, kindNames } from "../../Kinds/Registry.ts"
import { permissionError, unreadableEntry } from "../../Opnsense/Unreadable.ts"
import { validateWithLint } from "../../Policy.ts"
import { renderIntentResults } from "../../Policy/Render.ts"
import { Firewalls, Reconciler } from "../../Reconciler.ts"
import { CycleResult, ReconcileStatus } from "../../Reconciler/Loop.ts"
import { renderDrift, renderPlan } from "../../Reconciler/Render.ts"
import { CircuitBreaker } from "../../Resilience/CircuitBreaker.ts"
import { McpAudit, McpAuditEntry } from "../Audit.ts"
import { McpConfig } from "../Config.ts"
import * as LiveQuery from "../LiveQuery.ts"
import { planner } from "../Reconcile.ts"
import { chooseSite, defineTool, done, ToolError } from "../Tool.ts"

const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const
/** reads the firewall: the result depends on a system outside this server */
const readFirewall = { ...read, openWorldHint: true } as const

export const Site = Schema.optional(
  Schema.String.annotate({ description: "site name from desired-state/sites.yaml; omit when there is only one" })
)

const Limit = (max: number, fallback: number) =>
  Schema.optional(
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: max })).annotate({
      description: `how many to return (1..${max}, default ${fallback})`
    })
  )

/** Long text is cut so one answer never floods a context window; structured content stays whole. */
export const clip = (text: string, maxLines = 120): string => {
  const lines = text.split("\n")
  return lines.length <= maxLines
    ? text
    : `${lines.slice(0, maxLines).join("\n")}\n… ${
      lines.length - maxLines
    } more lines (the structured content has everything)`
}

// ---------------------------------------------------------------------------------------------

const SiteStatus = Schema.Struct({
  site: Schema.String,
  url: Schema.String,
  reachable: Schema.Boolean,
  latencyMs: Schema.optional(Schema.Number),
  version: Schema.optional(Schema.String),
  circuit: Schema.Literals(["closed", "open", "half-open", "unknown"]),
  error: Schema.optional(Schema.String),
  /** the reconcile loop's view of the site, when the loop runs in this process */
  reconcile: Schema.optional(Schema.Struct({
    mode: Schema.String,
    leader: Schema.Boolean,
    suspended: Schema.Boolean,
    ready: Schema.Boolean,
    reason: Schema.String,
    lastResult: Schema.optional(CycleResult)
  }))
})

export const status = defineTool({
  name: "opnsense_status",
  title: "Firewall status",
  description:
    "Check each site's firewall: reachable or not (with latency), OPNsense version, and the circuit breaker " +
    "state (open = calls paused after repeated failures). Also says whether this MCP server is read-only. " +
    "Use it first, and whenever another tool reports the firewall unreachable.",
  input: Schema.Struct({ site: Site }),
  output: Schema.Struct({
    transport: Schema.Literals(["stdio", "http"]),
    readOnly: Schema.Boolean,
    sites: Schema.Array(SiteStatus),
    notes: Schema.Array(Schema.String)
  }),
  annotations: readFirewall,
  audit: false,
  run: Effect.fn("Mcp.opnsense_status")(function*({ site }) {
    const config = yield* McpConfig
    const reconciler = yield* Reconciler
    const firewalls = yield* Firewalls
    const breaker = yield* Effect.serviceOption(CircuitBreaker)
    const loop = Option.filter(yield* Effect.serviceOption(ReconcileStatus), (l) => l.enabled)
    const sites = (yield* reconciler.sites).filter((s) => site === undefined || s.name === site)
    if (site !== undefined && sites.length === 0) {
      return yield* Effect.fail(new ToolError({ message: `no site named "${site}"; omit site to see every site` }))
    }
    const rows = yield* Effect.forEach(sites, (s) =>
      Effect.gen(function*() {
        const circuit = Option.isSome(breaker) ? yield* breaker.value.state(s.name) : "unknown" as const
        const loopStatus = Option.isSome(loop) ? yield* loop.value.site(s.name) : undefined
        const ready = loopStatus?.conditions.find((c) => c.type === "Ready")
        const lastResult = loopStatus?.lastResults.at(-1)
        const reconcile = loopStatus === undefined ? {} : {
          reconcile: {
            mode: loopStatus.mode,
            leader: loopStatus.leader,
            suspended: loopStatus.suspended,
            ready: ready?.status ?? false,
            reason: ready?.reason ?? "Unknown",
            ...(lastResult === undefined ? {} : { lastResult })
          }
        }
        const probe = yield* Effect.result(
          Effect.gen(function*() {
            const client = yield* firewalls.forSite(s)
            const ping = yield* client.ping
            const version = yield* client.version
            return { url: client.url, latencyMs: ping.latencyMs, version: version.raw }
          }).pipe(Effect.timeout("10 seconds"))
        )
        const row: typeof SiteStatus.Type = probe._tag === "Success"
          ? {
            site: s.name,
            url: probe.success.url,
            reachable: true,
            latencyMs: probe.success.latencyMs,
            version: probe.success.version,
            circuit,
            ...reconcile
          }
          : {
            site: s.name,
            url: s.url ?? "(OPNSENSE_URL or the embedded sandbox)",
            reachable: false,
            circuit,
            error: "message" in probe.failure ? probe.failure.message : String(probe.failure),
            ...reconcile
          }
        return row
      }), { concurrency: 4 })
    const lines = rows.map((r) => {
      const loopLine = r.reconcile === undefined
        ? ""
        : `; reconcile ${r.reconcile.ready ? "Ready" : "not ready"} (${r.reconcile.reason})` +
          (r.reconcile.lastResult === undefined
            ? ""
            : `, last ${r.reconcile.lastResult.result} at ${r.reconcile.lastResult.at}`)
      return r.reachable
        ? `${r.site}: reachable (${r.latencyMs} ms), OPNsense ${r.version}, circuit ${r.circuit}${loopLine}`
        : `${r.site}: UNREACHABLE — ${r.error ?? "no answer"} (circuit ${r.circuit})${loopLine}`
    })
    const mode = config.readOnly ? "read-only (apply_plan is refused)" : "read-write"
    const notes = Option.isSome(loop)
      ? [`reconcile loop: ${loop.value.mode} every ${Math.round((loop.value.intervalMs ?? 0) / 1000)} s`]
      : ["reconcile loop: not running in this process (RECONCILE_INTERVAL unset, or MCP over stdio)"]
    return done(
      { transport: config.transport, readOnly: config.readOnly, sites: rows, notes },
      [`MCP server: ${mode}`, ...lines].join("\n")
    )
  })
})

// ---------------------------------------------------------------------------------------------

export const listLive = defineTool({
  name: "list_live",
  title: "List live firewall objects",
  description: `List the objects on the live firewall of one kind (${kindNames.join(", ")}), filtered and paged. ` +
    "Returns `items` (only the `fields` asked for; name/uuid/managed and a few key fields by default), `matching`, " +
    "`total` and `nextCursor`: pass it back as `cursor` for the next page. Filter first (name, interface, text, " +
    "managed) instead of paging through thousands of rules. `managed: false` shows what the desired state does not own.",
  input: Schema.Struct({
    site: Site,
    kind: KindName.annotate({ description: kindNames.join(", ") }),
    filter: Schema.optional(LiveQuery.LiveFilter),
    fields: Schema.optional(
      Schema.Array(Schema.String).annotate({
        description: "top-level fields to return, e.g. [\"name\",\"action\",\"source\",\"destination\"]; \"*\" for all"
      })
    ),
    limit: Limit(200, 25),
    cursor: Schema.optional(Schema.String.annotate({ description: "nextCursor from the previous page" })),
    fresh: Schema.optional(Schema.Boolean.annotate({ description: "bypass the cache and read the firewall now" }))
  }),
  output: Schema.Struct({
    site: Schema.String,
    kind: ResourceKind,
    fetchedAt: Schema.String,
    stale: Schema.Boolean,
    total: Schema.Number,
    matching: Schema.Number,
    returned: Schema.Number,
    items: Schema.Array(Schema.Record(Schema.String, Schema.Unknown)),
    nextCursor: Schema.optional(Schema.String)
  }),
  annotations: readFirewall,
  audit: false,
  run: Effect.fn("Mcp.list_live")(function*(input) {
    const offset = input.cursor === undefined ? 0 : LiveQuery.decodeCursor(input.cursor)
    if (offset === undefined) {
      return yield* Effect.fail(
        new ToolError({ message: "cursor is not one this server issued; omit it to start from the first page" })
      )
    }
    const reconciler = yield* Reconciler
    const firewalls = yield* Firewalls
    const sites = yield* reconciler.sites
    const site = yield* chooseSite(sites, input.site)
    const client = yield* firewalls.forSite(site)
    const snapshot = yield* client.snapshot({ fresh: input.fresh === true })
    // an empty page would say the firewall has none: say the key may not read them instead
    const refused = unreadableEntry(snapshot, input.kind)
    if (refused !== undefined) return yield* Effect.fail(permissionError(site.name, refused))
    const rows = LiveQuery.rowsOf(snapshot, input.kind)
    const fields = input.fields?.includes("*") === true
      ? Object.keys(rows[0] ?? {})
      : input.fields ?? LiveQuery.defaultFields(input.kind)
    const page = LiveQuery.page(rows, { filter: input.filter ?? {}, fields, offset, limit: input.limit ?? 25 })
    const shown = page.items.length === 0
      ? `no ${input.kind}s match (of ${page.total})`
      : `${input.kind}s ${page.offset + 1}-${
        page.offset + page.items.length
      } of ${page.matching} matching (${page.total} in total)`
    const more = page.nextCursor === undefined ? "" : `\nmore: call again with cursor "${page.nextCursor}"`
    const names = page.items.slice(0, 50).map((i) => `- ${String(i["name"])}`).join("\n")
    return done(
      {
        site: site.name,
        kind: input.kind,
        fetchedAt: snapshot.fetchedAt,
        stale: snapshot.stale,
        total: page.total,
        matching: page.matching,
        returned: page.items.length,
        items: page.items,
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor })
      },
      `${site.name}: ${shown}${
        snapshot.stale ? " (STALE: served from cache, firewall unreachable)" : ""
      }\n${names}${more}`
    )
  })
})

// ---------------------------------------------------------------------------------------------

export const validate = defineTool({
  name: "validate",
  title: "Validate the desired state",
  description: "Check the desired-state YAML (schema, references, duplicates): every error and warning in the tree, " +
    "each with file, line, column, the item's name and a hint. Use it after editing, and before plan. " +
    "`valid` is false when any error exists.",
  input: Schema.Struct({ site: Site }),
  output: Schema.Struct({
    valid: Schema.Boolean,
    errors: Schema.Number,
    warnings: Schema.Number,
    sites: Schema.Array(Schema.String),
    issues: Schema.Array(Issue)
  }),
  annotations: read,
  audit: false,
  run: Effect.fn("Mcp.validate")(function*({ site }) {
    const config = yield* McpConfig
    const desired = yield* DesiredState
    const result = yield* validateWithLint(desired, { dir: config.desiredStateDir, site })
    const errors = result.issues.filter((i) => i.severity === "error")
    const warnings = result.issues.filter((i) => i.severity === "warning")
    const lines = result.issues.slice(0, 100).map((i) =>
      `${i.file}:${i.line}:${i.column}: ${i.severity}[${i.code}]: ${i.message}${
        i.hint === undefined ? "" : ` (${i.hint})`
      }`
    )
    const head = errors.length === 0
      ? `valid: ${warnings.length} warning(s)`
      : `INVALID: ${errors.length} error(s), ${warnings.length} warning(s)`
    return done(
      {
        valid: errors.length === 0,
        errors: errors.length,
        warnings: warnings.length,
        sites: result.tree?.sites.map((s) => s.config.name) ?? [],
        issues: result.issues.slice(0, 500)
      },
      [head, ...lines].join("\n")
    )
  })
})

// ---------------------------------------------------------------------------------------------

export const plan = defineTool({
  name: "plan",
  title: "Plan changes",
  description: "Diff the desired state against the live firewall and return the plan (structured content: planId, " +
    "changes with field diffs, summary, warnings, blocked) plus a readable +/~/- summary. Nothing is applied; the " +
    "plan is stored so apply_plan can apply it by planId. `blocked` lists changes that would cut off management " +
    "access: such a plan cannot be applied. `intents` has the site's intents checked on the rules the plan leaves " +
    "(held, violated with the change that breaks it, unknown): a plan that violates one cannot be applied either.",
  input: Schema.Struct({ site: Site }),
  output: Plan,
  annotations: readFirewall,
  audit: false,
  run: Effect.fn("Mcp.plan")(function*({ site }) {
    const result = yield* (yield* planner).plan({ site })
    return done(result, planText(result))
  })
})

export const confirmationPhrase = (summary: Plan["summary"]): string =>
  `create ${summary.create}, update ${summary.update}, delete ${summary.delete}`

export const planText = (p: Plan): string => {
  const next = p.changes.length === 0
    ? "Nothing to apply."
    : p.blocked.length > 0
    ? "This plan has blocked changes and cannot be applied: change the desired state first."
    : (p.intents ?? []).some((r) => r.verdict === "violated")
    ? "This plan violates an intent and cannot be applied: change the desired state first."
    : `To apply: apply_plan { planId: "${p.planId}" } (confirm with summary "${confirmationPhrase(p.summary)}").`
  return `${
    clip((renderPlan(p, { colour: false }) + renderIntentResults("Intents", p.intents)).trimEnd())
  }\nplanId: ${p.planId}\n${next}`
}

// ---------------------------------------------------------------------------------------------

export const drift = defineTool({
  name: "drift_report",
  title: "Drift report",
  description:
    "What changed on the firewall outside git: managed objects edited (field by field: desired vs live) or " +
    "deleted there, desired objects not created yet, unmanaged objects that appeared, and `unclaimed` objects that " +
    "carry an ownership marker no desired item claims (`forged`: a copied marker, or one naming something never " +
    "managed; plan deletes them). `hasDrift` is the verdict, unless `stale` is true (the firewall could not be " +
    "read and the report compares its last snapshot). " +
    "To undo drift, plan and apply; to keep a change, propose_change it into the desired state.",
  input: Schema.Struct({ site: Site }),
  output: DriftReport,
  annotations: readFirewall,
  audit: false,
  run: Effect.fn("Mcp.drift_report")(function*({ site }) {
    const reconciler = yield* Reconciler
    const report = yield* reconciler.drift({ site })
    return done(report, clip(renderDrift(report, { colour: false }).trimEnd()))
  })
})

// ---------------------------------------------------------------------------------------------

export const auditLog = defineTool({
  name: "audit_log",
  title: "Audit log",
  description: "Who changed what: `applies` are the reconciler's entries (every apply and import, with planId, " +
    "changes and result, hash-chained); `mcp` are the write-tool calls made through MCP (propose_change, " +
    "import_live, apply_plan), refusals included. Newest last.",
  input: Schema.Struct({ limit: Limit(200, 20) }),
  output: Schema.Struct({ applies: Schema.Array(AuditEntry), mcp: Schema.Array(McpAuditEntry) }),
  annotations: read,
  audit: false,
  run: Effect.fn("Mcp.audit_log")(function*({ limit }) {
    const reconciler = yield* Reconciler
    const audit = yield* McpAudit
    const applies = yield* reconciler.auditLog({ limit: limit ?? 20 })
    const mcp = yield* audit.read(limit ?? 20)
    const lines = [
      ...applies.map((e) => `${e.at} ${e.actor} ${e.action} ${e.site} plan ${e.planId.slice(0, 12)}: ${e.result}`),
      ...mcp.map((e) => `${e.at} ${e.actor} ${e.tool}: ${e.outcome} — ${e.detail}`)
    ]
    return done({ applies, mcp }, lines.length === 0 ? "the audit log is empty" : lines.join("\n"))
  })
})

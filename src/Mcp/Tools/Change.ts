/**
 * Tools that write git, never the firewall: `propose_change` (structured edits → a validated
 * commit on a new branch, plus the plan that branch would produce) and `import_live` (the live
 * objects as YAML on a new branch, to adopt an existing firewall).
 *
 * Both work in a temporary worktree of the desired-state repository (GitOps.onNewBranch): the
 * checkout the server reads is never modified, and every path is confined to the site folder.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import { Issue, type SiteConfig } from "../../Domain/Desired.ts"
import { Plan } from "../../Domain/Plan.ts"
import { findUnsafe, printable } from "../../Domain/Text.ts"
import { GitOps, importOnBranch, PROPOSAL_PREFIX, resolveInside, validateWorktree } from "../../GitOps.ts"
import { countsText, KindName } from "../../Kinds/Registry.ts"
import { Reconciler } from "../../Reconciler.ts"
import * as ReconcilerLive from "../../Reconciler/Live.ts"
import { importSite } from "../../Reconciler/Sites.ts"
import { McpConfig } from "../Config.ts"
import { applyEdits, describeEdit, Edit } from "../Edits.ts"
import { chooseSite, defineTool, done, ToolError } from "../Tool.ts"
import { confirmationPhrase, Site } from "./Inspect.ts"

const gitOnly = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const

const BranchName = Schema.optional(
  Schema.String.annotate({
    description: `branch to create, always under "${PROPOSAL_PREFIX}" (added when missing; default: ` +
      `${PROPOSAL_PREFIX}<summary>-<timestamp>); must not exist, name a remote ("origin/…") or the default branch`
  })
)

const TRAILER = /^[ \t]*([A-Za-z][A-Za-z0-9-]*-by)[ \t]*:/m

/**
 * The commit subject and body from `summary` and `reason`, or a ToolError that says how to fix the
 * call: the subject is one line, and neither carries control characters, ANSI escapes or
 * bidirectional-text controls (Domain/Text.ts) nor trailer lines the reviewer could take for ours.
 */
const commitParts = (summary: string, reason: string) =>
  Effect.gen(function*() {
    if (/[\r\n\u2028\u2029]/.test(summary)) {
      return yield* new ToolError({
        message: "`summary` must be one line (it is the commit subject): remove the line breaks and put the " +
          "details in `reason`"
      })
    }
    const inSummary = findUnsafe(summary)
    if (inSummary !== undefined) {
      return yield* new ToolError({
        message: `\`summary\` contains a ${inSummary.description}: remove it; commit messages take printable text only`
      })
    }
    const body = reason.replace(/\r\n/g, "\n")
    const inReason = findUnsafe(body, ["\n"])
    if (inReason !== undefined) {
      return yield* new ToolError({
        message: `\`reason\` contains a ${inReason.description}: remove it; only line breaks and printable text ` +
          "go into the commit message"
      })
    }
    const trailer = TRAILER.exec(body)
    if (trailer !== null) {
      return yield* new ToolError({
        message:
          `\`reason\` has a line starting "${trailer[1]}:", which reads as a git trailer; the tool adds its own ` +
          "(Proposed-by): reword or remove that line"
      })
    }
    return { summary, body }
  })

const siteConfigOf = (site: string | undefined) =>
  Effect.gen(function*() {
    const sites = yield* (yield* Reconciler).sites
    return yield* chooseSite(sites, site)
  })

/** What planning the branch's tree against the live firewall gives (stored, so it can be applied once merged). */
const planOf = (workDir: string, site: SiteConfig) =>
  Effect.gen(function*() {
    const config = yield* McpConfig
    const reconciler = yield* ReconcilerLive.make({ desiredDir: workDir, actor: config.actor })
    return yield* reconciler.plan({ site: site.name })
  })

const ProposalOutput = Schema.Struct({
  branch: Schema.String,
  commit: Schema.String,
  base: Schema.String,
  files: Schema.Array(Schema.String),
  diff: Schema.String,
  diffTruncated: Schema.Boolean,
  edits: Schema.Array(Schema.String),
  warnings: Schema.Array(Issue),
  /** the plan this branch produces against the live firewall now */
  plan: Schema.optional(Plan),
  planError: Schema.optional(Schema.String)
})

export const proposeChange = defineTool({
  name: "propose_change",
  title: "Propose a change (git branch)",
  description:
    "Change the desired state the GitOps way: apply structured edits (upsert or delete a named object of a " +
    "kind, or patch one YAML node) to the desired-state files, keeping comments and formatting; validate; commit on " +
    "a NEW branch under mcp/ with a message built from `summary` (one line) and `reason`. Never touches the firewall or the checked-out " +
    "branch. Returns branch, commit, the diff and the plan that branch would produce (its planId becomes applicable " +
    "with apply_plan once a person merges the branch). A change that does not validate is refused with every error.",
  input: Schema.Struct({
    site: Site,
    summary: Schema.String.check(Schema.isMinLength(3), Schema.isMaxLength(72)).annotate({
      description: "one-line commit subject without control characters, e.g. \"Add the iot VLAN and its DNS rule\""
    }),
    reason: Schema.String.check(Schema.isMinLength(3)).annotate({
      description: "why the change is needed (the commit body reviewers read); line breaks allowed, no other " +
        "control characters and no trailer lines such as \"Approved-by:\""
    }),
    edits: Schema.Array(Edit).check(Schema.isMinLength(1), Schema.isMaxLength(100)),
    branch: BranchName
  }),
  output: ProposalOutput,
  annotations: gitOnly,
  audit: true,
  run: Effect.fn("Mcp.propose_change")(function*(input) {
    const config = yield* McpConfig
    const gitops = yield* GitOps
    const { body, summary } = yield* commitParts(input.summary, input.reason)
    const site = yield* siteConfigOf(input.site)
    const branch = yield* gitops.proposalBranch(config.desiredStateDir, input.branch, summary)
    // edits name YAML keys and items the caller chose: shown, never interpreted
    const described = input.edits.map((edit) => printable(describeEdit(edit)))
    const message = `${summary}\n\n${body}\n\n${
      described.map((d) => `- ${d}`).join("\n")
    }\n\nProposed-by: opnsense-mcp (${config.actor})\n`
    const committed = yield* gitops.onNewBranch(
      { dir: config.desiredStateDir, branch, message },
      (workDir) =>
        Effect.gen(function*() {
          // a site listed in sites.yaml whose folder the proposal creates
          const siteDir = yield* resolveInside(workDir, site.path)
          yield* Effect.promise(() => fs.mkdir(siteDir, { recursive: true }))
          const report = yield* applyEdits({ dir: workDir, site: site.name }, input.edits)
          const warnings = yield* validateWorktree(workDir, site.name, "the change")
          const planned = yield* Effect.result(planOf(workDir, site))
          return { report, warnings, planned }
        })
    )
    const { planned, report, warnings } = committed.result
    const planPart = planned._tag === "Success"
      ? {
        plan: planned.success,
        text: `plan ${planned.success.planId} (${confirmationPhrase(planned.success.summary)})` +
          (planned.success.blocked.length > 0 ? ` — ${planned.success.blocked.length} BLOCKED change(s)` : "")
      }
      : {
        planError: `could not plan the branch: ${
          "message" in planned.failure ? String(planned.failure.message) : "unknown error"
        }`
      }
    return done(
      {
        branch: committed.branch,
        commit: committed.commit,
        base: committed.base,
        files: committed.files,
        diff: committed.diff,
        diffTruncated: committed.diffTruncated,
        edits: report,
        warnings: warnings.filter((w) => w.severity !== "error"),
        ...("plan" in planPart ? { plan: planPart.plan } : { planError: planPart.planError })
      },
      [
        `committed ${committed.commit.slice(0, 12)} on branch ${committed.branch} (from ${
          committed.base.slice(0, 12)
        })`,
        ...report.map((r) => `- ${r}`),
        "plan" in planPart ? planPart.text : planPart.planError,
        "Next: a person reviews and merges the branch; then plan and apply_plan."
      ].join("\n"),
      `branch ${committed.branch} commit ${committed.commit}`
    )
  })
})

// ---------------------------------------------------------------------------------------------

export const importLive = defineTool({
  name: "import_live",
  title: "Import live objects into git",
  description:
    "Adopt an existing firewall: write YAML for its live objects (all, or some kinds) into the site folder " +
    "on a NEW branch of the desired-state repository, validated and committed, so that once merged the first plan " +
    "only adds ownership markers. Objects the desired state already holds are left as they are; the others are " +
    "added to the files holding their kind (comments kept; rules next to their live neighbours). Writes git " +
    "only: nothing on the firewall changes, and the checked-out branch is untouched. Returns " +
    "branch, commit, files, counts, and what was skipped (built-in aliases, legacy/automatic rules) and why.",
  input: Schema.Struct({
    site: Site,
    kinds: Schema.optional(Schema.Array(KindName).annotate({ description: "only these kinds (default all)" })),
    branch: BranchName
  }),
  output: Schema.Struct({
    branch: Schema.String,
    commit: Schema.String,
    files: Schema.Array(Schema.String),
    counts: Schema.Record(Schema.String, Schema.Number).annotate({ description: "objects imported per kind" }),
    skipped: Schema.Array(Schema.String)
  }),
  annotations: gitOnly,
  audit: true,
  run: Effect.fn("Mcp.import_live")(function*(input) {
    const config = yield* McpConfig
    const reconciler = yield* Reconciler
    const site = yield* importSite(reconciler.sites, input.site, undefined, "`site`").pipe(
      Effect.mapError((e) => new ToolError({ message: e.message }))
    )
    const branch = yield* (yield* GitOps).proposalBranch(config.desiredStateDir, input.branch, `import ${site.name}`)
    // into the branch's own tree: what the desired state already holds is adopted, not written again
    const committed = yield* importOnBranch({
      dir: config.desiredStateDir,
      branch,
      sitePath: site.path,
      importInto: (workDir) =>
        reconciler.importLive({ site: input.site, kinds: input.kinds, recordInventory: false, into: workDir }),
      trailer: `Proposed-by: opnsense-mcp (${config.actor})`
    })
    const imported = committed.result
    const counts = imported.counts
    return done(
      { branch: committed.branch, commit: committed.commit, files: committed.files, counts, skipped: imported.skipped },
      `committed ${committed.commit.slice(0, 12)} on branch ${committed.branch}: ${countsText(counts)} in ${
        committed.files.join(", ")
      }` +
        (imported.skipped.length > 0 ? `\nskipped: ${imported.skipped.slice(0, 20).join("; ")}` : ""),
      `branch ${committed.branch} commit ${committed.commit}`
    )
  })
})

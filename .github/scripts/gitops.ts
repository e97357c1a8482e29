/**
 * The decisions of the gitops-* workflows, out of the YAML so they can be tested against a fake
 * `gh` (test/gitops/workflow-scripts.test.ts). Dependency-free; run with `node` (Node 24 strips the
 * types). Each subcommand reads its inputs from the environment, talks to GitHub only through `gh`,
 * and writes `key=value` lines to $GITHUB_OUTPUT and Markdown to $GITHUB_STEP_SUMMARY.
 *
 *   changed        did the pull request touch desired-state/? (instead of a `paths` filter)
 *   split-plan     plan.json (one plan or an array of them) → plans/<site>.json + sites.json
 *   publish-plan   the one plan comment (same-repository PRs) or the job summary (forks)
 *   find-reviewed  the merged PR of a push to main (or a dispatched PR number) and its plan run
 *   report-apply   comment on the PR when an apply was refused, failed or cancelled
 *   drift-issue    open / comment on change / close the `drift` issue
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"

/** GitHub refuses a comment or issue body longer than this (characters). */
export const GITHUB_BODY_LIMIT = 65_536
export const PLAN_MARKER = "<!-- opnsense-mcp plan -->"
const DRIFT_MARKER = "<!-- opnsense-mcp drift"

const env = (name: string, fallback?: string): string => {
  const value = process.env[name]
  if (value !== undefined && value !== "") return value
  if (fallback !== undefined) return fallback
  return fail(`${name} is not set`)
}

class Failure extends Error {}
const fail = (message: string): never => {
  throw new Failure(message)
}

const output = (key: string, value: string) => {
  const file = process.env["GITHUB_OUTPUT"]
  if (file !== undefined && file !== "") appendFileSync(file, `${key}=${value}\n`)
  process.stdout.write(`${key}=${value}\n`)
}

const summary = (markdown: string) => {
  const file = process.env["GITHUB_STEP_SUMMARY"]
  if (file !== undefined && file !== "") appendFileSync(file, `${markdown}\n`)
}

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const gh = (args: ReadonlyArray<string>): Run => {
  const r = spawnSync("gh", args, { encoding: "utf8" })
  return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" }
}

const ghOk = (args: ReadonlyArray<string>): string => {
  const r = gh(args)
  if (r.code !== 0) fail(`gh ${args.slice(0, 3).join(" ")} failed (${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}

const ghJson = (args: ReadonlyArray<string>): unknown => JSON.parse(ghOk(args) || "null")

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const field = (u: unknown, key: string): unknown => (isRecord(u) ? u[key] : undefined)
const str = (u: unknown): string => (typeof u === "string" ? u : typeof u === "number" ? String(u) : "")

/** Cut a body to GitHub's limit, saying so at the end. */
export const cutBody = (body: string, note: string, limit = GITHUB_BODY_LIMIT): string => {
  if (body.length <= limit) return body
  const tail = `\n\n_${note}_\n`
  return body.slice(0, limit - tail.length) + tail
}

// --- changed ---------------------------------------------------------------------------------

const changed = () => {
  const base = env("BASE_SHA")
  const head = env("HEAD_SHA")
  const r = spawnSync("git", [
    "-C",
    env("WORKSPACE", "."),
    "diff",
    "--name-only",
    `${base}...${head}`,
    "--",
    "desired-state"
  ], {
    encoding: "utf8"
  })
  if (r.status !== 0) fail(`git diff ${base}...${head} failed: ${r.stderr}`)
  output("changed", r.stdout.trim() === "" ? "false" : "true")
}

// --- split-plan ------------------------------------------------------------------------------

const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

const splitPlan = (file: string, dir: string) => {
  const document: unknown = JSON.parse(readFileSync(file, "utf8"))
  const plans = Array.isArray(document) ? document : [document]
  mkdirSync(dir, { recursive: true })
  const sites: Array<string> = []
  for (const plan of plans) {
    const site = str(field(plan, "site"))
    if (!SITE_NAME.test(site)) fail(`plan with an unusable site name ${JSON.stringify(site)}`)
    writeFileSync(join(dir, `${site}.json`), `${JSON.stringify(plan, null, 2)}\n`)
    sites.push(site)
  }
  writeFileSync(join(dir, "sites.json"), `${JSON.stringify(sites)}\n`)
  output("sites", JSON.stringify(sites))
}

// --- publish-plan ----------------------------------------------------------------------------

const SANDBOX_NOTE = "> [!NOTE]\n> Planned against the **embedded sandbox**, not the firewall: the live state is " +
  "the sandbox's seed (`.github/opnsense-snapshot.yaml` when present), so this plan cannot be applied as it is.\n"

const publishPlan = (planFile: string) => {
  const repo = env("GITHUB_REPOSITORY")
  const pr = env("PR")
  const fork = env("FORK", "false") === "true"
  const sandbox = env("SANDBOX", "false") === "true"
  const bot = env("BOT_LOGIN", "github-actions[bot]")
  const plan = readFileSync(planFile, "utf8")
  const body = cutBody(
    `${PLAN_MARKER}\n${sandbox ? `${SANDBOX_NOTE}\n` : ""}${plan}`,
    "Cut to GitHub's comment limit; the plan artifact has every change."
  )
  summary(body)
  if (fork) {
    // a fork's run has a read-only token: a comment would fail with 403
    output("published", "summary")
    return
  }
  const pages = ghJson(["api", `repos/${repo}/issues/${pr}/comments`, "--paginate", "--slurp"])
  const comments = Array.isArray(pages) ? pages.flat() : []
  // only our own comment: anyone can post a comment that starts with the marker
  const ours = comments.find((c) =>
    str(field(field(c, "user"), "login")) === bot && str(field(c, "body")).startsWith(PLAN_MARKER)
  )
  if (ours !== undefined) {
    ghOk(["api", "-X", "PATCH", `repos/${repo}/issues/comments/${str(field(ours, "id"))}`, "-f", `body=${body}`])
    output("published", "updated")
  } else {
    ghOk(["api", "-X", "POST", `repos/${repo}/issues/${pr}/comments`, "-f", `body=${body}`])
    output("published", "created")
  }
}

// --- find-reviewed ---------------------------------------------------------------------------

interface PullRequest {
  readonly number: string
  readonly headSha: string
  readonly headRepo: string
}

const toPull = (u: unknown): PullRequest => ({
  number: str(field(u, "number")),
  headSha: str(field(field(u, "head"), "sha")),
  headRepo: str(field(field(field(u, "head"), "repo"), "full_name"))
})

/** The PR number a squash or merge commit's subject names: "Title (#12)" or "Merge pull request #12 from …". */
export const prFromSubject = (subject: string): string | undefined =>
  /\(#(\d+)\)\s*$/.exec(subject)?.[1] ?? /^Merge pull request #(\d+) /.exec(subject)?.[1]

const findReviewed = () => {
  const repo = env("GITHUB_REPOSITORY")
  const sha = env("SHA")
  const requested = process.env["INPUT_PR"] ?? ""
  const attempts = Number(env("LOOKUP_ATTEMPTS", "6"))
  const backoff = Number(env("LOOKUP_BACKOFF_MS", "2000"))
  let pull: PullRequest | undefined
  if (requested !== "") {
    if (!/^\d+$/.test(requested)) fail(`pr must be a number, not ${JSON.stringify(requested)}`)
    const p = ghJson(["api", `repos/${repo}/pulls/${requested}`])
    if (field(p, "merged") !== true) fail(`pull request #${requested} is not merged: nothing reviewed to apply`)
    pull = toPull(p)
  } else {
    // commits/<sha>/pulls can be empty for a few seconds after a squash merge
    for (let attempt = 1; attempt <= attempts && pull === undefined; attempt++) {
      const list = ghJson(["api", `repos/${repo}/commits/${sha}/pulls`])
      const found = Array.isArray(list)
        ? list.find((p) => str(field(p, "merge_commit_sha")) === sha) ?? list[0]
        : undefined
      if (found !== undefined) pull = toPull(found)
      else if (attempt < attempts) sleep(backoff * 2 ** (attempt - 1))
    }
    if (pull === undefined) {
      // the push event's head_commit.message: its first line is the subject
      const number = prFromSubject(env("SUBJECT", "").split("\n")[0] ?? "")
      if (number === undefined) fail(`no pull request for ${sha}: push to main without review`)
      const p = ghJson(["api", `repos/${repo}/pulls/${number}`])
      if (str(field(p, "merge_commit_sha")) !== sha) {
        fail(`pull request #${number} named in the commit subject was not merged as ${sha}`)
      }
      pull = toPull(p)
    }
  }
  const { headRepo, headSha, number } = pull
  if (headRepo !== "" && headRepo !== repo) {
    // a fork's plan ran against the sandbox and was never uploaded: there is no reviewed plan
    fail(
      `pull request #${number} came from the fork ${headRepo}: only a sandbox plan was made for it. ` +
        "Bring the change in through a branch of this repository (docs/gitops.md, Pull requests from forks)."
    )
  }
  // the runs of the plan workflow for exactly the reviewed commit (no branch, no 50-run window)
  const runs = ghJson([
    "run",
    "list",
    "--workflow",
    "gitops-plan.yml",
    "--commit",
    headSha,
    "--json",
    "databaseId,headSha,conclusion,event",
    "--limit",
    "100"
  ])
  const run = Array.isArray(runs)
    ? runs.find((r) =>
      field(r, "conclusion") === "success" && field(r, "headSha") === headSha && field(r, "event") === "pull_request"
    )
    : undefined
  if (run === undefined) fail(`no successful gitops-plan run for pull request #${number} at ${headSha}`)
  const runId = str(field(run, "databaseId"))
  const dir = env("PLAN_DIR", "reviewed")
  ghOk(["run", "download", runId, "--name", `plan-${number}`, "--dir", dir])
  const sites: unknown = JSON.parse(readFileSync(join(dir, "plans", "sites.json"), "utf8"))
  if (!Array.isArray(sites) || sites.length === 0) fail("the reviewed plan has no sites")
  output("pr", number)
  output("run_id", runId)
  output("sites", JSON.stringify(sites))
}

// --- report-apply ----------------------------------------------------------------------------

const reportApply = () => {
  const repo = env("GITHUB_REPOSITORY")
  const pr = env("PR")
  const site = env("SITE", "")
  const result = env("RESULT")
  const runUrl = env("RUN_URL", "")
  const where = site === "" ? "" : ` for site \`${site}\``
  const rerun = `Re-apply with the **gitops-apply** workflow's "Run workflow" button and \`pr: ${pr}\`.`
  let text: string
  if (result === "3") {
    const replan = process.env["REPLAN_FILE"] ? readFileSync(env("REPLAN_FILE"), "utf8") : ""
    text = `The reviewed plan${where} was **refused** (exit 3) and nothing was applied: the firewall or ` +
      "`main` changed since the plan was made, or the plan holds a blocked change. Open a pull request " +
      `to review the current plan${replan === "" ? "." : ":"}\n\n${replan}`
  } else if (result === "cancelled") {
    text = `The apply${where} of this pull request was **cancelled** (a newer merge took its place in the ` +
      `queue, or someone cancelled the run); its reviewed plan may not be applied. ${rerun}`
  } else if (result === "0" || result === "success" || result === "skipped") {
    output("reported", "false")
    return
  } else {
    text = `The apply${where} **failed** (${result}); see the run's log and the DATA_DIR on the runner. ${rerun}`
  }
  const body = cutBody(`${text}${runUrl === "" ? "" : `\n\nRun: ${runUrl}`}\n`, "Cut to GitHub's comment limit.")
  summary(body)
  ghOk(["api", "-X", "POST", `repos/${repo}/issues/${pr}/comments`, "-f", `body=${body}`])
  output("reported", "true")
}

// --- drift-issue -----------------------------------------------------------------------------

/** The report without what changes on every run (the "checked <time>" of each site's header). */
export const driftIdentity = (report: string): string => report.replace(/ · checked \d{4}-\d\d-\d\dT[\d:.]+Z/g, "")

const driftIssue = (reportFile: string) => {
  const repo = env("GITHUB_REPOSITORY")
  const code = env("CODE")
  const runId = env("GITHUB_RUN_ID", "")
  const label = env("DRIFT_LABEL", "drift")
  const open = ghJson(["issue", "list", "--repo", repo, "--state", "open", "--label", label, "--json", "number"])
  const number = Array.isArray(open) && open.length > 0 ? str(field(open[0], "number")) : ""
  if (code === "0") {
    if (number !== "") {
      ghOk(["issue", "close", number, "--repo", repo, "--comment", `Drift cleared (run ${runId}).`])
      output("drift", "closed")
    } else output("drift", "none")
    return
  }
  if (code !== "2") fail(`drift exited ${code}`)
  const report = readFileSync(reportFile, "utf8")
  const digest = createHash("sha256").update(driftIdentity(report)).digest("hex").slice(0, 16)
  const marker = `${DRIFT_MARKER} ${digest} -->`
  const body = cutBody(
    `${marker}\nDrift found by run ${runId}:\n\n\`\`\`\n${report}\n\`\`\`\n`,
    `Cut to GitHub's limit: the full report is in run ${runId}'s log.`
  )
  if (number === "") {
    // `gh issue create --label` fails while the label does not exist; --force makes this idempotent
    ghOk(["label", "create", label, "--repo", repo, "--color", "D93F0B", "--description", "Firewall drift", "--force"])
    ghOk(["issue", "create", "--repo", repo, "--title", "Firewall drift detected", "--label", label, "--body", body])
    output("drift", "opened")
    return
  }
  const issue = ghJson(["issue", "view", number, "--repo", repo, "--json", "body,comments"])
  const comments = field(issue, "comments")
  const texts = [
    str(field(issue, "body")),
    ...(Array.isArray(comments) ? comments.map((c) => str(field(c, "body"))) : [])
  ]
  const last = texts.filter((t) => t.startsWith(DRIFT_MARKER)).at(-1)
  if (last?.startsWith(marker) === true) {
    output("drift", "unchanged")
    return
  }
  ghOk(["issue", "comment", number, "--repo", repo, "--body", body])
  output("drift", "commented")
}

// --- main ------------------------------------------------------------------------------------

const commands: Record<string, (args: ReadonlyArray<string>) => void> = {
  "changed": () => changed(),
  "split-plan": (a) => splitPlan(a[0] ?? "plan.json", a[1] ?? "plans"),
  "publish-plan": (a) => publishPlan(a[0] ?? "plan.md"),
  "find-reviewed": () => findReviewed(),
  "report-apply": () => reportApply(),
  "drift-issue": (a) => driftIssue(a[0] ?? "drift.txt")
}

export const commandNames: ReadonlyArray<string> = Object.keys(commands)

export const main = (argv: ReadonlyArray<string>): number => {
  const [name, ...rest] = argv
  const command = name === undefined ? undefined : commands[name]
  if (command === undefined) {
    process.stderr.write(`usage: gitops.ts ${Object.keys(commands).join("|")} [args]\n`)
    return 64
  }
  try {
    command(rest)
    return 0
  } catch (e) {
    if (!(e instanceof Failure)) throw e
    process.stdout.write(`::error::${e.message}\n`)
    return 1
  }
}

// run as a script (`node .github/scripts/gitops.ts …`), not when a test imports it
const entry = process.argv[1]
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) process.exitCode = main(process.argv.slice(2))

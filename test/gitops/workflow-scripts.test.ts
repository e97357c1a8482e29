/**
 * The decisions of the gitops-* workflows (.github/scripts/gitops.ts), each branch run against a
 * fake `gh` on PATH (./workflow-gh.ts) that records what the script asked GitHub and answers from
 * fixtures. This is tested against the fake only: what GitHub itself does (token permissions of a
 * fork, concurrency, runners) is not exercised here.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import {
  cutBody,
  driftIdentity,
  GITHUB_BODY_LIMIT,
  main,
  PLAN_MARKER,
  prFromSubject
} from "../../.github/scripts/gitops.ts"
import { fakeGh, type GhRule } from "./workflow-gh.ts"

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const tmp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

interface Result {
  readonly code: number
  readonly outputs: Record<string, string>
  readonly summary: string
  readonly calls: ReadonlyArray<ReadonlyArray<string>>
}

/** One workflow step: the script with this environment and a fake gh answering by these rules. */
const step = (args: ReadonlyArray<string>, env: Record<string, string>, rules: ReadonlyArray<GhRule> = []): Result => {
  const gh = fakeGh(rules)
  cleanups.push(gh.close)
  const work = tmp("gitops-step-")
  const outputFile = join(work, "output")
  const summaryFile = join(work, "summary")
  writeFileSync(outputFile, "")
  writeFileSync(summaryFile, "")
  const saved = { ...process.env }
  Object.assign(process.env, {
    PATH: `${gh.dir}:${process.env["PATH"] ?? ""}`,
    FAKE_GH_DIR: gh.dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: "acme/firewall",
    GITHUB_RUN_ID: "900",
    LOOKUP_BACKOFF_MS: "1",
    ...env
  })
  let code: number
  try {
    code = main(args)
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
  const outputs = Object.fromEntries(
    readFileSync(outputFile, "utf8").split("\n").filter((l) => l.includes("=")).map((l) => {
      const at = l.indexOf("=")
      return [l.slice(0, at), l.slice(at + 1)]
    })
  )
  return { code, outputs, summary: readFileSync(summaryFile, "utf8"), calls: gh.calls() }
}

const bodyOf = (call: ReadonlyArray<string>) => {
  const f = call.find((a) => a.startsWith("body="))
  if (f !== undefined) return f.slice("body=".length)
  const i = call.indexOf("--body")
  return i < 0 ? "" : call[i + 1] ?? ""
}

describe("the script as the workflows run it", () => {
  it("runs with `node` (types stripped) and writes its outputs to $GITHUB_OUTPUT", () => {
    const dir = tmp("as-run-")
    writeFileSync(join(dir, "plan.json"), JSON.stringify({ site: "default" }))
    writeFileSync(join(dir, "out"), "")
    const r = spawnSync(process.execPath, [resolve(".github/scripts/gitops.ts"), "split-plan", "plan.json", "plans"], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env["PATH"] ?? "", GITHUB_OUTPUT: join(dir, "out") }
    })
    expect(r.status, r.stderr).toBe(0)
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("sites=[\"default\"]\n")
    expect(spawnSync(process.execPath, [resolve(".github/scripts/gitops.ts")], { encoding: "utf8" }).status).toBe(64)
  })
})

describe("split-plan: one plan file and one apply job per site", () => {
  it("splits the array `plan --out` writes for several sites into plans/<site>.json", () => {
    const dir = tmp("split-")
    const plans = [{ site: "edge", planId: "a", changes: [] }, { site: "core", planId: "b", changes: [] }]
    writeFileSync(join(dir, "plan.json"), JSON.stringify(plans))
    const r = step(["split-plan", join(dir, "plan.json"), join(dir, "plans")], {})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.outputs["sites"] ?? "")).toEqual(["edge", "core"])
    expect(JSON.parse(readFileSync(join(dir, "plans", "edge.json"), "utf8"))).toEqual(plans[0])
    expect(JSON.parse(readFileSync(join(dir, "plans", "core.json"), "utf8"))).toEqual(plans[1])
    expect(JSON.parse(readFileSync(join(dir, "plans", "sites.json"), "utf8"))).toEqual(["edge", "core"])
  })

  it("takes the single plan of a one-site repository as it is", () => {
    const dir = tmp("split-")
    writeFileSync(join(dir, "plan.json"), JSON.stringify({ site: "default", planId: "a" }))
    const r = step(["split-plan", join(dir, "plan.json"), join(dir, "plans")], {})
    expect(r.outputs["sites"]).toBe("[\"default\"]")
    expect(existsSync(join(dir, "plans", "default.json"))).toBe(true)
  })

  it("refuses a site name that is not a plain file name", () => {
    const dir = tmp("split-")
    writeFileSync(join(dir, "plan.json"), JSON.stringify([{ site: "../x" }]))
    expect(step(["split-plan", join(dir, "plan.json"), join(dir, "plans")], {}).code).toBe(1)
  })
})

describe("publish-plan: one comment for same-repository pull requests, the job summary for forks", () => {
  const planFile = () => {
    const dir = tmp("plan-")
    writeFileSync(join(dir, "plan.md"), "### OPNsense plan for site `default`\n")
    return join(dir, "plan.md")
  }
  const comments = (list: ReadonlyArray<{ id: number; login: string; body: string }>): GhRule => ({
    match: "^api repos/acme/firewall/issues/5/comments --paginate --slurp$",
    stdout: [list.map((c) => ({ id: c.id, user: { login: c.login }, body: c.body }))]
  })

  it("a fork: the plan goes to the job summary, and no GitHub API is called (its token is read-only)", () => {
    const r = step(["publish-plan", planFile()], { PR: "5", FORK: "true", SANDBOX: "true" })
    expect(r.code).toBe(0)
    expect(r.outputs["published"]).toBe("summary")
    expect(r.calls).toEqual([])
    expect(r.summary).toContain("### OPNsense plan")
    expect(r.summary).toContain("embedded sandbox")
  })

  it("updates the bot's own marked comment, not a marked comment someone else wrote", () => {
    const r = step(["publish-plan", planFile()], { PR: "5", FORK: "false" }, [
      comments([
        { id: 1, login: "mallory", body: `${PLAN_MARKER}\nfake plan` },
        { id: 2, login: "github-actions[bot]", body: `${PLAN_MARKER}\nold plan` }
      ]),
      { match: "^api -X PATCH repos/acme/firewall/issues/comments/2 " }
    ])
    expect(r.code).toBe(0)
    expect(r.outputs["published"]).toBe("updated")
    const patch = r.calls[1] ?? []
    expect(bodyOf(patch)).toMatch(new RegExp(`^${PLAN_MARKER}\\n### OPNsense plan`))
    expect(bodyOf(patch)).not.toContain("sandbox")
  })

  it("posts a new comment when only someone else's carries the marker", () => {
    const r = step(["publish-plan", planFile()], { PR: "5", FORK: "false" }, [
      comments([{ id: 1, login: "mallory", body: `${PLAN_MARKER}\nfake plan` }]),
      { match: "^api -X POST repos/acme/firewall/issues/5/comments " }
    ])
    expect(r.outputs["published"]).toBe("created")
    expect(r.calls.map((c) => c.slice(0, 3).join(" "))).toEqual([
      "api repos/acme/firewall/issues/5/comments --paginate",
      "api -X POST"
    ])
  })

  it("a sandbox plan says so at the top of the comment", () => {
    const r = step(["publish-plan", planFile()], { PR: "5", FORK: "false", SANDBOX: "true" }, [
      comments([]),
      { match: "^api -X POST " }
    ])
    expect(bodyOf(r.calls[1] ?? [])).toMatch(
      /^<!-- opnsense-mcp plan -->\n> \[!NOTE\]\n> Planned against the \*\*embedded sandbox/
    )
  })

  it("fails the step when GitHub refuses the comment", () => {
    const r = step(["publish-plan", planFile()], { PR: "5", FORK: "false" }, [
      comments([]),
      { match: "^api -X POST ", code: 1, stderr: "HTTP 403" }
    ])
    expect(r.code).toBe(1)
  })
})

describe("find-reviewed: the merged pull request and its plan run", () => {
  const SHA = "a".repeat(40)
  const HEAD = "b".repeat(40)
  const planDir = () => tmp("reviewed-")
  const runAndDownload = (dir: string, pr: number): ReadonlyArray<GhRule> => [
    {
      match: `^run list --workflow gitops-plan.yml --commit ${HEAD} `,
      stdout: [
        { databaseId: 70, headSha: HEAD, conclusion: "failure", event: "pull_request" },
        { databaseId: 71, headSha: HEAD, conclusion: "success", event: "pull_request" }
      ]
    },
    {
      match: `^run download 71 --name plan-${pr} --dir `,
      files: { [join(dir, "plans", "sites.json")]: "[\"edge\",\"core\"]" }
    }
  ]
  const pull = (number: number, merge: string) => ({
    number,
    head: { sha: HEAD },
    merge_commit_sha: merge,
    merged: true
  })

  it("retries commits/<sha>/pulls with backoff while it is empty after a squash merge", () => {
    const dir = planDir()
    const r = step(["find-reviewed"], { SHA, PLAN_DIR: dir }, [
      { match: `^api repos/acme/firewall/commits/${SHA}/pulls$`, stdout: [], times: 2 },
      { match: `^api repos/acme/firewall/commits/${SHA}/pulls$`, stdout: [pull(12, SHA)] },
      ...runAndDownload(dir, 12)
    ])
    expect(r.code, JSON.stringify(r.calls)).toBe(0)
    expect(r.outputs).toMatchObject({ pr: "12", run_id: "71", sites: "[\"edge\",\"core\"]" })
    expect(r.calls.filter((c) => c[1]?.endsWith("/pulls"))).toHaveLength(3)
    // runs are searched by the reviewed commit, not in a window of a branch's last 50 runs
    expect(r.calls[3]).toContain("--commit")
    expect(r.calls[3]).not.toContain("--branch")
  })

  it("falls back to the (#N) of the squash subject when the lookup stays empty", () => {
    const dir = planDir()
    const r = step(["find-reviewed"], {
      SHA,
      PLAN_DIR: dir,
      LOOKUP_ATTEMPTS: "3",
      SUBJECT: "Open NTP (#12)\n\n* squashed commit\n* (#3)"
    }, [
      { match: "/commits/.*/pulls$", stdout: [] },
      { match: "^api repos/acme/firewall/pulls/12$", stdout: pull(12, SHA) },
      ...runAndDownload(dir, 12)
    ])
    expect(r.code).toBe(0)
    expect(r.outputs["pr"]).toBe("12")
    expect(r.calls.filter((c) => c[1]?.includes("/commits/"))).toHaveLength(3)
  })

  it("refuses when the subject's pull request was not merged as this commit", () => {
    const r = step(["find-reviewed"], { SHA, LOOKUP_ATTEMPTS: "1", SUBJECT: "Open NTP (#12)" }, [
      { match: "/commits/.*/pulls$", stdout: [] },
      { match: "/pulls/12$", stdout: pull(12, "c".repeat(40)) }
    ])
    expect(r.code).toBe(1)
    expect(r.calls.some((c) => c[0] === "run")).toBe(false)
  })

  it("refuses a push to main without a pull request", () => {
    const r = step(["find-reviewed"], { SHA, LOOKUP_ATTEMPTS: "2", SUBJECT: "hotfix" }, [
      { match: "/commits/.*/pulls$", stdout: [] }
    ])
    expect(r.code).toBe(1)
    expect(r.calls).toHaveLength(2)
  })

  it("refuses when no successful plan run exists for the reviewed commit", () => {
    const r = step(["find-reviewed"], { SHA }, [
      { match: "/commits/.*/pulls$", stdout: [pull(12, SHA)] },
      { match: "^run list ", stdout: [{ databaseId: 70, headSha: HEAD, conclusion: "failure", event: "pull_request" }] }
    ])
    expect(r.code).toBe(1)
  })

  it("workflow_dispatch: re-applies the reviewed plan of a merged pull request named by number", () => {
    const dir = planDir()
    const r = step(["find-reviewed"], { SHA, INPUT_PR: "12", PLAN_DIR: dir }, [
      { match: "^api repos/acme/firewall/pulls/12$", stdout: pull(12, SHA) },
      ...runAndDownload(dir, 12)
    ])
    expect(r.code).toBe(0)
    expect(r.outputs["pr"]).toBe("12")
    expect(r.calls.some((c) => c[1]?.includes("/commits/"))).toBe(false)
  })

  it("refuses a merged fork pull request: its plan was a sandbox plan, never uploaded", () => {
    const fork = { ...pull(14, SHA), head: { sha: HEAD, repo: { full_name: "mallory/firewall" } } }
    const r = step(["find-reviewed"], { SHA }, [{ match: "/commits/.*/pulls$", stdout: [fork] }])
    expect(r.code).toBe(1)
    expect(r.calls.some((c) => c[0] === "run")).toBe(false)
    const same = { ...pull(14, SHA), head: { sha: HEAD, repo: { full_name: "acme/firewall" } } }
    const dir = planDir()
    const ok = step(["find-reviewed"], { SHA, PLAN_DIR: dir }, [
      { match: "/commits/.*/pulls$", stdout: [same] },
      ...runAndDownload(dir, 14)
    ])
    expect(ok.code).toBe(0)
  })

  it("workflow_dispatch refuses a pull request that is not merged", () => {
    const r = step(["find-reviewed"], { SHA, INPUT_PR: "13" }, [
      { match: "/pulls/13$", stdout: { ...pull(13, ""), merged: false } }
    ])
    expect(r.code).toBe(1)
  })

  it("reads the pull request number of squash and merge subjects", () => {
    expect(prFromSubject("Open NTP (#12)")).toBe("12")
    expect(prFromSubject("Merge pull request #7 from acme/ntp")).toBe("7")
    expect(prFromSubject("Mention (#12) in the middle")).toBeUndefined()
  })
})

describe("report-apply: refused, failed and cancelled applies are said on the pull request", () => {
  const post = { match: "^api -X POST repos/acme/firewall/issues/12/comments " }

  it("exit 3 says the plan was refused, without claiming the firewall changed", () => {
    const dir = tmp("replan-")
    writeFileSync(join(dir, "replan.md"), "### OPNsense plan for site `edge`\n")
    const r = step(["report-apply"], { PR: "12", SITE: "edge", RESULT: "3", REPLAN_FILE: join(dir, "replan.md") }, [
      post
    ])
    expect(r.code).toBe(0)
    const body = bodyOf(r.calls[0] ?? [])
    expect(body).toContain("for site `edge` was **refused** (exit 3)")
    expect(body).toContain("or the plan holds a blocked change")
    expect(body).not.toContain("(the firewall changed)")
    expect(body).toContain("### OPNsense plan for site `edge`")
  })

  it("a cancelled apply is reported with how to re-apply it", () => {
    const r = step(["report-apply"], { PR: "12", RESULT: "cancelled", RUN_URL: "https://example.org/run/1" }, [post])
    const body = bodyOf(r.calls[0] ?? [])
    expect(body).toContain("**cancelled**")
    expect(body).toContain("`pr: 12`")
    expect(body).toContain("Run: https://example.org/run/1")
  })

  it("a success says nothing", () => {
    const r = step(["report-apply"], { PR: "12", RESULT: "success" })
    expect(r.calls).toEqual([])
    expect(r.outputs["reported"]).toBe("false")
  })
})

describe("drift-issue: open, comment on change only, close when clean", () => {
  const reportFile = (text: string) => {
    const dir = tmp("drift-")
    writeFileSync(join(dir, "drift.txt"), text)
    return join(dir, "drift.txt")
  }
  const noneOpen: GhRule = { match: "^issue list ", stdout: [] }
  const oneOpen: GhRule = { match: "^issue list ", stdout: [{ number: 4 }] }

  it("creates the label before the first issue (create fails while the label does not exist)", () => {
    const r = step(["drift-issue", reportFile("~ alias dns_servers\n")], { CODE: "2" }, [
      noneOpen,
      { match: "^label create drift .*--force$" },
      { match: "^issue create .*--label drift " }
    ])
    expect(r.code).toBe(0)
    expect(r.outputs["drift"]).toBe("opened")
    expect(r.calls.map((c) => `${c[0]} ${c[1]}`)).toEqual(["issue list", "label create", "issue create"])
    expect(bodyOf(r.calls[2] ?? [])).toContain("~ alias dns_servers")
  })

  it("does not comment again while the drift is the same", () => {
    const first = step(["drift-issue", reportFile("~ alias dns_servers\n")], { CODE: "2" }, [
      noneOpen,
      { match: "^label create " },
      { match: "^issue create " }
    ])
    const openedBody = bodyOf(first.calls[2] ?? [])
    const r = step(["drift-issue", reportFile("~ alias dns_servers\n")], { CODE: "2" }, [
      oneOpen,
      { match: "^issue view 4 ", stdout: { body: openedBody, comments: [] } }
    ])
    expect(r.code).toBe(0)
    expect(r.outputs["drift"]).toBe("unchanged")
    expect(r.calls.some((c) => c[1] === "comment")).toBe(false)
  })

  it("the same drift checked at another time is the same drift (the header's time is not compared)", () => {
    const at = (time: string) => `Site default · OPNsense 26.7.5 · checked ${time}\n\n  ~ rule iot-dns changed\n`
    expect(driftIdentity(at("2026-01-01T00:00:00.000Z"))).toBe(driftIdentity(at("2026-01-01T06:17:03.123Z")))
    const first = step(["drift-issue", reportFile(at("2026-01-01T00:00:00.000Z"))], { CODE: "2" }, [
      noneOpen,
      { match: "^label create " },
      { match: "^issue create " }
    ])
    const r = step(["drift-issue", reportFile(at("2026-01-01T06:17:03.123Z"))], { CODE: "2" }, [
      oneOpen,
      { match: "^issue view 4 ", stdout: { body: bodyOf(first.calls[2] ?? []), comments: [] } }
    ])
    expect(r.outputs["drift"]).toBe("unchanged")
  })

  it("comments when the drift changed since the last report", () => {
    const first = step(["drift-issue", reportFile("~ alias dns_servers\n")], { CODE: "2" }, [
      noneOpen,
      { match: "^label create " },
      { match: "^issue create " }
    ])
    const r = step(["drift-issue", reportFile("~ alias dns_servers\n- rule icmp\n")], { CODE: "2" }, [
      oneOpen,
      { match: "^issue view 4 ", stdout: { body: bodyOf(first.calls[2] ?? []), comments: [{ body: "a human note" }] } },
      { match: "^issue comment 4 " }
    ])
    expect(r.outputs["drift"]).toBe("commented")
    expect(bodyOf(r.calls[2] ?? [])).toContain("- rule icmp")
  })

  it("closes the open issue when drift clears, and does nothing when there is none", () => {
    const closed = step(["drift-issue", "/nonexistent"], { CODE: "0" }, [oneOpen, { match: "^issue close 4 " }])
    expect(closed.outputs["drift"]).toBe("closed")
    expect(closed.calls[1]).toContain("--comment")
    const none = step(["drift-issue", "/nonexistent"], { CODE: "0" }, [noneOpen])
    expect(none.outputs["drift"]).toBe("none")
    expect(none.calls).toHaveLength(1)
  })

  it("cuts a huge report to GitHub's body limit", () => {
    const r = step(["drift-issue", reportFile("~ rule x\n".repeat(20_000))], { CODE: "2" }, [
      noneOpen,
      { match: "^label create " },
      { match: "^issue create " }
    ])
    const body = bodyOf(r.calls[2] ?? [])
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT)
    expect(body).toContain("Cut to GitHub's limit")
  })

  it("fails on a drift error (exit 1) without touching the issue", () => {
    const r = step(["drift-issue", "/nonexistent"], { CODE: "1" }, [oneOpen])
    expect(r.code).toBe(1)
    expect(r.calls.some((c) => c[1] === "close" || c[1] === "comment")).toBe(false)
  })

  it("cutBody leaves a body within the limit alone", () => {
    expect(cutBody("short", "x")).toBe("short")
  })
})

describe("changed: the job decides, not a `paths` filter (a required check must always report)", () => {
  const repo = () => {
    const root = tmp("changed-")
    const git = (...args: ReadonlyArray<string>) =>
      execFileSync("git", args, {
        cwd: root,
        encoding: "utf8",
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: "/nonexistent",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@example.org",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@example.org"
        }
      }).trim()
    git("init", "--quiet", "--initial-branch=main")
    mkdirSync(join(root, "desired-state"))
    writeFileSync(join(root, "desired-state", "a.yaml"), "aliases: []\n")
    writeFileSync(join(root, "README.md"), "x\n")
    git("add", "--all")
    git("commit", "--quiet", "-m", "base")
    return { root, git }
  }

  it("true when the pull request touches desired-state/, false otherwise", () => {
    const { root, git } = repo()
    const base = git("rev-parse", "HEAD")
    writeFileSync(join(root, "README.md"), "y\n")
    git("commit", "--quiet", "-am", "docs")
    const docs = git("rev-parse", "HEAD")
    expect(step(["changed"], { WORKSPACE: root, BASE_SHA: base, HEAD_SHA: docs }).outputs["changed"]).toBe("false")
    writeFileSync(join(root, "desired-state", "a.yaml"), "aliases: [] # x\n")
    git("commit", "--quiet", "-am", "yaml")
    const yaml = git("rev-parse", "HEAD")
    expect(step(["changed"], { WORKSPACE: root, BASE_SHA: base, HEAD_SHA: yaml }).outputs["changed"]).toBe("true")
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as GitOps from "../../src/GitOps.ts"

const git = (cwd: string, ...args: Array<string>) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t"
    }
  }).trim()

/** A repository whose desired state lives in a sub-folder, like a real project's `desired-state/`. */
const makeRepo = () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-test-"))
  git(root, "init", "--quiet", "--initial-branch", "main")
  const dir = path.join(root, "desired-state")
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, "vlans.yaml"), "# our VLANs\nvlans: []\n")
  fs.writeFileSync(path.join(root, "README.md"), "outside the desired state\n")
  git(root, "add", ".")
  git(root, "commit", "--quiet", "-m", "initial")
  return { root, dir }
}

const gitops = GitOps.make({ name: "Agent Smith", email: "agent@example.test" })

describe("GitOps", () => {
  it.effect("commits an edit on a new branch without touching the checkout", () =>
    Effect.gen(function*() {
      const { dir, root } = makeRepo()
      const result = yield* gitops.onNewBranch(
        { dir, branch: "mcp/add-iot", message: "Add the iot VLAN\n\nBecause IoT needs its own segment." },
        (work) =>
          Effect.promise(async () => {
            await fs.promises.writeFile(path.join(work, "vlans.yaml"), "# our VLANs\nvlans:\n  - name: iot\n")
            return "edited"
          })
      )
      expect(result.result).toBe("edited")
      expect(result.files).toEqual(["desired-state/vlans.yaml"])
      expect(result.diff).toContain("+  - name: iot")
      expect(git(root, "rev-parse", "mcp/add-iot")).toBe(result.commit)
      expect(git(root, "log", "-1", "--format=%an <%ae>|%s", "mcp/add-iot")).toBe(
        "Agent Smith <agent@example.test>|Add the iot VLAN"
      )
      // the user's checkout is untouched: same branch, same file, clean status, no stray worktree
      expect(git(root, "symbolic-ref", "--short", "HEAD")).toBe("main")
      expect(fs.readFileSync(path.join(dir, "vlans.yaml"), "utf8")).toBe("# our VLANs\nvlans: []\n")
      expect(git(root, "status", "--porcelain")).toBe("")
      expect(git(root, "worktree", "list").split("\n")).toHaveLength(1)
    }))

  it.effect("deletes the branch again when the edit fails, and refuses an empty change", () =>
    Effect.gen(function*() {
      const { dir, root } = makeRepo()
      const failed = yield* Effect.exit(
        gitops.onNewBranch({ dir, branch: "mcp/broken", message: "x" }, () => Effect.fail("boom" as const))
      )
      expect(Exit.isFailure(failed)).toBe(true)
      expect(git(root, "branch", "--list", "mcp/broken")).toBe("")
      const empty = yield* Effect.flip(gitops.onNewBranch({ dir, branch: "mcp/noop", message: "x" }, () => Effect.void))
      expect(empty._tag).toBe("NothingToCommit")
      expect(git(root, "branch", "--list", "mcp/noop")).toBe("")
    }))

  it.effect("refuses bad and existing branch names", () =>
    Effect.gen(function*() {
      const { dir } = makeRepo()
      for (const branch of ["-x", "a..b", "main", "a b", "x.lock", "$(touch pwned)"]) {
        const error = yield* Effect.flip(gitops.onNewBranch({ dir, branch, message: "x" }, () => Effect.void))
        expect(error._tag).toBe("BranchRefused")
      }
      expect(fs.existsSync(path.join(dir, "pwned"))).toBe(false)
    }))

  it.effect("refuses names that shadow remote-tracking branches, tags and the default branch", () =>
    Effect.gen(function*() {
      const { dir, root } = makeRepo()
      const head = git(root, "rev-parse", "HEAD")
      git(root, "remote", "add", "upstream", "https://git.example.test/fw.git")
      git(root, "update-ref", "refs/remotes/upstream/trunk", head)
      git(root, "symbolic-ref", "refs/remotes/upstream/HEAD", "refs/remotes/upstream/trunk")
      git(root, "tag", "release")
      git(root, "branch", "team")
      const refused = {
        "upstream/trunk": "remote name",
        "upstream/new": "remote name",
        "Upstream/new": "remote name",
        trunk: "default branch",
        release: "refs/tags/release",
        "team/x": "clashes with the existing branch refs/heads/team",
        HEAD: "reserves",
        deadbeef: "commit id"
      }
      for (const [branch, why] of Object.entries(refused)) {
        const error = yield* Effect.flip(gitops.onNewBranch({ dir, branch, message: "x" }, () => Effect.void))
        expect(error._tag, branch).toBe("BranchRefused")
        expect(error._tag === "BranchRefused" ? error.message : "", branch).toContain(why)
      }
      expect(git(root, "for-each-ref", "--format=%(refname)", "refs/heads")).toBe("refs/heads/main\nrefs/heads/team")
      expect(git(root, "rev-parse", "upstream/trunk")).toBe(head)
      expect(yield* gitops.proposalBranch(dir, "add-iot", "x")).toBe("mcp/add-iot")
      expect(yield* gitops.proposalBranch(dir, "mcp/add-iot", "x")).toBe("mcp/add-iot")
      const bare = yield* Effect.flip(gitops.proposalBranch(dir, "upstream/add-iot", "x"))
      expect(bare._tag).toBe("BranchRefused")
    }))

  it.effect("never hands git a commit message with control characters", () =>
    Effect.gen(function*() {
      const { dir, root } = makeRepo()
      const write = (work: string) => Effect.promise(() => fs.promises.writeFile(path.join(work, "x.yaml"), "x: 1\n"))
      for (const message of ["Add \u001b[31mred\u001b[0m", "Add\r\nApproved-by: x", "Add \u202eevil"]) {
        const error = yield* Effect.flip(gitops.onNewBranch({ dir, branch: "mcp/msg", message }, write))
        expect(error._tag).toBe("MessageRefused")
      }
      expect(git(root, "branch", "--list", "mcp/msg")).toBe("")
      // an import quotes live descriptions in its message: written out visibly, not passed through
      const message = GitOps.importMessage({
        site: "default",
        files: [],
        counts: { vlan: 0, alias: 0, rule: 0 },
        skipped: ["legacy rule \"\u001b[2Kallow all\u202e\""]
      })
      expect(message).toContain("- legacy rule \"<U+001B>[2Kallow all<U+202E>\"")
      expect(GitOps.messageProblem(message)).toBeUndefined()
    }))

  it.effect("confines paths to the desired-state folder, symlinks included", () =>
    Effect.gen(function*() {
      const { dir, root } = makeRepo()
      fs.symlinkSync(root, path.join(dir, "link-out"))
      expect(yield* GitOps.resolveInside(dir, "site-a/rules.yaml")).toBe(path.join(dir, "site-a/rules.yaml"))
      for (const bad of ["../README.md", "/etc/passwd", "a/../../x.yaml", "link-out/README.md", ""]) {
        const error = yield* Effect.flip(GitOps.resolveInside(dir, bad))
        expect(error._tag).toBe("PathEscape")
      }
    }))

  it("names proposal branches from their summary", () => {
    expect(GitOps.proposalBranchName("Add VLAN iot + DNS rule!", new Date("2026-01-02T03:04:05Z"))).toBe(
      "mcp/add-vlan-iot-dns-rule-20260102030405"
    )
  })
})

/**
 * /version names the release tag (v<package version>) and the git tag at HEAD, read from .git
 * without a git process: lightweight and annotated tags, loose and packed.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import pkg from "../../package.json" with { type: "json" }
import { gitCommit, gitTag } from "../../src/Http/Commit.ts"
import { RELEASE_TAG } from "../../src/Version.ts"

const repo = () => {
  const dir = mkdtempSync(join(tmpdir(), "version-tag-"))
  const git = (...args: ReadonlyArray<string>) =>
    execFileSync("git", [...args], {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: dir,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.invalid",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.invalid"
      }
    }).trim()
  git("init", "-q", "-b", "main")
  const commit = () => {
    writeFileSync(join(dir, "f"), String(Math.random()))
    git("add", "f")
    git("commit", "-qm", "c")
    return git("rev-parse", "HEAD")
  }
  return { dir, git, commit }
}

describe("release tag", () => {
  it("is v<package version>, the tag CHANGELOG.md has an entry for", () => {
    expect(RELEASE_TAG).toBe(`v${pkg.version}`)
    const changelog = readFileSync(join(import.meta.dirname, "..", "..", "CHANGELOG.md"), "utf8")
    expect(changelog).toMatch(new RegExp(`^## \\[${RELEASE_TAG.replace(/\./g, "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}$`, "m"))
  })

  it("the git tag at HEAD: none, lightweight, annotated, packed; the highest version wins", () => {
    delete process.env["GIT_TAG"]
    const r = repo()
    const first = r.commit()
    r.git("tag", "v0.0.9")
    const head = r.commit()
    expect(gitCommit(r.dir)).toBe(head)
    expect(gitTag(head, r.dir)).toBeUndefined()
    expect(gitTag(first, r.dir)).toBe("v0.0.9")
    r.git("tag", "-a", "-m", "release", "v0.1.0")
    expect(gitTag(head, r.dir)).toBe("v0.1.0")
    expect(gitTag(head.slice(0, 9), r.dir)).toBe("v0.1.0")
    r.git("tag", "v0.1.10")
    expect(gitTag(head, r.dir)).toBe("v0.1.10")
    r.git("pack-refs", "--all")
    r.git("tag", "-d", "v0.1.10")
    expect(gitTag(head, r.dir)).toBe("v0.1.0")
    expect(gitTag(first, r.dir)).toBe("v0.0.9")
    expect(gitTag(head, join(r.dir, "nowhere"))).toBeUndefined()
  })

  it("$GIT_TAG wins (a deploy without .git)", () => {
    process.env["GIT_TAG"] = "v0.1.0"
    try {
      expect(gitTag(undefined, tmpdir())).toBe("v0.1.0")
    } finally {
      delete process.env["GIT_TAG"]
    }
  })
})

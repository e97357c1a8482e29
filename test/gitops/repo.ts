/**
 * A throw-away git repository standing in for the desired-state repository CI checks out, and the
 * runner's view of it: commands run with the repository root as working directory and the default
 * DESIRED_STATE_DIR (./desired-state), as the workflows run them.
 */
import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { SimulatorHandle } from "../../src/Simulator.ts"
import { type CliResult, runCli } from "../support/cli.ts"

export interface Repo {
  readonly root: string
  readonly git: (...args: ReadonlyArray<string>) => string
  readonly write: (path: string, content: string) => void
  readonly read: (path: string) => string
  /** one CI job: the CLI in the repository root with a DATA_DIR of its own (jobs share nothing) */
  readonly job: (name: string) => (...args: ReadonlyArray<string>) => Promise<CliResult>
  readonly close: () => void
}

const GIT_ENV = {
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  LC_ALL: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Reviewer",
  GIT_AUTHOR_EMAIL: "reviewer@example.org",
  GIT_COMMITTER_NAME: "Reviewer",
  GIT_COMMITTER_EMAIL: "reviewer@example.org"
}

export const makeRepo = (sim: SimulatorHandle, options: { readonly tree?: string } = {}): Repo => {
  const root = mkdtempSync(join(tmpdir(), "gitops-repo-"))
  const data = mkdtempSync(join(tmpdir(), "gitops-data-"))
  const git = (...args: ReadonlyArray<string>) =>
    execFileSync("git", args, { cwd: root, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  git("init", "--quiet", "--initial-branch=main")
  writeFileSync(join(root, ".gitignore"), "plan.json\nplan.md\n")
  if (options.tree !== undefined) cpSync(options.tree, join(root, "desired-state"), { recursive: true })
  git("add", "--all")
  git("commit", "--quiet", "-m", "Initial desired state")
  return {
    root,
    git,
    write: (path, content) => {
      mkdirSync(dirname(join(root, path)), { recursive: true })
      writeFileSync(join(root, path), content)
    },
    read: (path) => readFileSync(join(root, path), "utf8"),
    job: (name) => (...args) =>
      runCli(args, {
        sim,
        dataDir: join(data, name),
        cwd: root,
        env: { GIT_AUTHOR_NAME: "opnsense-mcp", GIT_AUTHOR_EMAIL: "bot@example.org" }
      }),
    close: () => {
      rmSync(root, { recursive: true, force: true })
      rmSync(data, { recursive: true, force: true })
    }
  }
}

/** What differs between runs (digests, generated uuids, the simulator's port) replaced, so a golden file can hold the rest. */
export const stable = (text: string): string =>
  text
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    .replace(/\b[0-9a-f]{64}\b/g, "<planId>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<uuid>")

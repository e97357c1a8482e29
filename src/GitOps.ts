/**
 * GitOps helper: proposals as commits on branches of the desired-state git repository.
 *
 * Shared by MCP `propose_change` / `import_live` and the GitOps delivery commands. Everything goes
 * through the `git` CLI with argument arrays (GitOps/Git.ts) and every caller-supplied path is
 * confined to the desired-state directory (GitOps/Paths.ts).
 *
 * A proposal never touches the working tree the service reads: `onNewBranch` creates the branch in
 * a temporary linked worktree (`git worktree add`), lets the caller edit files there, commits, and
 * removes the worktree when its scope closes. The user's checkout, index and current branch stay as
 * they were; only the new branch ref (and git's object store) change.
 *
 *   GitOps.onNewBranch({ dir, branch, message }, (workDir) => editFilesUnder(workDir))
 *     → { branch, base, commit, files, diff, result }
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { DesiredState } from "./DesiredState.ts"
import type { Issue } from "./Domain/Desired.ts"
import type { ImportResult } from "./Domain/Reports.ts"
import { findUnsafe, printable } from "./Domain/Text.ts"
import { branchProblem, PROPOSAL_PREFIX, refFacts } from "./GitOps/Branches.ts"
import { GitError, type GitIdentity, runGit } from "./GitOps/Git.ts"
import { PathEscape, resolveInside } from "./GitOps/Paths.ts"

export { branchProblem, PROPOSAL_PREFIX } from "./GitOps/Branches.ts"
export { GitError, type GitIdentity } from "./GitOps/Git.ts"
export { PathEscape, resolveInside } from "./GitOps/Paths.ts"

/** The branch name is unusable (bad characters, it already exists, or it would shadow another ref). */
export class BranchRefused extends Data.TaggedError("BranchRefused")<{
  readonly message: string
  readonly branch: string
}> {}

/** The commit message carries characters that would change how `git log` shows it (Domain/Text.ts). */
export class MessageRefused extends Data.TaggedError("MessageRefused")<{
  readonly message: string
}> {}

/** The edit changed nothing, so there is nothing to commit. */
export class NothingToCommit extends Data.TaggedError("NothingToCommit")<{
  readonly message: string
}> {}

/** The tree the edit left on the new branch does not validate, so nothing was committed. */
export class TreeInvalid extends Data.TaggedError("TreeInvalid")<{
  readonly message: string
}> {}

export interface Repository {
  /** absolute top level of the git repository */
  readonly root: string
  /** DESIRED_STATE_DIR relative to `root` ("" when it is the root) */
  readonly prefix: string
}

export interface BranchCommit<A> {
  readonly branch: string
  /** the commit the branch was made from */
  readonly base: string
  readonly commit: string
  /** changed paths, relative to the repository root */
  readonly files: ReadonlyArray<string>
  /** `git diff base..commit`, truncated to `maxDiffBytes` */
  readonly diff: string
  readonly diffTruncated: boolean
  /** what the edit callback returned */
  readonly result: A
}

export interface OnNewBranchOptions<A = unknown> {
  /** DESIRED_STATE_DIR (any folder inside the repository) */
  readonly dir: string
  readonly branch: string
  /** the commit message, or how to make it from what the edit returned */
  readonly message: string | ((result: A) => string)
  /** commit-ish to branch from; HEAD by default */
  readonly base?: string | undefined
  readonly maxDiffBytes?: number | undefined
}

export interface GitOpsShape {
  readonly identity: GitIdentity
  readonly repository: (dir: string) => Effect.Effect<Repository, GitError>
  /** full hash of `ref` (HEAD by default) */
  readonly revParse: (dir: string, ref?: string) => Effect.Effect<string, GitError>
  /** the checked-out branch, undefined on a detached HEAD */
  readonly currentBranch: (dir: string) => Effect.Effect<string | undefined, GitError>
  readonly branchExists: (dir: string, branch: string) => Effect.Effect<boolean, GitError>
  /**
   * The branch a proposal creates: `requested` under PROPOSAL_PREFIX (added when missing; the
   * requested name itself must not collide with a remote, a ref or the default branch either), or
   * `mcp/<summary>-<timestamp>` when none was requested.
   */
  readonly proposalBranch: (
    dir: string,
    requested: string | undefined,
    summary: string
  ) => Effect.Effect<string, GitError | BranchRefused>
  /** `git diff from..to` limited to the desired-state folder */
  readonly diff: (dir: string, from: string, to?: string) => Effect.Effect<string, GitError>
  /**
   * Create `branch` from `base` in a temporary worktree, run `edit` with the desired-state folder
   * of that worktree, commit everything it changed there, and return the commit. On failure the
   * branch is deleted again, so a refused proposal leaves nothing behind.
   */
  readonly onNewBranch: <A, E, R>(
    options: OnNewBranchOptions<A>,
    edit: (workDir: string) => Effect.Effect<A, E, R>
  ) => Effect.Effect<BranchCommit<A>, E | GitError | BranchRefused | MessageRefused | NothingToCommit, R>
}

export class GitOps extends Context.Service<GitOps, GitOpsShape>()("opnsense-mcp/GitOps") {}

/** A branch name for a proposal: `mcp/<slug>-<yyyymmddhhmmss>`. */
export const proposalBranchName = (summary: string, now: Date): string => {
  const slug = summary.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "change"
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14)
  return `${PROPOSAL_PREFIX}${slug}-${stamp}`
}

/** Why `message` must not be committed: an unsafe character other than a line feed (Domain/Text.ts). */
export const messageProblem = (message: string): string | undefined => {
  const unsafe = findUnsafe(message, ["\n"])
  return unsafe === undefined ? undefined : `the commit message contains a ${unsafe.description}`
}

export const make = (identity: GitIdentity): GitOpsShape => {
  const git = (cwd: string, args: ReadonlyArray<string>, input?: string) => runGit(args, { cwd, identity, input })

  const repository = Effect.fn("GitOps.repository")(function*(dir: string) {
    const absolute = path.resolve(dir)
    const root = (yield* git(absolute, ["rev-parse", "--show-toplevel"]).pipe(
      Effect.mapError((e) =>
        new GitError({
          ...e,
          message: `${absolute} is not inside a git repository (${e.message}); run \`git init\` there first`
        })
      )
    )).trim()
    const realDir = yield* Effect.promise(() => fs.realpath(absolute))
    const realRoot = yield* Effect.promise(() => fs.realpath(root))
    return { root: realRoot, prefix: path.relative(realRoot, realDir) } satisfies Repository
  })

  const revParse = Effect.fn("GitOps.revParse")(function*(dir: string, ref = "HEAD") {
    return (yield* git(dir, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])).trim()
  })

  const currentBranch = Effect.fn("GitOps.currentBranch")(function*(dir: string) {
    const out = yield* git(dir, ["symbolic-ref", "--quiet", "--short", "HEAD"]).pipe(
      Effect.catchTag("GitError", () => Effect.succeed(""))
    )
    return out.trim() === "" ? undefined : out.trim()
  })

  const branchExists = Effect.fn("GitOps.branchExists")(function*(dir: string, branch: string) {
    return yield* git(dir, ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`]).pipe(
      Effect.as(true),
      Effect.catchTag("GitError", (e) => e.exitCode === 1 ? Effect.succeed(false) : Effect.fail(e))
    )
  })

  const diff = Effect.fn("GitOps.diff")(function*(dir: string, from: string, to?: string) {
    const repo = yield* repository(dir)
    const range = to === undefined ? [from] : [from, to]
    return yield* git(repo.root, [
      "diff",
      "--no-color",
      "--no-ext-diff",
      ...range,
      "--",
      repo.prefix === "" ? "." : repo.prefix
    ])
  })

  const checkBranch = (dir: string, branch: string) =>
    Effect.gen(function*() {
      const problem = branchProblem(branch, yield* refFacts((args) => git(dir, args)))
      if (problem !== undefined) return yield* new BranchRefused({ message: problem, branch })
      yield* git(dir, ["check-ref-format", "--branch", branch]).pipe(
        Effect.mapError(() => new BranchRefused({ message: `"${branch}" is not a valid git branch name`, branch }))
      )
    })

  const proposalBranch = Effect.fn("GitOps.proposalBranch")(
    function*(dir: string, requested: string | undefined, summary: string) {
      if (requested === undefined) {
        return proposalBranchName(summary, new Date(yield* Clock.currentTimeMillis))
      }
      const repo = yield* repository(dir)
      yield* checkBranch(repo.root, requested)
      return requested.startsWith(PROPOSAL_PREFIX) ? requested : `${PROPOSAL_PREFIX}${requested}`
    }
  )

  const onNewBranch = <A, E, R>(options: OnNewBranchOptions<A>, edit: (workDir: string) => Effect.Effect<A, E, R>) =>
    Effect.scoped(
      Effect.gen(function*() {
        const repo = yield* repository(options.dir)
        yield* checkBranch(repo.root, options.branch)
        const refuseMessage = (message: string) => {
          const unsafe = messageProblem(message)
          return unsafe === undefined
            ? Effect.succeed(message)
            : Effect.fail(new MessageRefused({ message: `${unsafe}; nothing was committed` }))
        }
        if (typeof options.message === "string") yield* refuseMessage(options.message)
        const base = yield* revParse(repo.root, options.base ?? "HEAD")
        const tmp = yield* Effect.acquireRelease(
          Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "opnsense-mcp-proposal-"))),
          (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
        )
        const tree = path.join(tmp, "tree")
        yield* Effect.acquireRelease(
          git(repo.root, ["worktree", "add", "--quiet", "-b", options.branch, tree, base]),
          (_, exit) =>
            Effect.gen(function*() {
              yield* git(repo.root, ["worktree", "remove", "--force", tree]).pipe(Effect.ignore)
              yield* git(repo.root, ["worktree", "prune"]).pipe(Effect.ignore)
              if (exit._tag === "Failure") yield* git(repo.root, ["branch", "-D", options.branch]).pipe(Effect.ignore)
            })
        )
        const workDir = path.join(tree, repo.prefix)
        yield* Effect.promise(() => fs.mkdir(workDir, { recursive: true }))
        const result = yield* edit(workDir)
        const message = yield* refuseMessage(
          typeof options.message === "string" ? options.message : options.message(result)
        )
        yield* git(tree, ["add", "--all", "--", repo.prefix === "" ? "." : repo.prefix])
        // what is staged over `base` is exactly what the commit changes
        const files = (yield* git(tree, ["diff", "--cached", "--name-only"])).split("\n").filter((f) => f !== "")
        if (files.length === 0) {
          return yield* Effect.fail(
            new NothingToCommit({ message: "the change leaves the desired state exactly as it is; nothing to commit" })
          )
        }
        yield* git(
          tree,
          ["-c", "core.hooksPath=/dev/null", "commit", "--quiet", "--no-verify", "--file", "-"],
          message
        )
        const commit = yield* revParse(tree, "HEAD")
        const fullDiff = yield* git(tree, ["diff", "--no-color", "--no-ext-diff", base, commit])
        const max = options.maxDiffBytes ?? 20_000
        return {
          branch: options.branch,
          base,
          commit,
          files,
          diff: fullDiff.length > max ? fullDiff.slice(0, max) : fullDiff,
          diffTruncated: fullDiff.length > max,
          result
        } satisfies BranchCommit<A>
      })
    ).pipe(Effect.withSpan("GitOps.onNewBranch", { attributes: { branch: options.branch } }))

  return { identity, repository, revParse, currentBranch, branchExists, proposalBranch, diff, onNewBranch }
}

/** Author from GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL, or "opnsense-mcp <opnsense-mcp@localhost>". */
export const identityConfig: Config.Config<GitIdentity> = Config.all({
  name: Config.String("GIT_AUTHOR_NAME").pipe(Config.withDefault("opnsense-mcp")),
  email: Config.String("GIT_AUTHOR_EMAIL").pipe(Config.withDefault("opnsense-mcp@localhost"))
})

export const layer = (identity: GitIdentity): Layer.Layer<GitOps> => Layer.succeed(GitOps, make(identity))

export const layerConfig: Layer.Layer<GitOps, Config.ConfigError> = Layer.effect(
  GitOps,
  Effect.map(identityConfig, make)
)

/**
 * Write `files` (paths relative to `folder`, itself relative to `root`) with every path confined to
 * `root`: the one way the CLI's `import` and proposals put generated YAML into a (work)tree.
 * Returns the absolute paths written.
 */
export const writeConfined = (
  root: string,
  folder: string,
  files: ReadonlyArray<{ readonly path: string; readonly content: string }>
): Effect.Effect<ReadonlyArray<string>, PathEscape> =>
  Effect.gen(function*() {
    const base = folder === "" || folder === "." ? path.resolve(root) : yield* resolveInside(root, folder)
    const written: Array<string> = []
    for (const file of files) {
      const target = yield* resolveInside(base, file.path)
      yield* Effect.promise(async () => {
        await fs.mkdir(path.dirname(target), { recursive: true })
        await fs.writeFile(target, file.content)
      })
      written.push(target)
    }
    return written
  })

/** One issue as `file:line:column: message (hint)`, for refusals that list what the caller must fix. */
export const issueLine = (i: Issue): string =>
  `${i.file}:${i.line}:${i.column}: ${i.message}${i.hint === undefined ? "" : ` (${i.hint})`}`

/**
 * Validate `site` in the tree under `workDir` (an onNewBranch worktree) with the desired state's
 * loader. Errors fail with TreeInvalid, which makes onNewBranch delete the branch again; the other
 * issues (warnings) are returned. `what` names the change in the message ("the change").
 */
export const validateWorktree = (workDir: string, site: string, what: string) =>
  Effect.gen(function*() {
    const { issues } = yield* DesiredState.use((desired) => desired.validate({ dir: workDir, site }))
    const errors = issues.filter((i) => i.severity === "error")
    if (errors.length > 0) {
      const lines = errors.slice(0, 20).map((i) => `  ${issueLine(i)}`)
      return yield* new TreeInvalid({
        message: `${what} does not validate (${errors.length} error(s)); nothing was committed:\n${lines.join("\n")}`
      })
    }
    return issues
  })

/**
 * The commit message of an import branch; `trailer` adds lines at the end (e.g. "Proposed-by: …").
 * What was left out quotes live descriptions, which anyone with firewall access can write: their
 * control characters are written out visibly (`<U+001B>`), never passed to git.
 */
export const importMessage = (result: ImportResult, trailer?: string): string =>
  `Adopt the live objects of site ${printable(result.site)}\n\n` +
  `Imported ${result.counts.vlan} VLANs, ${result.counts.alias} aliases and ${result.counts.rule} rules as they ` +
  `are on the firewall, so the first plan is empty.\n` +
  (result.skipped.length === 0 ? "" : `\nLeft out:\n${result.skipped.map((s) => `- ${printable(s)}`).join("\n")}\n`) +
  (trailer === undefined ? "" : `\n${trailer}\n`)

export interface ImportOnBranchOptions<E, R> {
  /** DESIRED_STATE_DIR (created when missing; it must lie inside a git repository) */
  readonly dir: string
  readonly branch: string
  /** the site's folder relative to `dir` ("." for the single default site) */
  readonly sitePath: string
  /**
   * the import (Reconciler.importLive) into the desired-state folder of the new branch's worktree,
   * so that what that tree already holds is adopted rather than written again
   */
  readonly importInto: (workDir: string) => Effect.Effect<ImportResult, E, R>
  readonly trailer?: string | undefined
}

/**
 * Import live state onto a git branch, the one flow behind `import --commit` and MCP `import_live`:
 * import into the desired state of a new branch's worktree, write the YAML into its site folder,
 * validate it, commit. The checkout is untouched; a result that does not validate leaves no
 * branch behind. Returns the commit with the import result.
 */
export const importOnBranch = <E, R>(options: ImportOnBranchOptions<E, R>) =>
  Effect.gen(function*() {
    yield* Effect.annotateCurrentSpan({ branch: options.branch })
    yield* Effect.promise(() => fs.mkdir(options.dir, { recursive: true }))
    const gitops = yield* GitOps
    return yield* gitops.onNewBranch(
      {
        dir: options.dir,
        branch: options.branch,
        message: (result: ImportResult) => importMessage(result, options.trailer)
      },
      (workDir) =>
        Effect.gen(function*() {
          const result = yield* options.importInto(workDir)
          yield* Effect.annotateCurrentSpan({ site: result.site })
          yield* writeConfined(workDir, options.sitePath, result.files)
          yield* validateWorktree(workDir, result.site, "the imported YAML")
          return result
        })
    )
  }).pipe(Effect.withSpan("GitOps.importOnBranch"))

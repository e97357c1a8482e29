/**
 * Which branch names a proposal may create. Git resolves a short name by trying, in order,
 * `refs/<n>`, `refs/tags/<n>`, `refs/heads/<n>`, `refs/remotes/<n>` and `refs/remotes/<n>/HEAD`
 * (git-rev-parse(1), "SPECIFYING REVISIONS"), so a new branch `origin/master` would make
 * `git rev-parse origin/master` (and every script and reviewer using it) see the agent's commit
 * instead of the remote-tracking branch. A name is refused when it:
 *
 * - fails `git check-ref-format --branch` or our narrower character set;
 * - is a remote's name or starts with `<remote>/`;
 * - resolves, as a short name, to a ref that exists (any of the forms above), or nests under or
 *   over an existing branch (git cannot store `a` and `a/b` side by side);
 * - is the default branch (the remotes' HEAD, `init.defaultBranch`, the checked-out branch, main,
 *   master) or a pseudo-ref (HEAD, FETCH_HEAD, …), or reads like a commit id.
 *
 * Names are compared ignoring case: on case-insensitive file systems (macOS, Windows) loose refs
 * `Main` and `main` are one file.
 */
import * as Effect from "effect/Effect"
import type { GitError } from "./Git.ts"

/** Every branch propose_change and import_live create lives under this prefix (docs/mcp.md). */
export const PROPOSAL_PREFIX = "mcp/"

const CHARACTERS = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock(?:\/|$))[A-Za-z0-9._\/-]{1,120}(?<![./])$/

export interface RefFacts {
  /** every ref, full names (refs/heads/main, refs/remotes/origin/HEAD, …) */
  readonly refs: ReadonlyArray<string>
  readonly remotes: ReadonlyArray<string>
  /** names that count as the default branch */
  readonly defaults: ReadonlyArray<string>
}

const lower = (s: string) => s.toLowerCase()

/** Why `name` must not become a branch, or undefined when it may. `check-ref-format` is run separately. */
export const branchProblem = (name: string, facts: RefFacts): string | undefined => {
  if (!CHARACTERS.test(name)) {
    return `branch name "${name}" is not allowed: use letters, digits, ".", "_", "-" and "/" (e.g. "mcp/add-iot-vlan")`
  }
  const n = lower(name)
  const first = n.split("/")[0] ?? n
  const remote = facts.remotes.find((r) => lower(r) === first)
  if (remote !== undefined) {
    return n === lower(remote)
      ? `branch name "${name}" is the name of the remote "${remote}"; git would resolve "${name}" to this branch`
      : `branch name "${name}" starts with the remote name "${remote}/": git would resolve "${name}" to this ` +
        `branch instead of the remote-tracking branch`
  }
  if (/^(refs|heads|tags|remotes)\//.test(n)) {
    return `branch name "${name}" starts with "${first}/", which git reads as part of a ref path`
  }
  if (/^[a-z_]*head$/.test(n)) return `branch name "${name}" is a name git reserves (HEAD, FETCH_HEAD, …)`
  if (/^[0-9a-f]{4,64}$/.test(n)) return `branch name "${name}" reads like a commit id`
  const defaults = facts.defaults.find((d) => lower(d) === n)
  if (defaults !== undefined) return `branch name "${name}" is the default branch "${defaults}"`
  const refs = new Set(facts.refs.map(lower))
  const shadowed = [`refs/${n}`, `refs/tags/${n}`, `refs/heads/${n}`, `refs/remotes/${n}`, `refs/remotes/${n}/head`]
    .find((r) => refs.has(r))
  if (shadowed !== undefined) {
    const existing = facts.refs.find((r) => lower(r) === shadowed) ?? shadowed
    return `branch "${name}" already exists as ${existing}`
  }
  const nested = facts.refs.find((r) => {
    const l = lower(r)
    if (!l.startsWith("refs/heads/")) return false
    const branch = l.slice("refs/heads/".length)
    return branch.startsWith(`${n}/`) || n.startsWith(`${branch}/`)
  })
  if (nested !== undefined) return `branch name "${name}" clashes with the existing branch ${nested}`
  return undefined
}

/** Refs, remotes and default-branch names of the repository at `root`. */
export const refFacts = (
  git: (args: ReadonlyArray<string>) => Effect.Effect<string, GitError>
): Effect.Effect<RefFacts, GitError> =>
  Effect.gen(function*() {
    const lines = (s: string) => s.split("\n").map((l) => l.trim()).filter((l) => l !== "")
    const optional = (args: ReadonlyArray<string>) =>
      git(args).pipe(Effect.catchTag("GitError", () => Effect.succeed("")), Effect.map(lines))
    const refs = lines(yield* git(["for-each-ref", "--format=%(refname)"]))
    const remotes = [
      ...new Set([
        ...(yield* optional(["remote"])),
        ...refs.flatMap((r) => r.startsWith("refs/remotes/") ? [r.split("/")[2] ?? ""] : []).filter((r) => r !== "")
      ])
    ]
    const remoteHeads: Array<string> = []
    for (const remote of remotes) {
      for (const target of yield* optional(["symbolic-ref", "--quiet", `refs/remotes/${remote}/HEAD`])) {
        remoteHeads.push(target.replace(`refs/remotes/${remote}/`, ""))
      }
    }
    const defaults = [
      "main",
      "master",
      ...remoteHeads,
      ...(yield* optional(["config", "--get", "init.defaultBranch"])),
      ...(yield* optional(["symbolic-ref", "--quiet", "--short", "HEAD"]))
    ]
    return { refs, remotes, defaults }
  })

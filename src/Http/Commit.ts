/**
 * The git commit this build came from, for /version: $GIT_COMMIT (set by CI or the deploy), else
 * read from .git in the working directory (no git process is started), else unknown.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, sep } from "node:path"

export const gitCommit = (cwd = process.cwd()): string | undefined => {
  const fromEnv = process.env["GIT_COMMIT"]
  if (fromEnv !== undefined && /^[0-9a-f]{7,40}$/i.test(fromEnv)) return fromEnv
  try {
    const head = readFileSync(join(cwd, ".git", "HEAD"), "utf8").trim()
    const ref = /^ref: (.+)$/.exec(head)?.[1]
    if (ref === undefined) return /^[0-9a-f]{40}$/.test(head) ? head : undefined
    try {
      return readFileSync(join(cwd, ".git", ref), "utf8").trim()
    } catch {
      const packed = readFileSync(join(cwd, ".git", "packed-refs"), "utf8")
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(" ")[0]
    }
  } catch {
    return undefined
  }
}

const matches = (sha: string, commit: string) => sha.toLowerCase().startsWith(commit.toLowerCase())

/** the commit an annotated tag object points at (loose object only; packed tags come peeled in packed-refs) */
const peel = (git: string, sha: string): string | undefined => {
  try {
    // node:zlib only when a loose annotated tag is read (Commit.ts loads with every `serve`)
    const raw = process.getBuiltinModule("node:zlib").inflateSync(
      readFileSync(join(git, "objects", sha.slice(0, 2), sha.slice(2)))
    ).toString("utf8")
    return /^tag \d+\0object ([0-9a-f]{40})\n/.exec(raw)?.[1]
  } catch {
    return undefined
  }
}

/**
 * The release tag at `commit` (e.g. "v0.1.0"), for /version: $GIT_TAG (set by CI or the deploy),
 * else a tag in .git (loose or packed, lightweight or annotated) pointing at the commit, else none.
 * With several, the highest version wins.
 */
export const gitTag = (commit: string | undefined, cwd = process.cwd()): string | undefined => {
  const fromEnv = process.env["GIT_TAG"]
  if (fromEnv !== undefined && /^[A-Za-z0-9._/-]{1,100}$/.test(fromEnv)) return fromEnv
  if (commit === undefined || commit === "") return undefined
  const git = join(cwd, ".git")
  const found = new Set<string>()
  try {
    let last: string | undefined
    for (const line of readFileSync(join(git, "packed-refs"), "utf8").split("\n")) {
      const ref = /^([0-9a-f]{40}) refs\/tags\/(.+)$/.exec(line)
      const peeled = /^\^([0-9a-f]{40})$/.exec(line)
      if (ref !== null) {
        last = ref[2]
        if (matches(ref[1]!, commit)) found.add(ref[2]!)
      } else if (peeled !== null && last !== undefined && matches(peeled[1]!, commit)) found.add(last)
    }
  } catch {
    // no packed refs
  }
  try {
    const dir = join(git, "refs", "tags")
    for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
      let sha: string
      try {
        sha = readFileSync(join(dir, name), "utf8").trim()
      } catch {
        continue // a folder of tags
      }
      if (matches(sha, commit) || matches(peel(git, sha) ?? "", commit)) found.add(name.split(sep).join("/"))
    }
  } catch {
    // no loose tags
  }
  return [...found].sort((a, b) => b.localeCompare(a, "en", { numeric: true }))[0]
}

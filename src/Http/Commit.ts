/**
 * The git commit this build came from, for /version: $GIT_COMMIT (set by CI or the deploy), else
 * read from .git in the working directory (no git process is started), else unknown.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"

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

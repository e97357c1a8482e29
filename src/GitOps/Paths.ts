/**
 * Path confinement: every path a caller names (an MCP agent, a CLI flag) is resolved against a
 * root and refused when it would land outside it — by `..`, by being absolute, or through a
 * symbolic link that points elsewhere. The check runs on the real path of the deepest existing
 * ancestor, so a symlink planted inside the tree cannot smuggle a write out of it.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"

export class PathEscape extends Data.TaggedError("PathEscape")<{
  readonly message: string
  readonly path: string
}> {}

const isInside = (root: string, candidate: string): boolean => {
  const relative = path.relative(root, candidate)
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative))
}

/** The real path of `target`, or of its deepest existing ancestor joined with the missing rest. */
const realpathOfExisting = async (target: string): Promise<string> => {
  const missing: Array<string> = []
  let current = target
  for (;;) {
    try {
      const real = await fs.realpath(current)
      return path.join(real, ...missing.reverse())
    } catch {
      const parent = path.dirname(current)
      if (parent === current) return target
      missing.push(path.basename(current))
      current = parent
    }
  }
}

const refuse = (requested: string, why: string) =>
  new PathEscape({
    message:
      `path "${requested}" ${why}; give a path relative to the desired-state directory, e.g. "vlans.yaml" or "site-a/rules.yaml"`,
    path: requested
  })

/**
 * Resolve `requested` (relative) inside `root`. Fails with PathEscape for absolute paths, `..`
 * escapes, NUL bytes, and symlinks leading out of `root`.
 */
export const resolveInside = (root: string, requested: string): Effect.Effect<string, PathEscape> =>
  Effect.gen(function*() {
    if (requested.includes("\0")) return yield* Effect.fail(refuse(requested, "contains a NUL byte"))
    if (requested.trim() === "") return yield* Effect.fail(refuse(requested, "is empty"))
    if (path.isAbsolute(requested) || /^[A-Za-z]:[\\/]/.test(requested)) {
      return yield* Effect.fail(refuse(requested, "is absolute"))
    }
    const absoluteRoot = path.resolve(root)
    const lexical = path.resolve(absoluteRoot, requested)
    if (!isInside(absoluteRoot, lexical)) {
      return yield* Effect.fail(refuse(requested, "escapes the desired-state directory"))
    }
    const [realRoot, realTarget] = yield* Effect.promise(() =>
      Promise.all([realpathOfExisting(absoluteRoot), realpathOfExisting(lexical)])
    )
    if (!isInside(realRoot, realTarget)) {
      return yield* Effect.fail(refuse(requested, "leads outside the desired-state directory through a symbolic link"))
    }
    return lexical
  })

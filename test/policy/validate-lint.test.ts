import { execFile } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = (dir: string) =>
  promisify(execFile)(process.execPath, ["src/index.ts", "validate", "--dir", dir, "--json"]).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout })
  )

const tree = (rules: string) => {
  const dir = mkdtempSync(join(tmpdir(), "validate-lint-"))
  writeFileSync(join(dir, "rules.yaml"), rules)
  return dir
}

describe("validate includes the policy lint", () => {
  it("fails (exit 1) on a shadowed rule, pointing at its YAML line", async () => {
    const dir = tree(
      [
        "rules:",
        "  - name: block-all",
        "    interface: lan",
        "    action: block",
        "  - name: never-matches",
        "    interface: lan",
        "    action: pass",
        "    protocol: tcp",
        "    destination: { address: 10.0.0.1, port: 443 }",
        ""
      ].join("\n")
    )
    const { code, stdout } = await run(dir)
    expect(code).toBe(1)
    const issues = JSON.parse(stdout).issues as Array<{ code: string; severity: string; line: number; name?: string }>
    const shadowed = issues.find((i) => i.code === "shadowed-rule")
    expect(shadowed).toMatchObject({ severity: "error", line: 5, name: "never-matches" })
  }, 30_000)

  it("passes (exit 0) when the same rules are in an order where both can match", async () => {
    const dir = tree(
      [
        "rules:",
        "  - name: web",
        "    interface: lan",
        "    action: pass",
        "    protocol: tcp",
        "    destination: { address: 10.0.0.1, port: 443 }",
        "  - name: block-rest",
        "    interface: lan",
        "    action: block",
        "    log: true",
        ""
      ].join("\n")
    )
    const { code, stdout } = await run(dir)
    expect(JSON.parse(stdout).issues.filter((i: { severity: string }) => i.severity === "error")).toEqual([])
    expect(code).toBe(0)
  }, 30_000)
})

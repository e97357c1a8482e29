import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"

const cli = (...args: ReadonlyArray<string>) =>
  execFileSync(process.execPath, ["src/index.ts", ...args], { encoding: "utf8" })

describe("opnsense-mcp CLI", () => {
  it("lists every command in its help", () => {
    const help = cli("--help")
    for (
      const command of ["validate", "plan", "apply", "drift", "import", "lint", "explain", "serve", "sandbox", "state"]
    ) {
      expect(help).toContain(command)
    }
  })
})

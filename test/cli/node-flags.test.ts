/**
 * The node flags of the CLI (src/index.ts shebang: a smaller young generation and no allocation-site
 * pretenuring, measured in docs/performance.md) are the flags of every way we start it: npm
 * scripts, the systemd unit and the pm2 file. One list, checked here so the copies cannot drift.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { cliNodeFlags } from "../../bench/lib/Child.ts"

const root = join(import.meta.dirname, "..", "..")
const read = (path: string) => readFileSync(join(root, path), "utf8")

describe("node flags", () => {
  it("the entry's shebang names them, and the bench reads them from there", () => {
    expect(read("src/index.ts").split("\n")[0]).toBe(`#!/usr/bin/env -S node ${cliNodeFlags.join(" ")}`)
    expect(cliNodeFlags).toEqual(["--max-semi-space-size=16", "--no-allocation-site-pretenuring"])
  })

  it("every other entry point passes the same flags", () => {
    const flags = cliNodeFlags.join(" ")
    const pkg = read("package.json")
    for (const script of ["cli", "demo", "start"]) {
      expect(pkg, script).toMatch(new RegExp(`"${script}": "node ${flags} `))
    }
    expect(read("deploy/opnsense-mcp.service")).toContain(`ExecStart=/usr/bin/node ${flags} `)
    expect(read("deploy/ecosystem.config.cjs")).toContain(flags)
  })
})

/**
 * The systemd unit as systemd itself reads it: `systemd-analyze verify` accepts it and
 * `systemd-analyze security --offline=true` scores its exposure at most 1.2 ("OK"). Skipped, with
 * the reason in its title, where systemd-analyze is not installed.
 */
import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"

const UNIT = resolve(import.meta.dirname, "../../deploy/opnsense-mcp.service")
const analyze = (...args: ReadonlyArray<string>) => spawnSync("systemd-analyze", args, { encoding: "utf8" })
const present = analyze("--version").status === 0

describe.skipIf(!present)("deploy/opnsense-mcp.service (needs systemd-analyze)", () => {
  it("passes systemd-analyze verify", () => {
    const r = analyze("verify", UNIT)
    expect(`${r.stdout}${r.stderr}`.trim()).toBe("")
    expect(r.status).toBe(0)
  })

  it("scores an exposure of at most 1.2 in systemd-analyze security --offline", () => {
    const r = analyze("security", "--offline=true", "--no-pager", UNIT)
    const score = /Overall exposure level for \S+: ([0-9.]+)/.exec(r.stdout)?.[1]
    expect(score, r.stdout.slice(-500)).toBeDefined()
    expect(Number(score)).toBeLessThanOrEqual(1.2)
  })
})

/** `opnsense-mcp validate` as users and CI run it: output format, --json on stdout alone, exit codes. */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))
const fixtures = "test/desired-state/fixtures"

const run = (...args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, ["src/index.ts", "validate", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" }
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe("opnsense-mcp validate", () => {
  it("exits 0 on the example site with a summary", () => {
    const { status, stdout } = run("--dir", "desired-state")
    expect(status).toBe(0)
    expect(stdout).toContain(
      "✓ valid — default: 4 vlans, 12 aliases, 9 rules, 1 dhcp subnet, 2 dhcp reservations, 1 outbound nat rule, 1 1:1 nat entry, 1 host override, 1 route, 1 gateway, 1 port forward, 4 interface assignments"
    )
  })

  it("exits 1 with file:line:col: error[code]: message lines, hint lines and a summary", () => {
    const { status, stdout } = run("--dir", `${fixtures}/cross-field`)
    expect(status).toBe(1)
    const lines = stdout.trimEnd().split("\n")
    expect(lines[0]).toBe(
      `${fixtures}/cross-field/a.yaml:10:45: error[port-needs-tcp-udp]: ports only apply to TCP or UDP, this rule's protocol is ICMP (rule "port-with-icmp")`
    )
    expect(lines[1]).toBe("  hint: set protocol: tcp, udp or tcp/udp, or remove the port")
    expect(lines.at(-1)).toBe("✗ invalid: 8 errors in 1 file")
  })

  it("--json prints one JSON document on stdout and nothing else", () => {
    const { status, stdout, stderr } = run("--dir", `${fixtures}/duplicate-vlan-tag`, "--json")
    expect(status).toBe(1)
    expect(stderr).toBe("")
    const report = JSON.parse(stdout) as { valid: boolean; issues: Array<Record<string, unknown>> }
    expect(report.valid).toBe(false)
    expect(report.issues).toEqual([
      expect.objectContaining({
        file: "a.yaml",
        line: 10,
        column: 10,
        code: "duplicate-vlan-tag",
        name: "guest",
        kind: "vlan"
      })
    ])
  })

  it("--site picks a site from sites.yaml", () => {
    const { status, stdout } = run("--dir", `${fixtures}/multi-site`, "--site", "hq", "--json")
    expect(status).toBe(0)
    expect((JSON.parse(stdout) as { sites: Array<{ name: string }> }).sites.map((s) => s.name)).toEqual(["hq"])
  })
})

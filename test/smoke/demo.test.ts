/**
 * The README's "Try it without a firewall" sequence, line by line as the README writes it, against
 * the embedded sandbox (no OPNSENSE_URL) from a fresh DATA_DIR with the shipped desired-state/:
 * every line does what its comment says, and the numbers the comments quote are the ones printed.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "../..")
const data = mkdtempSync(join(tmpdir(), "readme-demo-"))

afterAll(() => rmSync(data, { recursive: true, force: true }))

interface DemoLine {
  readonly args: ReadonlyArray<string>
  readonly comment: string
}

/** `npm run cli -- <args>  # comment` lines of the README's first `sh` block after the heading */
const demoLines = (): ReadonlyArray<DemoLine> => {
  const readme = readFileSync(join(root, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Try it without a firewall"))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ""
  return block.split("\n").flatMap((line) => {
    const m = /^npm run cli -- (.*?)\s*(?:#\s*(.*))?$/.exec(line)
    return m === null ? [] : [{ args: (m[1] ?? "").split(/\s+/), comment: m[2] ?? "" }]
  })
}

const run = (args: ReadonlyArray<string>) => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: data, LOG_DIR: join(data, "logs"), NO_COLOR: "1" }
  for (const name of ["OPNSENSE_URL", "OPNSENSE_SANDBOX_SEED", "REDIS_URL", "DESIRED_STATE_DIR"]) delete env[name]
  const r = spawnSync(process.execPath, ["src/index.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    env,
    timeout: 60_000
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface LintReport {
  readonly counts: { readonly error: number; readonly warning: number }
  readonly sites: ReadonlyArray<{ readonly findings: ReadonlyArray<{ severity: string; code: string; name: string }> }>
}

describe("the README demo against the embedded sandbox", () => {
  it("validates, plans the numbers the README quotes, applies, settles, and lints live without errors", () => {
    const lines = demoLines()
    const commands = lines.map((l) => l.args.join(" "))
    expect(commands.slice(0, 6)).toEqual(["validate", "plan", "apply --auto-approve", "plan", "drift", "lint --live"])
    let planned = 0
    for (const { args, comment } of lines) {
      const command = args[0]
      if (command === "sandbox") continue // runs until signalled: the README says so
      const r = run(args)
      const out = `${args.join(" ")}\n${r.stdout}${r.stderr}`
      if (command === "validate") expect(r.code, out).toBe(0)
      if (command === "plan" && planned++ === 0) {
        expect(r.code, out).toBe(0)
        const quoted = /(\d+) to create, (\d+) to update/.exec(comment)
        expect(quoted, `the README quotes the first plan's counts: ${comment}`).not.toBeNull()
        expect(r.stdout, out).toContain(`Plan: ${quoted?.[1]} to create, ${quoted?.[2]} to update, 0 to delete.`)
      } else if (command === "plan") {
        expect(r.code, out).toBe(0)
        expect(r.stdout, out).toContain("No changes.")
      }
      if (command === "apply") {
        expect(r.code, out).toBe(0)
        expect(r.stdout, out).toContain("the re-plan is empty")
      }
      if (command === "drift") expect(r.code, out).toBe(0)
      if (command === "lint") {
        // warnings exit 2; the README's comment says how many there are
        expect(r.code, out).toBe(2)
        const warnings = /(\d+) warning/.exec(comment)?.[1]
        expect(r.stdout, out).toMatch(new RegExp(`0 errors, ${warnings} warnings?,`))
      }
      if (command === "explain" && args.includes("7443")) {
        // inbound to the WAN address: the port forward first, then the rule on the translated packet
        expect(r.code, out).toBe(0)
        expect(r.stdout, out).toMatch(
          /^PASS .*\ntranslated by port forward "nvr-remote-view" to 10\.30\.0\.20:443.*decided by rule "wan-to-nvr"/s
        )
      } else if (command === "explain") {
        expect(r.code, out).toBe(0)
        expect(r.stdout, out).toMatch(/^PASS .*\ndecided by rule "dns-to-resolvers"/s)
      }
    }
    expect(planned).toBe(2)

    // the live lint: no errors, and the warnings are the ones 30-rules.yaml explains (two of the
    // sandbox's own LAN rules, neither of them ours)
    const lint = run(["lint", "--live", "--json"])
    const report = JSON.parse(lint.stdout) as LintReport
    expect(report.counts.error).toBe(0)
    const warnings = report.sites.flatMap((s) => s.findings).filter((f) => f.severity === "warning")
    // and the sandbox's own port forward that no rule passes (50-port-forwards.yaml says so)
    expect(warnings.map((f) => `${f.code}:${f.name}`).sort()).toEqual([
      "forward-unpassed:Web server",
      "redundant-rule:Allow LAN to any"
    ])
    expect(readFileSync(join(root, "desired-state/30-rules.yaml"), "utf8")).toContain(
      "\"Allow LAN to any\" is redundant"
    )
  }, 180_000)
})

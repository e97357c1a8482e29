/**
 * The alerting rules as Prometheus itself reads them: `promtool check rules` accepts the file and
 * `promtool test rules` passes its unit tests (synthetic series, each alert firing and not firing).
 * Every alert carries a severity, a summary, a description and a runbook_url whose anchor is a
 * heading of docs/runbook.md. Skipped, with the reason in its title, where promtool is not
 * installed (.ci/run installs Debian's `prometheus` package, which ships it).
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { alertRules, githubAnchors } from "./alerts-files.ts"

const DIR = resolve(import.meta.dirname, "../../deploy/prometheus")
const promtool = (...args: ReadonlyArray<string>) => spawnSync("promtool", args, { cwd: DIR, encoding: "utf8" })
const present = promtool("--version").status === 0

describe.skipIf(!present)("deploy/prometheus (needs promtool from Debian's prometheus package)", () => {
  it("passes promtool check rules", () => {
    const r = promtool("check", "rules", "opnsense-mcp.rules.yml")
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0)
  })

  it("passes promtool test rules", () => {
    const r = promtool("test", "rules", "opnsense-mcp.rules.test.yml")
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0)
  })
})

describe("deploy/prometheus/opnsense-mcp.rules.yml", () => {
  const rules = alertRules()
  const runbook = githubAnchors(readFileSync(resolve(import.meta.dirname, "../../docs/runbook.md"), "utf8"))

  it("gives every alert a severity, a summary, a description and a runbook link that exists", () => {
    expect(rules.length).toBeGreaterThan(10)
    for (const rule of rules) {
      expect(["warning", "critical"], rule.alert).toContain(rule.labels.severity)
      expect(rule.annotations.summary, rule.alert).toBeTruthy()
      expect(rule.annotations.description, rule.alert).toBeTruthy()
      const [file, anchor] = (rule.annotations.runbook_url ?? "").split("#")
      expect(file, rule.alert).toBe("docs/runbook.md")
      expect(runbook, rule.alert).toContain(anchor)
    }
  })

  it("tests every alert in the promtool unit tests", () => {
    const tests: unknown = parse(readFileSync(resolve(DIR, "opnsense-mcp.rules.test.yml"), "utf8"))
    const tested = new Set(JSON.stringify(tests).match(/"alertname":"[A-Za-z]+"/g))
    for (const rule of rules) expect(tested, rule.alert).toContain(`"alertname":"${rule.alert}"`)
  })
})

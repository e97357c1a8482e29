/**
 * The alerting rules as Prometheus itself reads them: `promtool check rules` accepts the file and
 * `promtool test rules` passes its unit tests (synthetic series, each alert firing and not firing).
 * Every alert carries a severity, a summary, a description and a runbook_url whose anchor is a
 * heading of docs/runbook.md. promtool also parses every query of the Grafana dashboard. Skipped, with the reason in its title, where promtool is not
 * installed (.ci/run installs Debian's `prometheus` package, which ships it).
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { parse, stringify } from "yaml"
import { alertRules, dashboardQueries, githubAnchors } from "./alerts-files.ts"

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

  it("parses every query of the Grafana dashboard (as recording rules for promtool check rules)", () => {
    // Grafana's variables filled in the way Grafana does before it sends the query
    const filled = dashboardQueries().map((q) =>
      q.expr.replaceAll("$__rate_interval", "5m").replaceAll("$instance", ".*").replaceAll("$site", ".*")
    )
    expect(filled.join(" ")).not.toContain("$")
    const dir = mkdtempSync(join(tmpdir(), "dashboard-rules-"))
    const file = join(dir, "dashboard.rules.yml")
    writeFileSync(
      file,
      stringify({
        groups: [{ name: "dashboard", rules: filled.map((expr, i) => ({ record: `dashboard:query${i}`, expr })) }]
      })
    )
    const r = promtool("check", "rules", file)
    rmSync(dir, { recursive: true, force: true })
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0)
  })
})

describe("deploy/prometheus/opnsense-mcp.rules.yml", () => {
  const rules = alertRules()
  const runbookText = readFileSync(resolve(import.meta.dirname, "../../docs/runbook.md"), "utf8")
  const runbook = githubAnchors(runbookText)

  it("gives every alert a severity, a summary, a description and a runbook link that exists", () => {
    expect(rules.length).toBeGreaterThan(10)
    for (const rule of rules) {
      expect(["warning", "critical"], rule.alert).toContain(rule.labels.severity)
      expect(rule.annotations.summary, rule.alert).toBeTruthy()
      expect(rule.annotations.description, rule.alert).toBeTruthy()
      const [file, anchor] = (rule.annotations.runbook_url ?? "").split("#")
      expect(file, rule.alert).toBe("docs/runbook.md")
      expect(runbook, rule.alert).toContain(anchor)
      expect(runbookText, "the runbook's table of alerts").toContain(`\`${rule.alert}\``)
    }
  })

  it("tests every alert in the promtool unit tests", () => {
    const tests: unknown = parse(readFileSync(resolve(DIR, "opnsense-mcp.rules.test.yml"), "utf8"))
    const tested = new Set(JSON.stringify(tests).match(/"alertname":"[A-Za-z]+"/g))
    for (const rule of rules) expect(tested, rule.alert).toContain(`"alertname":"${rule.alert}"`)
  })
})

/**
 * The renderers CI reads: GitHub workflow commands (escaping per GitHub's rules, so a message can
 * neither end its command early nor inject another) and the pull-request plan comment.
 */
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import {
  escapeData,
  escapeProperty,
  issueAnnotations,
  renderAnnotation,
  repoPath,
  resolveFormat
} from "../../src/Cli/Format.ts"
import { planAnnotations } from "../../src/Cli/Plan.ts"
import type { Plan } from "../../src/Domain/Plan.ts"
import {
  COMMENT_BUDGET,
  escapeMarkdown,
  renderPlanMarkdown,
  renderPlansMarkdown
} from "../../src/Reconciler/Markdown.ts"

describe("GitHub workflow commands", () => {
  it("escapes %, CR and LF in data, and also : and , in properties", () => {
    expect(escapeData("100% done\r\nnext: a, b")).toBe("100%25 done%0D%0Anext: a, b")
    expect(escapeProperty("100% done\r\nnext: a, b")).toBe("100%25 done%0D%0Anext%3A a%2C b")
    // % first, so an escape sequence in the input is not decoded by the runner
    expect(escapeData("%0A")).toBe("%250A")
  })

  it("renders file, line, col and title, and a message that cannot start a second command", () => {
    const line = renderAnnotation({
      level: "error",
      file: "desired-state/a,b:c.yaml",
      line: 12,
      col: 5,
      title: "validate: bad-value",
      message: "first line\n::error::injected"
    })
    expect(line).toBe(
      "::error file=desired-state/a%2Cb%3Ac.yaml,line=12,col=5,title=validate%3A bad-value::first line%0A::error::injected"
    )
    expect(line.split("\n")).toHaveLength(1)
  })

  it("leaves out properties it does not have, and non-positive positions", () => {
    expect(renderAnnotation({ level: "warning", message: "plain" })).toBe("::warning::plain")
    expect(renderAnnotation({ level: "notice", message: "m", file: "x.yaml", line: 0, col: -1 })).toBe(
      "::notice file=x.yaml::m"
    )
  })

  it("maps validate issues to levels with repository-relative paths; 'off' is dropped", () => {
    const dir = "desired-state"
    const annotations = issueAnnotations(dir, [
      {
        file: "site-a/rules.yaml",
        line: 3,
        column: 7,
        severity: "error",
        code: "c1",
        message: "m1",
        name: "r",
        kind: "rule",
        hint: "h"
      },
      { file: "vlans.yaml", line: 1, column: 1, severity: "info", code: "c2", message: "m2" },
      { file: "vlans.yaml", line: 1, column: 1, severity: "off", code: "c3", message: "m3" }
    ])
    expect(annotations).toEqual([
      {
        level: "error",
        file: "desired-state/site-a/rules.yaml",
        line: 3,
        col: 7,
        title: "validate: c1",
        message: "m1 (rule \"r\")\nhint: h"
      },
      { level: "notice", file: "desired-state/vlans.yaml", line: 1, col: 1, title: "validate: c2", message: "m2" }
    ])
    expect(repoPath("/somewhere/else", "a.yaml")).toBe("/somewhere/else/a.yaml")
  })

  it("--json and --format must agree", async () => {
    const run = (json: boolean, format: Option.Option<"text" | "json" | "github">) =>
      Effect.runPromise(Effect.result(resolveFormat({ json, format })))
    expect(await run(true, Option.none())).toMatchObject({ _tag: "Success", success: "json" })
    expect(await run(false, Option.none())).toMatchObject({ _tag: "Success", success: "text" })
    expect(await run(false, Option.some("github"))).toMatchObject({ _tag: "Success", success: "github" })
    expect(await run(true, Option.some("json"))).toMatchObject({ _tag: "Success", success: "json" })
    expect(await run(true, Option.some("github"))).toMatchObject({ _tag: "Failure" })
  })
})

const basePlan: Plan = {
  planId: "ab".repeat(32),
  site: "default",
  createdAt: "2026-01-01T00:00:00.000Z",
  firewallVersion: "26.7.5",
  liveDigest: "cd".repeat(32),
  changes: [],
  summary: { create: 0, update: 0, delete: 0 },
  warnings: [],
  blocked: []
}

describe("plan as a pull-request comment", () => {
  it("puts blocked changes and warnings above the table, escaped", () => {
    const text = renderPlanMarkdown({
      ...basePlan,
      changes: [{
        action: "delete",
        kind: "rule",
        name: "allow-mgmt",
        uuid: "00000000-0000-4000-8000-000000000001",
        reason: "removed from the desired state"
      }],
      summary: { create: 0, update: 0, delete: 1 },
      warnings: ["<img src=x onerror=alert(1)> | *bold*"],
      blocked: [{
        kind: "rule",
        name: "allow-mgmt",
        action: "delete",
        reason: "cuts off the management path (lan → 443)"
      }]
    })
    const blocked = text.indexOf("[!CAUTION]")
    const warning = text.indexOf("[!WARNING]")
    const table = text.indexOf("| kind |")
    expect(blocked).toBeGreaterThan(0)
    expect(blocked).toBeLessThan(warning)
    expect(warning).toBeLessThan(table)
    expect(text).toContain("`delete rule allow-mgmt`: cuts off the management path (lan → 443)")
    expect(text).toContain("&lt;img src=x onerror=alert(1)&gt; \\| \\*bold\\*")
    expect(text).not.toContain("<img")
    expect(text).toContain(`plan \`${basePlan.planId}\``)
  })

  it("says an empty plan applies nothing, without a table", () => {
    const text = renderPlanMarkdown(basePlan)
    expect(text).toContain("**No changes**")
    expect(text).toContain("merging applies nothing")
    expect(text).not.toContain("<details>")
  })

  it("fences each kind's changes longer than any backtick run in them", () => {
    const text = renderPlanMarkdown({
      ...basePlan,
      changes: [{ action: "create", kind: "alias", name: "x", after: { name: "x", description: "a ```` fence" } }],
      summary: { create: 1, update: 0, delete: 0 }
    })
    expect(text).toContain("`````diff\n+ alias x\n")
    expect(text).toMatch(/\n`````\n\n<\/details>/)
  })

  it("stays within a comment's size on a huge plan, counting what it leaves out", () => {
    const changes: Plan["changes"] = Array.from({ length: 3000 }, (_, i) => ({
      action: "create" as const,
      kind: i < 1000 ? "alias" as const : "rule" as const,
      name: `object-${i}`,
      after: { name: `object-${i}`, description: `number ${i}`, content: ["10.0.0.0/24"] }
    }))
    const plan: Plan = { ...basePlan, changes, summary: { create: 3000, update: 0, delete: 0 } }
    const text = renderPlanMarkdown(plan)
    expect(text.length).toBeLessThanOrEqual(COMMENT_BUDGET)
    expect(text).toContain("| **total** | **3000** | **0** | **0** |")
    expect(text).toContain("+ alias object-0\n")
    const shown = (text.match(/^\+ (alias|rule) object-/gm) ?? []).length
    expect(shown).toBeGreaterThan(100)
    expect(text).toContain(`${3000 - shown} changes not shown`)
    expect(text).toContain("_2000 more rule changes not shown._")
    // two sites share the budget
    expect(renderPlansMarkdown([plan, { ...plan, site: "edge" }]).length).toBeLessThanOrEqual(COMMENT_BUDGET)
    expect(renderPlanMarkdown({ ...plan, changes: changes.slice(0, 5) })).not.toContain("not shown")
  })

  it("escapes markdown in free text on one line", () => {
    expect(escapeMarkdown("a\nb_c [d](e) & `f`")).toBe("a b\\_c \\[d\\](e) &amp; \\`f\\`")
  })
})

describe("plan --format github", () => {
  it("puts each change on its YAML line, blocked changes as errors there, warnings without a file", () => {
    const annotations = planAnnotations({
      ...basePlan,
      changes: [
        {
          action: "update",
          kind: "rule",
          name: "mgmt",
          uuid: "00000000-0000-4000-8000-000000000001",
          diff: [{ path: "destination.port", from: "443", to: "8443" }],
          source: { file: "site-a/rules.yaml", line: 9, column: 5 }
        },
        { action: "delete", kind: "alias", name: "old", uuid: "00000000-0000-4000-8000-000000000002" }
      ],
      summary: { create: 0, update: 1, delete: 1 },
      warnings: ["7 unmanaged objects"],
      blocked: [{ kind: "rule", name: "mgmt", action: "update", reason: "cuts off 10.0.0.1:443" }]
    }, "desired-state")
    expect(annotations).toEqual([
      {
        level: "error",
        title: "blocked: update rule mgmt",
        message: "cuts off 10.0.0.1:443 (site default; not applied without an explicit override)",
        file: "desired-state/site-a/rules.yaml",
        line: 9,
        col: 5
      },
      { level: "warning", title: "plan: site default", message: "7 unmanaged objects" },
      {
        level: "notice",
        title: "plan: update rule mgmt",
        message: "destination.port: \"443\" → \"8443\"",
        file: "desired-state/site-a/rules.yaml",
        line: 9,
        col: 5
      }
    ])
  })
})

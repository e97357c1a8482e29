/**
 * The settings of the gitops-* workflows that only GitHub acts on (runners, secrets, environments,
 * concurrency, triggers), checked as written. They are read, not run: whether GitHub behaves as
 * docs/gitops.md says is not tested here.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { commandNames } from "../../.github/scripts/gitops.ts"

const dir = resolve(".github/workflows")
const text = (file: string) => readFileSync(join(dir, file), "utf8")

type Node = Record<string, unknown>
const isNode = (u: unknown): u is Node => typeof u === "object" && u !== null && !Array.isArray(u)
const at = (u: unknown, ...path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((node, key) => (isNode(node) ? node[key] : undefined), u)
const workflow = (file: string): Node => {
  const doc: unknown = parse(text(file))
  if (!isNode(doc)) throw new Error(`${file} is not a mapping`)
  return doc
}
const jobs = (file: string): ReadonlyArray<[string, Node]> =>
  Object.entries(at(workflow(file), "jobs") ?? {}).filter((e): e is [string, Node] => isNode(e[1]))
const steps = (job: Node): ReadonlyArray<Node> => {
  const s = at(job, "steps")
  return Array.isArray(s) ? s.filter(isNode) : []
}
const gitops = readdirSync(dir).filter((f) => f.startsWith("gitops-"))

describe("credentials (item 2)", () => {
  it("no secret is set for a whole workflow or job: only the steps that need one get it", () => {
    for (const file of gitops) {
      expect(JSON.stringify(at(workflow(file), "env") ?? {}), file).not.toContain("secrets.")
      for (const [name, job] of jobs(file)) {
        expect(JSON.stringify(at(job, "env") ?? {}), `${file} ${name}`).not.toContain("secrets.")
      }
    }
  })

  it("the write key is read only in jobs of the production environment; plan and drift use the read-only key", () => {
    for (const file of gitops) {
      for (const [name, job] of jobs(file)) {
        const body = JSON.stringify(job)
        const write = /secrets\.OPNSENSE_API_(KEY|SECRET)\b/.test(body)
        expect(write && at(job, "environment") !== "production", `${file} ${name}`).toBe(false)
      }
    }
    expect(text("gitops-plan.yml")).toContain("secrets.OPNSENSE_READ_API_KEY")
    expect(text("gitops-drift.yml")).toContain("secrets.OPNSENSE_READ_API_KEY")
  })

  it("checkout never leaves the token in .git/config", () => {
    for (const file of gitops) {
      for (const [name, job] of jobs(file)) {
        for (const step of steps(job).filter((s) => String(s["uses"] ?? "").startsWith("actions/checkout@"))) {
          expect(at(step, "with", "persist-credentials"), `${file} ${name}`).toBe(false)
        }
      }
    }
  })
})

describe("runners (item 1)", () => {
  it("apply and drift run on the self-hosted label from the repository variable", () => {
    const apply = jobs("gitops-apply.yml").find(([n]) => n === "apply")?.[1]
    const drift = jobs("gitops-drift.yml").find(([n]) => n === "drift")?.[1]
    expect(at(apply, "runs-on")).toBe("${{ vars.OPNSENSE_RUNNER_LABEL || 'self-hosted' }}")
    expect(at(drift, "runs-on")).toBe("${{ vars.OPNSENSE_RUNNER_LABEL || 'self-hosted' }}")
  })

  it("the plan job runs inside the management network only for same-repository pull requests", () => {
    const plan = jobs("gitops-plan.yml")[0]?.[1]
    expect(at(plan, "runs-on")).toBe(
      "${{ github.event.pull_request.head.repo.full_name == github.repository && vars.OPNSENSE_RUNNER_LABEL || 'ubuntu-24.04' }}"
    )
  })
})

describe("triggers, concurrency and sites (items 5, 6, 8, 9)", () => {
  it("the plan workflow runs on every pull request (no `paths`: a required check must report)", () => {
    expect(at(workflow("gitops-plan.yml"), "on", "pull_request", "paths")).toBeUndefined()
    expect(text("gitops-plan.yml")).toContain("gitops.ts changed")
  })

  it("apply: one job and one concurrency group per site, a dispatch input to re-apply, a report of cancels", () => {
    const wf = workflow("gitops-apply.yml")
    expect(at(wf, "concurrency")).toBeUndefined()
    expect(at(wf, "on", "workflow_dispatch", "inputs", "pr", "required")).toBe(true)
    const byName = new Map(jobs("gitops-apply.yml"))
    expect(at(byName.get("apply"), "strategy", "matrix", "site")).toBe("${{ fromJSON(needs.find.outputs.sites) }}")
    expect(at(byName.get("apply"), "concurrency", "group")).toBe("gitops-apply-${{ matrix.site }}")
    expect(at(byName.get("apply"), "concurrency", "cancel-in-progress")).toBe(false)
    expect(at(byName.get("report"), "if")).toContain("needs.apply.result == 'cancelled'")
  })

  it("apply and drift keep DATA_DIR on the runner, outside the workspace", () => {
    for (const [file, name] of [["gitops-apply.yml", "apply"], ["gitops-drift.yml", "drift"]] as const) {
      const job = jobs(file).find(([n]) => n === name)?.[1]
      expect(at(job, "env", "DATA_DIR"), file).toBe("${{ vars.OPNSENSE_DATA_DIR || '/var/lib/opnsense-mcp' }}")
    }
  })

  it("every script step calls a command the script has", () => {
    const called = gitops.flatMap((f) => Array.from(text(f).matchAll(/gitops\.ts ([a-z-]+)/g), (m) => m[1] ?? ""))
    expect(new Set(called)).toEqual(
      new Set(["changed", "split-plan", "publish-plan", "find-reviewed", "report-apply", "drift-issue"])
    )
    for (const c of called) expect(commandNames).toContain(c)
  })
})

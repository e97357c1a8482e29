/**
 * A plan rendered for a pull-request comment (GitHub-flavoured Markdown): the planId, blocked
 * changes and warnings at the top where a reviewer cannot miss them, the intents held, violated or
 * unknown on the rules the plan leaves, a summary table per kind, and
 * one collapsible <details> per kind holding the changes exactly as `plan` prints them (Render.ts's
 * lines in a ```diff block, so `+` and `-` are coloured).
 */
import type { ResourceKind } from "../Domain/Model.ts"
import type { Change, ChangeAction, Plan } from "../Domain/Plan.ts"
import { kindNames } from "../Kinds/Registry.ts"
import { changeLines, summaryLine } from "./Render.ts"

const ACTIONS: ReadonlyArray<ChangeAction> = ["create", "update", "delete"]

/** Free text (warnings, reasons) must not open HTML or Markdown constructs in the comment. */
export const escapeMarkdown = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, " ")

/** A code fence longer than any run of backticks inside, so content cannot close it. */
const fenceFor = (body: string): string => {
  const longest = Math.max(0, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length))
  return "`".repeat(Math.max(3, longest + 1))
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

const counts = (changes: ReadonlyArray<Change>): Record<ChangeAction, number> => ({
  create: changes.filter((c) => c.action === "create").length,
  update: changes.filter((c) => c.action === "update").length,
  delete: changes.filter((c) => c.action === "delete").length
})

const countsText = (c: Record<ChangeAction, number>): string =>
  ACTIONS.filter((a) => c[a] > 0).map((a) => `${c[a]} to ${a}`).join(", ")

/** Kinds in registration order, changes in the plan's order within each. */
const byKind = (changes: ReadonlyArray<Change>): ReadonlyArray<readonly [ResourceKind, ReadonlyArray<Change>]> => {
  const groups = new Map<ResourceKind, Array<Change>>()
  for (const change of changes) {
    const group = groups.get(change.kind)
    if (group === undefined) groups.set(change.kind, [change])
    else group.push(change)
  }
  return [...kindNames, ...[...groups.keys()].filter((k) => !kindNames.includes(k))].flatMap((kind) => {
    const group = groups.get(kind)
    return group === undefined ? [] : [[kind, group] as const]
  })
}

const blockedSection = (plan: Plan): ReadonlyArray<string> =>
  plan.blocked.length === 0 ? [] : [
    "> [!CAUTION]",
    `> **${plural(plan.blocked.length, "blocked change")}**: not applied without an explicit override.`,
    ...plan.blocked.map((b) => `> - \`${b.action} ${b.kind} ${b.name}\`: ${escapeMarkdown(b.reason)}`),
    ""
  ]

const warningSection = (plan: Plan): ReadonlyArray<string> =>
  plan.warnings.length === 0 ? [] : [
    "> [!WARNING]",
    ...plan.warnings.map((w) => `> - ${escapeMarkdown(w)}`),
    ""
  ]

const VERDICT_MARK = { held: "✅ held", violated: "❌ violated", unknown: "⚠️ unknown" } as const

/** The site's intents on the rules this plan leaves: one row each, violated first. */
const intentsSection = (plan: Plan): ReadonlyArray<string> => {
  const results = plan.intents ?? []
  if (results.length === 0) return []
  const order = { violated: 0, unknown: 1, held: 2 } as const
  const sorted = [...results].sort((a, b) => order[a.verdict] - order[b.verdict])
  const count = (v: keyof typeof order) => results.filter((r) => r.verdict === v).length
  return [
    `**Intents**: ${count("held")} held, ${count("violated")} violated, ${count("unknown")} unknown`,
    "",
    "| intent | expect | result | details |",
    "| --- | --- | --- | --- |",
    ...sorted.map((r) =>
      `| ${escapeMarkdown(r.intent.name)} | ${r.intent.expect} | ${VERDICT_MARK[r.verdict]} | ${
        escapeMarkdown(`${r.message}${r.change === undefined ? "" : `; broken by ${r.change}`}`)
      } |`
    ),
    ""
  ]
}

const summaryTable = (groups: ReturnType<typeof byKind>, plan: Plan): ReadonlyArray<string> => [
  "| kind | create | update | delete |",
  "| --- | ---: | ---: | ---: |",
  ...groups.map(([kind, changes]) => {
    const c = counts(changes)
    return `| ${kind} | ${c.create} | ${c.update} | ${c.delete} |`
  }),
  `| **total** | **${plan.summary.create}** | **${plan.summary.update}** | **${plan.summary.delete}** |`,
  ""
]

/** A comment is at most 65,536 characters on GitHub; leave room for the workflow's marker and preface. */
export const COMMENT_BUDGET = 60_000

const kindDetails = (
  kind: ResourceKind,
  changes: ReadonlyArray<Change>,
  shown: ReadonlyArray<ReadonlyArray<string>>
): ReadonlyArray<string> => {
  // Render.ts indents every line by two spaces; a diff block wants the marker in column one
  const body = shown.flat().map((l) => l.slice(2)).join("\n")
  const fence = fenceFor(body)
  const hidden = changes.length - shown.length
  return [
    "<details>",
    `<summary><b>${kind}</b>: ${countsText(counts(changes))}</summary>`,
    "",
    ...(shown.length === 0 ? [] : [`${fence}diff`, body, fence, ""]),
    ...(hidden === 0 ? [] : [`_${plural(hidden, `more ${kind} change`)} not shown._`, ""]),
    "</details>",
    ""
  ]
}

/**
 * One site's plan as a pull-request comment section. The header, blocked changes, warnings and the
 * table always show; change details fill `maxChars` in plan order and the rest are counted instead.
 */
export const renderPlanMarkdown = (plan: Plan, options: { readonly maxChars?: number } = {}): string => {
  const groups = byKind(plan.changes)
  const lines = [
    `### OPNsense plan for site \`${plan.site}\``,
    "",
    `**${plan.changes.length === 0 ? "No changes" : summaryLine(plan.summary).replace(/^Plan: |\.$/g, "")}** · ` +
    `OPNsense ${escapeMarkdown(plan.firewallVersion)} · plan \`${plan.planId}\``,
    "",
    ...blockedSection(plan),
    ...warningSection(plan),
    ...intentsSection(plan)
  ]
  if (plan.changes.length === 0) {
    lines.push("The firewall matches the desired state: merging applies nothing.", "")
    return `${lines.join("\n").trimEnd()}\n`
  }
  lines.push(...summaryTable(groups, plan))
  // what each <details> costs without its changes, and a little for the "not shown" lines
  let budget = (options.maxChars ?? COMMENT_BUDGET) - lines.join("\n").length - groups.length * 160 - 400
  let hidden = 0
  for (const [kind, changes] of groups) {
    const shown: Array<ReadonlyArray<string>> = []
    for (const change of changes) {
      const block = changeLines(change, { colour: false })
      const cost = block.reduce((n, l) => n + l.length + 1, 0)
      if (cost > budget) break
      budget -= cost
      shown.push(block)
    }
    if (shown.length < changes.length) budget = 0 // keep plan order: nothing after the first cut
    hidden += changes.length - shown.length
    lines.push(...kindDetails(kind, changes, shown))
  }
  if (hidden > 0) {
    lines.push(
      `${plural(hidden, "change")} not shown: a pull-request comment is limited in size. ` +
        "`plan.json` has every change, and `opnsense-mcp plan` prints them all.",
      ""
    )
  }
  return `${lines.join("\n").trimEnd()}\n`
}

/** Every site's section, in order, sharing the comment's size budget. */
export const renderPlansMarkdown = (
  plans: ReadonlyArray<Plan>,
  options: { readonly maxChars?: number } = {}
): string => {
  const maxChars = Math.floor((options.maxChars ?? COMMENT_BUDGET) / Math.max(1, plans.length))
  return plans.map((plan) => renderPlanMarkdown(plan, { maxChars })).join("\n")
}

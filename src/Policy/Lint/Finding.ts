/**
 * Default severities and how a finding is built: one place that knows which code is an error (fails
 * `validate` and CI), which a warning (fails `lint` with exit 2) and which is information only.
 */
import type { Severity } from "../../Domain/Desired.ts"
import type { CompiledRule } from "../Compile.ts"
import type { Finding, FindingCode, PolicyAlias } from "../Domain.ts"

export const defaultSeverities: Readonly<Record<FindingCode, Severity>> = {
  "shadowed-rule": "error",
  "redundant-rule": "warning",
  "contradicted-rule": "info",
  "unused-alias": "warning",
  "empty-alias": "warning",
  "duplicate-alias-content": "warning",
  "any-any-pass": "warning",
  "management-lockout": "error",
  "management-at-risk": "warning",
  "unlogged-pass": "warning",
  "read-only-rules": "info",
  "unknown-reference": "warning",
  "intent-violated": "error",
  "intent-unknown": "warning",
  "intent-invalid": "error",
  "forward-unpassed": "warning",
  "shadowed-forward": "error",
  "shadowed-one-to-one": "error",
  "shadowed-outbound-nat": "error",
  "kinds-not-read": "info"
}

export interface Draft {
  readonly code: FindingCode
  readonly kind: Finding["kind"]
  readonly name?: string | undefined
  readonly message: string
  readonly hint: string
  readonly source?: Finding["source"] | undefined
  readonly related?: ReadonlyArray<string>
}

export const ruleDraft = (
  rule: CompiledRule,
  code: FindingCode,
  message: string,
  hint: string,
  related: ReadonlyArray<string> = []
): Draft => ({ code, kind: "rule", name: rule.rule.name, message, hint, source: rule.rule.source, related })

export const aliasDraft = (
  alias: PolicyAlias,
  code: FindingCode,
  message: string,
  hint: string,
  related: ReadonlyArray<string> = []
): Draft => ({ code, kind: "alias", name: alias.name, message, hint, source: alias.source, related })

export const applySeverities = (
  drafts: ReadonlyArray<Draft>,
  overrides: Readonly<Record<string, Severity>> | undefined
): ReadonlyArray<Finding> => {
  const out: Array<Finding> = []
  for (const d of drafts) {
    const severity = overrides?.[d.code] ?? defaultSeverities[d.code]
    if (severity === "off") continue
    out.push({
      code: d.code,
      severity,
      kind: d.kind,
      ...(d.name !== undefined ? { name: d.name } : {}),
      message: d.message,
      hint: d.hint,
      ...(d.source !== undefined ? { source: d.source } : {}),
      related: d.related ?? []
    })
  }
  return out.sort((a, b) =>
    (a.source?.file ?? "").localeCompare(b.source?.file ?? "") ||
    (a.source?.line ?? 0) - (b.source?.line ?? 0) ||
    a.code.localeCompare(b.code)
  )
}

export const quote = (name: string) => `"${name}"`

/**
 * All lint checks over one compiled policy, with the site's severity overrides applied.
 */
import type { CompiledPolicy } from "./Compile.ts"
import type { Finding } from "./Domain.ts"
import { aliasFindings } from "./Lint/Aliases.ts"
import { applySeverities, type Draft } from "./Lint/Finding.ts"
import { intentFindings } from "./Lint/Intents.ts"
import { managementFindings } from "./Lint/Management.ts"
import { natFindings } from "./Lint/Nat.ts"
import { hygieneFindings, orderFindings } from "./Lint/Rules.ts"

/** the kinds the analysis reads from a snapshot (Input.ts fromLive) */
const ANALYSED: ReadonlyArray<string> = ["rule", "alias", "port_forward", "one_to_one_nat", "outbound_nat"]

export const DEFAULT_SENSITIVE_INTERFACES: ReadonlyArray<string> = ["wan"]

export const lintCompiled = (policy: CompiledPolicy): ReadonlyArray<Finding> => {
  const { input } = policy
  const readOnly = input.rules.filter((r) => r.origin !== "mvc")
  const site: Array<Draft> = readOnly.length > 0
    ? [{
      code: "read-only-rules",
      kind: "site",
      message:
        `${readOnly.length} legacy or automatic rule(s) take part in evaluation but cannot be changed through the API; findings are not reported on them`,
      hint: "migrate legacy rules to the MVC filter (Firewall → Automation) to manage them from git"
    }]
    : []
  // the kinds the analysis reads that the API key could not: findings about them are missing
  const notRead: Array<Draft> = (input.notRead ?? []).filter((n) => ANALYSED.includes(n.kind)).map((n) => ({
    code: "kinds-not-read",
    kind: "site",
    message: `${n.why}: the analysis goes on without them`,
    hint: "grant the API key the privilege, or read the findings as leaving these objects out"
  }))
  return applySeverities(
    [
      ...orderFindings(policy),
      ...hygieneFindings(policy, input.sensitiveInterfaces ?? DEFAULT_SENSITIVE_INTERFACES),
      ...aliasFindings(policy),
      ...managementFindings(policy),
      ...intentFindings(policy),
      ...natFindings(policy),
      ...site,
      ...notRead
    ],
    input.severities
  )
}

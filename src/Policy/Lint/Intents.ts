/** The site's intents as lint findings: violated (error), only maybe held (warning), not evaluable (error). */
import type { Intent, IntentResult } from "../../Domain/Intent.ts"
import type { CompiledPolicy } from "../Compile.ts"
import { evaluateIntent } from "../Intents.ts"
import type { Draft } from "./Finding.ts"

const draft = (intent: Intent, code: Draft["code"], message: string, hint: string, related: ReadonlyArray<string>) => ({
  code,
  kind: "intent" as const,
  name: intent.name,
  message,
  hint,
  source: intent.source,
  related
})

/** One finding for an intent result that is not "held"; undefined for one that is. */
export const intentDraft = (result: IntentResult): Draft | undefined => {
  const { intent } = result
  // the deciding rule or port forward, and the port forward that translated the packet
  const related = [
    ...new Set([
      ...(result.decidedBy !== undefined && result.decidedBy.kind !== "default" ? [result.decidedBy.rule] : []),
      ...(result.translation !== undefined ? [result.translation.forward] : [])
    ])
  ]
  const broken = result.change === undefined ? "" : `; broken by ${result.change}`
  switch (result.verdict) {
    case "held":
      return undefined
    case "violated":
      return draft(
        intent,
        "intent-violated",
        `intent "${intent.name}" is violated: ${result.message}${broken}`,
        intent.expect === "block"
          ? "narrow or remove the rule that passes it, or add a block rule before it; change the intent only if this traffic is now meant to pass"
          : "add or fix a pass rule for this traffic before the rule that blocks it; change the intent only if this traffic is now meant to be blocked",
        related
      )
    case "unknown":
      return draft(
        intent,
        "intent-unknown",
        `intent "${intent.name}" can only maybe hold: ${result.message}`,
        "aliases whose contents are only known on the firewall (URL, GeoIP, hostnames) and interface nets without a subnet in sites.yaml leave the decision open; name addresses or declare the interface networks",
        related
      )
  }
}

export const intentFindings = (policy: CompiledPolicy): ReadonlyArray<Draft> =>
  (policy.input.intents ?? []).flatMap((intent) => {
    const e = evaluateIntent(policy, intent)
    if (e._tag === "Invalid") {
      return [draft(
        intent,
        "intent-invalid",
        `intent "${intent.name}" cannot be evaluated: ${e.problems.join("; ")}`,
        "from and to take an address, CIDR, alias, interface (opt2), (self) or any; port needs tcp or udp",
        []
      )]
    }
    const d = intentDraft(e.result)
    return d === undefined ? [] : [d]
  })

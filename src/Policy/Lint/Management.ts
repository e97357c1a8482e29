/**
 * The management path (SiteConfig.management): a TCP connection from the admin's source to the
 * firewall's management address and port (default 443) arriving on the management interface. A
 * rule of the set that blocks it is an error: the operator would lose the web UI and API.
 */
import type { CompiledPolicy } from "../Compile.ts"
import type { Packet } from "../Domain.ts"
import { explainCompiled } from "../Evaluate.ts"
import { managementPaths, pathVerdict, sourceExample } from "../Management.ts"
import { compilePacket } from "../Packet.ts"
import type { Draft } from "./Finding.ts"

const packetOf = (policy: CompiledPolicy): { readonly label: string; readonly packet: Packet } | undefined =>
  managementPaths(policy.input.management, { representative: sourceExample(policy) }).packets[0]

export const managementPacket = (policy: CompiledPolicy): Packet | undefined => packetOf(policy)?.packet

/**
 * The declared path against the rule set, judged by `pathVerdict` as the lockout guard judges a
 * plan. The desired state is not the whole rule set (automatic, legacy and unmanaged rules are on
 * the firewall too), so where no desired rule decides the path, `validate` cannot know whether the
 * firewall passes it: that is a warning, and the guard decides at plan time with the live rules.
 */
export const managementFindings = (policy: CompiledPolicy): ReadonlyArray<Draft> => {
  const m = policy.input.management
  const path = packetOf(policy)
  if (m === undefined || path === undefined || m.antiLockout === true) return []
  const compiled = compilePacket(policy, path.packet)
  if (compiled._tag === "Invalid") return []
  const result = explainCompiled(policy, compiled.packet, path.packet, [])
  const label = path.label
  const hint =
    `keep a quick pass rule for the management path (${label}) above every block rule, or enable the anti-lockout rule`
  const complete = policy.input.origin !== "desired"
  const verdict = pathVerdict(result, undefined)
  switch (verdict._tag) {
    case "Open":
      return []
    case "AtRisk":
      return verdict.steps.map((s): Draft => ({
        code: "management-at-risk",
        kind: "rule",
        name: s.rule,
        message: `rule "${s.rule}" may block the management path (${label}): ${s.reasons.join("; ")}`,
        hint,
        source: s.source,
        related: []
      }))
    case "Unattributed":
      return [{
        code: complete && verdict.certain ? "management-lockout" : "management-at-risk",
        kind: "site",
        message: complete
          ? `no rule passes the management path (${label}): the default deny blocks it${
            verdict.certain ? "" : " unless an opaque rule matches"
          }`
          : `no rule of the desired state passes the management path (${label}): the default deny blocks it unless a rule outside git (the anti-lockout rule, an unmanaged or legacy rule) passes it; plan checks it against the firewall's rules`,
        hint,
        related: []
      }]
    case "Cut": {
      const decider = result.decidedBy.kind === "rule" ? result.decidedBy : undefined
      return [{
        code: verdict.certain ? "management-lockout" : "management-at-risk",
        kind: "rule",
        name: verdict.decider,
        message: `rule "${verdict.decider ?? ""}" ${
          verdict.certain ? "blocks" : "may block"
        } the management path (${label})`,
        hint,
        source: decider?.source,
        related: []
      }]
    }
  }
}

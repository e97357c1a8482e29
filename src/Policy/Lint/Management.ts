/**
 * The management path (SiteConfig.management): a TCP connection from the admin's source to the
 * firewall's management address and port (default 443) arriving on the management interface. If the
 * rule set would block it, the operator loses the web UI and API; that is an error.
 */
import type { CompiledPolicy } from "../Compile.ts"
import type { Packet } from "../Domain.ts"
import { explainCompiled } from "../Evaluate.ts"
import { compilePacket, formatIp } from "../Packet.ts"
import { parseIp } from "../Ranges.ts"
import type { Draft } from "./Finding.ts"

/**
 * The management source as one address: itself when it is an address, else a host inside the
 * network or alias it names (the first after the network address), else unknown.
 */
const representative = (policy: CompiledPolicy, source: string | undefined): string | undefined => {
  if (source === undefined) return undefined
  if (parseIp(source) !== undefined) return source
  const first = policy.resolver.addresses([source]).v4[0]
  if (first === undefined) return undefined
  return formatIp({ family: 4, value: first.hi > first.lo ? first.lo + 1n : first.lo })
}

export const managementPacket = (policy: CompiledPolicy): Packet | undefined => {
  const m = policy.input.management
  if (m === undefined) return undefined
  const source = representative(policy, m.source)
  const destination = m.address !== undefined && parseIp(m.address) !== undefined ? m.address : undefined
  return {
    protocol: "tcp",
    destinationPort: m.port ?? 443,
    interface: m.interface,
    direction: "in",
    ...(source !== undefined ? { source } : {}),
    ...(destination !== undefined ? { destination } : {})
  }
}

export const managementFindings = (policy: CompiledPolicy): ReadonlyArray<Draft> => {
  const m = policy.input.management
  const packet = managementPacket(policy)
  if (m === undefined || packet === undefined || m.antiLockout === true) return []
  const compiled = compilePacket(policy, packet)
  if (compiled._tag === "Invalid") return []
  const result = explainCompiled(policy, compiled.packet, packet, [])
  const from = m.source === undefined
    ? "any source"
    : packet.source === undefined || packet.source === m.source
    ? m.source
    : `${m.source} (e.g. ${packet.source})`
  const path = `tcp ${from} → ${m.address ?? "(self)"}:${m.port ?? 443} in on ${m.interface}`
  const hint =
    `keep a quick pass rule for the management path (${path}) above every block rule, or enable the anti-lockout rule`
  if (result.decision !== "pass") {
    const code = result.certain ? "management-lockout" : "management-at-risk"
    if (result.decidedBy.kind === "default") {
      return [{
        code,
        kind: "site",
        message: `no rule passes the management path (${path}): the default deny blocks it${
          result.certain ? "" : " unless an opaque rule matches"
        }`,
        hint,
        related: []
      }]
    }
    return [{
      code,
      kind: "rule",
      name: result.decidedBy.rule,
      message: `rule "${result.decidedBy.rule}" ${
        result.certain ? "blocks" : "may block"
      } the management path (${path})`,
      hint,
      source: result.decidedBy.source,
      related: []
    }]
  }
  if (result.certain) return []
  const risky = result.steps.filter((s) => s.match === "maybe" && s.action !== "pass")
  return risky.map((s): Draft => ({
    code: "management-at-risk",
    kind: "rule",
    name: s.rule,
    message: `rule "${s.rule}" may block the management path (${path}): ${s.reasons.join("; ")}`,
    hint,
    source: s.source,
    related: []
  }))
}

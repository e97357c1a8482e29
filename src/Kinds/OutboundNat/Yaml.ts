/**
 * Outbound NAT rules: the checks opnsense/core enforces (Filter.xml `snatrules.rule` field types,
 * Filter.php performValidation) before any API call, alias references checked against the site,
 * the outbound NAT mode lint, and the canonical specs.
 */
import { parseCidr } from "../../DesiredState/Addresses.ts"
import { checkCommon } from "../../DesiredState/Common.ts"
import type { IssueInput } from "../../DesiredState/Issues.ts"
import { suggestion } from "../../DesiredState/Issues.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import { protocols } from "../../DesiredState/Names.ts"
import type { Issue } from "../../Domain/Desired.ts"
import { normalizeProtocol, portProtocols } from "../../Domain/Normalize.ts"
import type { LoadContext } from "../Kind.ts"
import { addressProblem, canonicalAddress, canonicalPort, portProblem } from "./Address.ts"
import type { NatEndpointInput, OutboundNatInput } from "./Input.ts"
import type { NatEndpoint, OutboundNatSpec } from "./Spec.ts"

const INTERFACE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/

type Side = "source" | "destination"

/** The parts of a written endpoint with their YAML paths. */
const partsOf = (side: Side, input: NatEndpointInput | undefined) =>
  input === undefined
    ? { address: undefined, port: undefined, invert: false }
    : typeof input === "string"
    ? { address: { value: input, path: [side] }, port: undefined, invert: false }
    : {
      address: input.address === undefined ? undefined : { value: input.address, path: [side, "address"] },
      port: input.port === undefined ? undefined : { value: input.port, path: [side, "port"] },
      invert: input.invert ?? false
    }

export const endpointOf = (side: Side, input: NatEndpointInput | undefined): NatEndpoint => {
  const parts = partsOf(side, input)
  return {
    address: canonicalAddress(parts.address?.value),
    invert: parts.invert,
    port: canonicalPort(parts.port?.value)
  }
}

export const outboundNatSpec = (input: OutboundNatInput): OutboundNatSpec => ({
  enabled: input.enabled ?? true,
  noNat: input.no_nat ?? false,
  interface: input.interface,
  ipVersion: input.ip_version === "ipv6" ? "inet6" : "inet",
  protocol: normalizeProtocol(input.protocol),
  source: endpointOf("source", input.source),
  destination: endpointOf("destination", input.destination),
  target: canonicalAddress(input.target),
  targetPort: canonicalPort(input.target_port),
  staticPort: input.static_port ?? false,
  log: input.log ?? false,
  description: input.description ?? ""
})

const at = (item: Located<unknown>, path: ReadonlyArray<PropertyKey>, problem: IssueInput | undefined) =>
  problem === undefined ? [] : [report(item, path, problem)]

const portNeedsTcpUdp = (protocol: string, what: string): IssueInput => ({
  code: "port-needs-tcp-udp",
  message: `${what} ports only apply to TCP or UDP, this entry's protocol is ${protocol}`,
  hint: "set protocol: tcp, udp or tcp/udp, or remove the port"
})

const checkRule = (rule: Located<OutboundNatInput>, context: LoadContext): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...checkCommon(rule)]
  const { aliases } = context
  const value = rule.value
  if (!INTERFACE.test(value.interface) || value.interface === "lo0") {
    issues.push(report(rule, ["interface"], {
      code: "invalid-interface",
      message: `"${value.interface}" is not an interface identifier`,
      hint: "use the identifier OPNsense shows (wan, opt2)"
    }))
  }
  const protocol = normalizeProtocol(value.protocol)
  if (!protocols.has(protocol)) {
    issues.push(report(rule, ["protocol"], {
      code: "invalid-protocol",
      message: `unknown protocol "${value.protocol ?? ""}"`,
      hint: suggestion(protocol, protocols) ?? "use any, tcp, udp, tcp/udp, icmp, ..."
    }))
  }
  const family = value.ip_version === "ipv6" ? 6 : 4
  const ports = protocol === "any" || portProtocols.has(protocol)
  for (const side of ["source", "destination"] as const) {
    const parts = partsOf(side, value[side])
    if (parts.address !== undefined) {
      issues.push(...at(rule, parts.address.path, addressProblem(aliases, parts.address.value, family)))
    }
    if (parts.port !== undefined) {
      const problem = portProblem(aliases, parts.port.value)
      issues.push(...at(rule, parts.port.path, problem))
      // opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php performValidation
      // "Source/Destination ports are only valid for tcp or udp type rules."
      if (problem === undefined && canonicalPort(parts.port.value) !== "" && !ports) {
        issues.push(report(rule, parts.port.path, portNeedsTcpUdp(protocol, side)))
      }
    }
  }
  if (value.target !== undefined) {
    // opnsense/core 26.1.11, 26.7.2: Filter.php "Target address cannot be any."
    if (canonicalAddress(value.target) === "") {
      issues.push(report(rule, ["target"], {
        code: "invalid-address",
        message: "the target cannot be any",
        hint: "name the address to translate to (wanip, an address, an alias), or leave target out"
      }))
    } else issues.push(...at(rule, ["target"], addressProblem(aliases, value.target, family)))
  }
  if (value.target_port !== undefined) {
    // target_port is a PortField without aliases (Filter.xml: EnableWellKnown, EnableRanges)
    const problem = portProblem(undefined, value.target_port)
    issues.push(...at(rule, ["target_port"], problem))
    if (problem === undefined && canonicalPort(value.target_port) !== "" && !ports) {
      issues.push(report(rule, ["target_port"], portNeedsTcpUdp(protocol, "target")))
    }
  }
  // opnsense/core 26.7.2: src/opnsense/mvc/app/library/OPNsense/Firewall/SNatRule.php writes no
  // target port with static-port, and neither (nor a target) for a "no nat" rule
  if (value.static_port === true && (value.no_nat === true || canonicalPort(value.target_port) !== "")) {
    issues.push(report(rule, ["static_port"], {
      code: "static-port-ignored",
      severity: "warning",
      message: value.no_nat === true
        ? "static_port does nothing on a no_nat rule: OPNsense translates nothing there"
        : "static_port and target_port together: OPNsense keeps the source port and ignores target_port",
      hint: value.no_nat === true ? "remove static_port" : "keep one of them"
    }, "key"))
  }
  return issues
}

/**
 * Rules written while the site's outbound NAT mode is automatic: from 26.1.11 pf gets the MVC
 * source NAT rules only in hybrid or advanced mode (opnsense/core 26.1.11, 26.7.2:
 * src/etc/inc/plugins.inc.d/pf.inc), so they would not be loaded.
 */
const modeLint = (rules: ReadonlyArray<Located<OutboundNatInput>>, context: LoadContext): ReadonlyArray<Issue> => {
  const mode = context.site.outboundNatMode
  if (mode !== "automatic" && mode !== "disabled") return []
  return rules.filter((r) => r.value.enabled !== false).map((r) =>
    report(r, [], {
      code: "outbound-nat-unused",
      severity: "warning",
      message: `outbound NAT rule "${r.name}" is written while the site's outbound_nat_mode is ${mode}: ` +
        "OPNsense 26.1.11 and later do not load configured outbound NAT rules in that mode",
      hint: "set outbound_nat_mode: hybrid (automatic rules plus these) or advanced (only these) in sites.yaml"
    }, "key")
  )
}

export const checkOutboundNat = (
  rules: ReadonlyArray<Located<OutboundNatInput>>,
  context: LoadContext
): ReadonlyArray<Issue> => [...rules.flatMap((r) => checkRule(r, context)), ...modeLint(rules, context)]

/** Whether a written literal is an address (for 1:1's family checks). */
export const familyOf = (raw: string): 4 | 6 | undefined => {
  const literal = parseCidr(raw.trim())
  return literal._tag === "Literal" ? literal.family : undefined
}

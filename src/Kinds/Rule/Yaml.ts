/**
 * Filter rules: the cross-field rules OPNsense enforces (opnsense/core Filter.php
 * performValidation and the Filter.xml field types) checked before any API call, references to
 * aliases checked against the site, and the canonical specs.
 */
import { parseCidr } from "../../DesiredState/Addresses.ts"
import { canonicalCategories, checkCommon } from "../../DesiredState/Common.ts"
import type { EndpointInput } from "../../DesiredState/Fields.ts"
import { type IssueInput, suggestion } from "../../DesiredState/Issues.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import { ALIAS_NAME, protocols } from "../../DesiredState/Names.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { Endpoint } from "../../Domain/Model.ts"
import {
  normalizeAddresses,
  normalizePort,
  normalizeProtocol,
  portProtocols,
  sortedSet
} from "../../Domain/Normalize.ts"
import { type AliasTable } from "../Alias/Spec.ts"
import { aliasTypeOf } from "../Alias/Yaml.ts"
import type { RuleInput } from "./Input.ts"
import type { IpVersion, RuleSpec } from "./Spec.ts"

type Side = "source" | "destination"

interface Part<A> {
  readonly value: A
  readonly path: ReadonlyArray<PropertyKey>
}

interface EndpointParts {
  readonly addresses: ReadonlyArray<Part<string>>
  readonly port: Part<string | number> | undefined
  readonly invert: boolean
}

const isList = (u: EndpointInput): u is ReadonlyArray<string> => Array.isArray(u)

const partsOf = (side: Side, input: EndpointInput | undefined): EndpointParts => {
  if (input === undefined) return { addresses: [], port: undefined, invert: false }
  if (typeof input === "string") return { addresses: [{ value: input, path: [side] }], port: undefined, invert: false }
  if (isList(input)) {
    return { addresses: input.map((value, i) => ({ value, path: [side, i] })), port: undefined, invert: false }
  }
  const { address, port, invert } = input
  const addresses = address === undefined
    ? []
    : typeof address === "string"
    ? [{ value: address, path: [side, "address"] }]
    : address.map((value, i) => ({ value, path: [side, "address", i] }))
  return {
    addresses,
    port: port === undefined ? undefined : { value: port, path: [side, "port"] },
    invert: invert ?? false
  }
}

export const ipVersionOf = (input: RuleInput["ip_version"]): IpVersion => {
  switch (input) {
    case undefined:
    case "ipv4":
    case "inet":
      return "inet"
    case "ipv6":
    case "inet6":
      return "inet6"
    case "ipv4+ipv6":
    case "inet46":
      return "inet46"
  }
}

const interfacesOf = (input: RuleInput["interface"]): ReadonlyArray<string> => {
  const list = typeof input === "string" ? [input] : input
  return sortedSet(list.filter((i) => i.toLowerCase() !== "floating"))
}

export const endpointOf = (side: Side, input: EndpointInput | undefined): Endpoint => {
  const parts = partsOf(side, input)
  const port = normalizePort(parts.port?.value)
  return {
    addresses: normalizeAddresses(parts.addresses.map((a) => a.value)),
    invert: parts.invert,
    port: port._tag === "Invalid" ? "" : port.value
  }
}

export const ruleSpec = (input: RuleInput): RuleSpec => ({
  enabled: input.enabled ?? true,
  action: input.action,
  quick: input.quick ?? true,
  interfaces: interfacesOf(input.interface),
  interfaceInvert: input.interface_invert ?? false,
  direction: input.direction ?? "in",
  ipVersion: ipVersionOf(input.ip_version),
  protocol: normalizeProtocol(input.protocol),
  source: endpointOf("source", input.source),
  destination: endpointOf("destination", input.destination),
  log: input.log ?? false,
  gateway: input.gateway ?? "",
  description: input.description ?? "",
  categories: canonicalCategories(input.categories)
})

const INTERFACE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/
const WELL_KNOWN_INTERFACE = /^(lan|wan|opt\d+)$/

export interface RuleContext {
  readonly aliases: AliasTable
  /** interface identifiers named by the site's rules (lan, opt3, groups): their nets may be addresses */
  readonly interfaces: ReadonlySet<string>
}

export const ruleContext = (rules: ReadonlyArray<Located<RuleInput>>, aliases: AliasTable): RuleContext => ({
  aliases,
  interfaces: new Set(rules.flatMap((r) => interfacesOf(r.value.interface)))
})

const isInterface = (ctx: RuleContext, name: string) => WELL_KNOWN_INTERFACE.test(name) || ctx.interfaces.has(name)

/** Items with interfaces (rules, port forwards). */
interface OnInterfaces {
  readonly interface: RuleInput["interface"]
  readonly interface_invert?: boolean | undefined
}

export const checkInterfaces = (rule: Located<OnInterfaces>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const input = rule.value.interface
  const list = typeof input === "string"
    ? [{ value: input, path: ["interface"] }]
    : input.map((value, i) => ({ value, path: ["interface", i] }))
  for (const { value, path } of list) {
    if (value === "" || value.toLowerCase() === "floating") {
      if (list.length > 1) {
        issues.push(
          report(rule, path, {
            code: "invalid-interface",
            message: "floating cannot be combined with named interfaces",
            hint: "write floating alone, or list the interfaces"
          })
        )
      }
    } else if (!INTERFACE.test(value) || value === "lo0") {
      issues.push(report(rule, path, {
        code: "invalid-interface",
        message: `"${value}" is not an interface identifier`,
        hint: "use the identifier OPNsense shows (lan, wan, opt3, a group name), or floating"
      }))
    }
  }
  const count = interfacesOf(input).length
  if (rule.value.interface_invert === true && count !== 1) {
    issues.push(report(rule, ["interface_invert"], {
      code: "interface-invert",
      message: `interface_invert needs exactly one interface, this rule has ${count === 0 ? "none (floating)" : count}`,
      hint: "OPNsense only inverts single interfaces; split the rule or list the interfaces you mean"
    }))
  }
  return issues
}

/** "any": the object names no family (a port forward without ipprotocol), so literals of both fit. */
type Family = IpVersion | "any"

const checkAddress = (ctx: RuleContext, part: Part<string>, ipVersion: Family): IssueInput | undefined => {
  const value = part.value.trim()
  if (value.toLowerCase() === "any" || value === "(self)") return undefined
  const literal = parseCidr(value)
  if (literal._tag === "Invalid") {
    return {
      code: "invalid-address",
      message: literal.reason,
      hint: "write an address (10.0.0.1), a CIDR (10.0.0.0/24) or an alias name"
    }
  }
  if (literal._tag === "Literal" && ipVersion === "any") return literal.warning
  if (literal._tag === "Literal") {
    // opnsense/core 25.7, 26.1, 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php
    // performValidation: a literal's family ("inet" without ':', else "inet6") must equal
    // ipprotocol, so inet46 never matches ("Source address type should match selected TCP/IP
    // protocol version.")
    const family = literal.family === 4 ? "inet" : "inet6"
    if (family !== ipVersion) {
      const written = ipVersion === "inet" ? "ipv4" : ipVersion === "inet6" ? "ipv6" : "ipv4+ipv6"
      return {
        code: "address-family",
        message: `IPv${literal.family} address "${value}" in a rule with ip_version ${written}: ` +
          "OPNsense requires a literal address to match the rule's one family",
        hint: ipVersion === "inet46"
          ? `one rule per family (this one ip_version: ipv${literal.family}), or put the address in an alias`
          : `set ip_version: ipv${literal.family}, or use an IPv${literal.family === 4 ? 6 : 4} address; ` +
            "for both families: one rule per family, or an alias"
      }
    }
    return literal.warning
  }
  const aliasType = aliasTypeOf(ctx.aliases, value)
  if (aliasType === "port") {
    return {
      code: "alias-type-mismatch",
      message: `port alias "${value}" cannot be used as an address`,
      hint: "move it to the port field"
    }
  }
  if (aliasType !== undefined) return undefined
  if (isInterface(ctx, value) || (value.endsWith("ip") && isInterface(ctx, value.slice(0, -2)))) return undefined
  return {
    code: "unknown-alias",
    message: `"${value}" is not an address, a CIDR, an alias of this site or an interface net`,
    hint: suggestion(value, [...ctx.aliases.keys(), ...ctx.interfaces]) ??
      (ALIAS_NAME.test(value)
        ? `define an alias named "${value}" or write an address; interface nets are written lan, opt3 (address: lanip)`
        : "write an address, a CIDR or an alias name")
  }
}

/** Items with a source and a destination (rules, port forwards). */
interface WithEndpoints {
  readonly source?: EndpointInput | undefined
  readonly destination?: EndpointInput | undefined
}

export const checkEndpoint = (
  rule: Located<WithEndpoints>,
  ctx: RuleContext,
  side: Side,
  protocol: string,
  ipVersion: Family
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const parts = partsOf(side, rule.value[side])
  const { addresses } = parts
  for (const part of addresses) {
    const problem = checkAddress(ctx, part, ipVersion)
    if (problem !== undefined) issues.push(report(rule, part.path, problem))
    if (addresses.length > 1 && part.value.trim().toLowerCase() === "any") {
      issues.push(
        report(rule, part.path, {
          code: "any-combined",
          message: `"any" cannot be combined with other ${side} values`,
          hint: "remove any, or remove the other values"
        })
      )
    }
  }
  if (parts.invert && addresses.length > 1) {
    issues.push(report(rule, [side, "invert"], {
      code: "invert-multiple",
      message: `invert only works with a single ${side} value, found ${addresses.length}`,
      hint: "put the values in an alias and invert the alias"
    }))
  }
  // opnsense/core 25.7, 26.1, 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/NetworkAliasField.php
  // getValidators adds the value to the accepted options only when the whole field is one address
  // or subnet; in a list every literal is "not a valid source IP address or alias".
  if (addresses.length > 1) {
    for (const part of addresses) {
      if (parseCidr(part.value.trim())._tag !== "Literal") continue
      issues.push(report(rule, part.path, {
        code: "literal-list",
        message: `address "${part.value.trim()}" in a list of ${addresses.length} ${side} values: ` +
          `OPNsense accepts a literal address only as the single ${side} value`,
        hint: "put the addresses in a host or network alias and name the alias here, or one rule per address"
      }))
    }
  }
  if (parts.port !== undefined) {
    const port = normalizePort(parts.port.value)
    const at = parts.port.path
    if (port._tag === "Invalid") {
      issues.push(
        report(rule, at, {
          code: "invalid-port",
          message: port.reason,
          hint: "write 443, \"8000-8080\", a service name such as https, or a port alias"
        })
      )
    } else if (port._tag === "Alias") {
      const type = aliasTypeOf(ctx.aliases, port.value)
      if (type === undefined) {
        issues.push(report(rule, at, {
          code: "unknown-alias",
          message: `"${port.value}" is not a port, a service name or a port alias of this site`,
          hint: suggestion(port.value, [...ctx.aliases.keys()]) ?? `define a port alias named "${port.value}"`
        }))
      } else if (type !== "port") {
        issues.push(
          report(rule, at, {
            code: "alias-type-mismatch",
            message: `${type} alias "${port.value}" cannot be used as a port`,
            hint: "only port aliases fit in port fields"
          })
        )
      }
    }
    if (port._tag !== "Invalid" && port.value !== "" && protocols.has(protocol) && !portProtocols.has(protocol)) {
      issues.push(report(rule, at, {
        code: "port-needs-tcp-udp",
        message: `ports only apply to TCP or UDP, this rule's protocol is ${protocol}`,
        hint: "set protocol: tcp, udp or tcp/udp, or remove the port"
      }))
    }
  }
  return issues
}

const checkRule = (rule: Located<RuleInput>, ctx: RuleContext): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...checkCommon(rule), ...checkInterfaces(rule)]
  const protocol = normalizeProtocol(rule.value.protocol)
  if (!protocols.has(protocol)) {
    issues.push(report(rule, ["protocol"], {
      code: "invalid-protocol",
      message: `unknown protocol "${rule.value.protocol ?? ""}"`,
      hint: suggestion(protocol, protocols) ?? "use any, tcp, udp, tcp/udp, icmp, ipv6-icmp, esp, gre, ..."
    }))
  }
  const ipVersion = ipVersionOf(rule.value.ip_version)
  if (protocol === "ICMP" && ipVersion === "inet6") {
    issues.push(
      report(rule, ["protocol"], {
        code: "address-family",
        message: "ICMP is IPv4; IPv6 rules use ipv6-icmp",
        hint: "write protocol: ipv6-icmp"
      })
    )
  }
  if (protocol === "IPV6-ICMP" && ipVersion === "inet") {
    issues.push(
      report(rule, ["protocol"], {
        code: "address-family",
        message: "ipv6-icmp needs ip_version ipv6",
        hint: "set ip_version: ipv6, or use protocol icmp"
      })
    )
  }
  for (const side of ["source", "destination"] as const) {
    issues.push(...checkEndpoint(rule, ctx, side, protocol, ipVersion))
  }
  return issues
}

export const checkRules = (rules: ReadonlyArray<Located<RuleInput>>, aliases: AliasTable): ReadonlyArray<Issue> => {
  const ctx = ruleContext(rules, aliases)
  return rules.flatMap((r) => checkRule(r, ctx))
}

/**
 * Port forwards: the checks OPNsense makes (opnsense/core 26.1.4 … 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/DNat.php performValidation, and the DNat.xml field
 * types) made before any API call, alias references checked against the site, and the canonical
 * specs. Endpoints take the forms and checks of rules (src/Kinds/Rule/Yaml.ts).
 */
import { parseCidr } from "../../DesiredState/Addresses.ts"
import { canonicalCategories, checkCommon } from "../../DesiredState/Common.ts"
import { type IssueInput, suggestion } from "../../DesiredState/Issues.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import { protocols } from "../../DesiredState/Names.ts"
import type { Issue } from "../../Domain/Desired.ts"
import { normalizePort, normalizeProtocol, portProtocols, sortedSet } from "../../Domain/Normalize.ts"
import type { AliasTable } from "../Alias/Spec.ts"
import { aliasTypeOf } from "../Alias/Yaml.ts"
import { checkEndpoint, checkInterfaces, endpointOf, ipVersionOf as ruleIpVersionOf } from "../Rule/Yaml.ts"
import type { PortForwardInput } from "./Input.ts"
import type { ForwardIpVersion, PortForwardSpec } from "./Spec.ts"

/** a rule's IP versions, and `any`, which the DNat model has besides them */
const ipVersionOf = (input: PortForwardInput["ip_version"]): ForwardIpVersion =>
  input === "any" ? "any" : ruleIpVersionOf(input)

const interfacesOf = (input: PortForwardInput["interface"]): ReadonlyArray<string> =>
  sortedSet(typeof input === "string" ? [input] : input)

const portOf = (input: string | number | undefined): string => {
  const port = normalizePort(input)
  return port._tag === "Invalid" ? "" : port.value
}

export const portForwardSpec = (input: PortForwardInput): PortForwardSpec => ({
  enabled: input.enabled ?? true,
  noRdr: input.no_rdr ?? false,
  interfaces: interfacesOf(input.interface),
  ipVersion: ipVersionOf(input.ip_version),
  protocol: normalizeProtocol(input.protocol),
  source: endpointOf("source", input.source),
  destination: endpointOf("destination", input.destination),
  target: (input.target ?? "").trim(),
  localPort: portOf(input.local_port),
  poolOptions: input.pool_options ?? "",
  filterRule: input.filter_rule ?? "manual",
  natReflection: input.nat_reflection ?? "default",
  log: input.log ?? false,
  tag: input.tag ?? "",
  tagged: input.tagged ?? "",
  noSync: input.no_sync ?? false,
  description: input.description ?? "",
  categories: canonicalCategories(input.categories)
})

/** opnsense/core 26.7.2: DNat.php performValidation checks the family only for inet and inet6. */
const familyOf = (v: ForwardIpVersion) => (v === "inet" || v === "inet6" ? v : "any")

const checkTarget = (
  item: Located<PortForwardInput>,
  aliases: AliasTable,
  ipVersion: ForwardIpVersion
): IssueInput | undefined => {
  const target = (item.value.target ?? "").trim()
  const noRdr = item.value.no_rdr === true
  // opnsense/core 26.7.2: DNat.php "Target must be empty when No RDR is set."
  if (noRdr) {
    return target === "" ? undefined : {
      code: "no-rdr-target",
      message: "a no_rdr port forward redirects nothing: it cannot have a target",
      hint: "remove target, or remove no_rdr"
    }
  }
  // opnsense/core 26.7.2: ForwardRule.php parseRdrRules disables a redirect without a target ("Missing target")
  if (target === "") {
    return {
      code: "missing-target",
      message: "a port forward needs a target address",
      hint: "write the address (or host alias) traffic is redirected to, e.g. target: 192.168.20.10"
    }
  }
  const literal = parseCidr(target)
  if (literal._tag === "Literal") {
    const family = literal.family === 4 ? "inet" : "inet6"
    const wanted = familyOf(ipVersion)
    if (wanted !== "any" && wanted !== family) {
      return {
        code: "address-family",
        message: `IPv${literal.family} target "${target}" in a port forward with ip_version ${
          wanted === "inet" ? "ipv4" : "ipv6"
        }: OPNsense requires a literal address to match the family`,
        hint: `set ip_version: ipv${literal.family}, or use an IPv${literal.family === 4 ? 6 : 4} target`
      }
    }
    return literal.warning
  }
  if (literal._tag === "Invalid" && !/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(target)) {
    return {
      code: "invalid-address",
      message: literal.reason,
      hint: "write an address (192.168.20.10) or a host alias"
    }
  }
  const type = aliasTypeOf(aliases, target)
  if (type === undefined) {
    return {
      code: "unknown-alias",
      message: `target "${target}" is not an address or an alias of this site`,
      hint: suggestion(target, [...aliases.keys()]) ?? `define a host alias named "${target}" or write an address`
    }
  }
  if (type === "port") {
    return {
      code: "alias-type-mismatch",
      message: `port alias "${target}" cannot be a target`,
      hint: "use a host alias"
    }
  }
  return undefined
}

const checkLocalPort = (
  item: Located<PortForwardInput>,
  aliases: AliasTable,
  protocol: string
): ReadonlyArray<Issue> => {
  const raw = item.value.local_port
  if (raw === undefined) return []
  const at = ["local_port"]
  if (item.value.no_rdr === true) {
    // opnsense/core 26.7.2: DNat.php "Port must be empty when No RDR is set."
    return [report(item, at, {
      code: "no-rdr-target",
      message: "a no_rdr port forward redirects nothing: it cannot have a local_port",
      hint: "remove local_port, or remove no_rdr"
    })]
  }
  const port = normalizePort(raw)
  const issues: Array<Issue> = []
  if (port._tag === "Invalid") {
    issues.push(
      report(item, at, {
        code: "invalid-port",
        message: port.reason,
        hint: "write 443, a service name or a port alias"
      })
    )
  } else if (/^\d+-\d+$/.test(port.value)) {
    // opnsense/core 26.7.2: DNat.xml local-port is a PortField without EnableRanges
    issues.push(report(item, at, {
      code: "invalid-port",
      message: `local_port ${port.value} is a range: the firewall takes one port (a destination range maps from it)`,
      hint: "write the first port of the range on the target"
    }))
  } else if (port._tag === "Alias" && aliasTypeOf(aliases, port.value) !== "port") {
    issues.push(report(item, at, {
      code: "unknown-alias",
      message: `"${port.value}" is not a port, a service name or a port alias of this site`,
      hint: suggestion(port.value, [...aliases.keys()]) ?? `define a port alias named "${port.value}"`
    }))
  }
  if (port._tag !== "Invalid" && port.value !== "" && protocols.has(protocol) && !portProtocols.has(protocol)) {
    // opnsense/core 26.7.2: DNat.php "Ports are only valid for TCP or UDP type rules."
    issues.push(report(item, at, {
      code: "port-needs-tcp-udp",
      message: `ports only apply to TCP or UDP, this port forward's protocol is ${protocol}`,
      hint: "set protocol: tcp, udp or tcp/udp, or remove the port"
    }))
  }
  return issues
}

const checkForward = (
  item: Located<PortForwardInput>,
  aliases: AliasTable,
  interfaces: ReadonlySet<string>
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...checkCommon(item), ...checkInterfaces(item)]
  const list = interfacesOf(item.value.interface)
  if (list.length === 0 || list.some((i) => i === "" || i.toLowerCase() === "floating")) {
    issues.push(report(item, ["interface"], {
      code: "invalid-interface",
      message: "a port forward needs the interface(s) traffic arrives on; it has no floating form",
      hint: "write the interface identifier, e.g. interface: wan"
    }))
  }
  const protocol = normalizeProtocol(item.value.protocol)
  if (!protocols.has(protocol)) {
    issues.push(report(item, ["protocol"], {
      code: "invalid-protocol",
      message: `unknown protocol "${item.value.protocol ?? ""}"`,
      hint: suggestion(protocol, protocols) ?? "use any, tcp, udp, tcp/udp, ..."
    }))
  }
  const ipVersion = ipVersionOf(item.value.ip_version)
  const ctx = { aliases, interfaces }
  for (const side of ["source", "destination"] as const) {
    issues.push(...checkEndpoint(item, ctx, side, protocol, familyOf(ipVersion)))
  }
  const target = checkTarget(item, aliases, ipVersion)
  if (target !== undefined) issues.push(report(item, ["target"], target))
  issues.push(...checkLocalPort(item, aliases, protocol))
  return issues
}

export const checkPortForwards = (
  items: ReadonlyArray<Located<PortForwardInput>>,
  aliases: AliasTable
): ReadonlyArray<Issue> => {
  const interfaces = new Set(items.flatMap((i) => interfacesOf(i.value.interface)))
  return items.flatMap((i) => checkForward(i, aliases, interfaces))
}

/**
 * A packet description (addresses as text, protocol name, optional ports and interface) checked
 * and turned into numbers once, before it is matched against thousands of rules.
 */
import { suggestion } from "../DesiredState/Issues.ts"
import { protocols } from "../DesiredState/Names.ts"
import type { LiveInterface } from "../Domain/Model.ts"
import { normalizeProtocol } from "../Domain/Normalize.ts"
import { resolveInterface } from "../Opnsense/Interfaces.ts"
import type { CompiledPolicy } from "./Compile.ts"
import type { Packet, PacketDirection } from "./Domain.ts"
import * as R from "./Ranges.ts"

export interface CompiledPacket {
  readonly source: R.Ip | undefined
  readonly destination: R.Ip | undefined
  /** IPv4 addresses as plain numbers (NaN for IPv6 or unknown) */
  readonly source4: number
  readonly destination4: number
  readonly family: R.Family | undefined
  readonly protocol: string
  readonly sourcePort: number | undefined
  readonly destinationPort: number | undefined
  readonly interface: string | undefined
  readonly direction: PacketDirection
}

export type PacketResult =
  | { readonly _tag: "Ok"; readonly packet: CompiledPacket; readonly notes: ReadonlyArray<string> }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> }

export const compilePacket = (policy: CompiledPolicy, packet: Packet): PacketResult => {
  const problems: Array<string> = []
  const notes: Array<string> = []
  const ip = (text: string | undefined, label: string) => {
    if (text === undefined || text.trim() === "" || text.trim().toLowerCase() === "any") return undefined
    const parsed = R.parseIp(text)
    if (parsed === undefined) problems.push(`${label} "${text}" is not an IPv4 or IPv6 address`)
    return parsed
  }
  const port = (value: number | undefined, label: string) => {
    if (value === undefined) return undefined
    if (!Number.isInteger(value) || value < 1 || value > 65535) problems.push(`${label} ${value} is outside 1-65535`)
    return value
  }
  const source = ip(packet.source, "source")
  const destination = ip(packet.destination, "destination")
  if (source !== undefined && destination !== undefined && source.family !== destination.family) {
    problems.push("source and destination must be of the same address family")
  }
  const protocol = normalizeProtocol(packet.protocol)
  if (protocol === "any" || protocol === "TCP/UDP") {
    problems.push(`protocol must be one protocol (tcp, udp, icmp, ...), not "${packet.protocol}"`)
  } else if (!protocols.has(protocol)) {
    // an unknown name would match no rule but a protocol-less one and read as a plain BLOCK
    const hint = suggestion(protocol.toLowerCase(), [...protocols].map((p) => p.toLowerCase()))
    problems.push(`unknown protocol "${packet.protocol}"${hint === undefined ? "" : `: ${hint}`}`)
  }
  const sourcePort = port(packet.sourcePort, "source port")
  const destinationPort = port(packet.destinationPort, "destination port")
  if (
    (sourcePort !== undefined || destinationPort !== undefined) && protocols.has(protocol) && protocol !== "TCP" &&
    protocol !== "UDP"
  ) {
    problems.push(`ports only apply to tcp and udp, not ${protocol}`)
  }
  const direction = packet.direction ?? "in"
  let iface = packet.interface
  if (iface !== undefined) {
    // an interface no rule set knows would match only floating rules and read as a plain decision
    const known = knownInterface(policy, iface)
    if (known._tag === "Problem") problems.push(known.problem)
    else if (known.identifier !== iface) {
      notes.push(`interface "${iface}" is ${known.identifier}`)
      iface = known.identifier
    }
  } else {
    iface = inferInterface(policy, direction === "in" ? source : destination)
    if (iface !== undefined) notes.push(`interface not given: ${iface} inferred from its network`)
    else notes.push("interface not given and not inferable: rules bound to interfaces may match")
  }
  if (problems.length > 0) return { _tag: "Invalid", problems }
  return {
    _tag: "Ok",
    notes,
    packet: {
      source,
      destination,
      source4: source?.family === 4 ? Number(source.value) : NaN,
      destination4: destination?.family === 4 ? Number(destination.value) : NaN,
      family: source?.family ?? destination?.family,
      protocol,
      sourcePort,
      destinationPort,
      interface: iface,
      direction
    }
  }
}

/**
 * The interface a packet names, as an identifier: one the input knows (compile's interfaceNames:
 * sites.yaml, rules, groups, the firewall's list for live input), or the description the firewall
 * gives one ("GUEST"), resolved the way plans resolve the interfaces rules name.
 */
const knownInterface = (
  policy: CompiledPolicy,
  name: string
): { readonly _tag: "Known"; readonly identifier: string } | { readonly _tag: "Problem"; readonly problem: string } => {
  if (policy.interfaceNames.has(name)) return { _tag: "Known", identifier: name }
  const descriptions = policy.input.interfaceDescriptions ?? {}
  const identifiers = new Set([...policy.interfaceNames, ...Object.keys(descriptions)])
  if (identifiers.has(name)) return { _tag: "Known", identifier: name }
  const known: ReadonlyArray<LiveInterface> = [...identifiers].sort().map((identifier) => ({
    identifier,
    // without the firewall's list, OPNsense's own default: the identifier in upper case ("LAN")
    description: descriptions[identifier] ?? identifier.toUpperCase(),
    device: "",
    addresses: []
  }))
  const resolved = resolveInterface(known, name)
  switch (resolved._tag) {
    case "Identifier":
    case "Description":
      return { _tag: "Known", identifier: resolved.identifier }
    case "Ambiguous":
      return {
        _tag: "Problem",
        problem: `interface "${name}" is the description of ${
          resolved.identifiers.join(" and ")
        }: name one by its identifier`
      }
    case "Unknown": {
      const hint = suggestion(name, known.flatMap((i) => [i.identifier, i.description]))
      const shown = (i: LiveInterface) =>
        descriptions[i.identifier] === undefined ? i.identifier : `${i.identifier} (${i.description})`
      const list = known.map(shown)
      const has = policy.input.origin === "desired"
        ? `the desired state knows ${list.join(", ")} (from its rules and sites.yaml; the live firewall may have more)`
        : `the firewall has ${list.join(", ")}`
      return {
        _tag: "Problem",
        problem: `unknown interface "${name}"${hint === undefined ? "" : ` (${hint})`}: ${has}`
      }
    }
  }
}

/** the interface whose network holds the address most specifically, when exactly one does */
const inferInterface = (policy: CompiledPolicy, address: R.Ip | undefined): string | undefined => {
  if (address === undefined) return undefined
  let best: { name: string; size: bigint } | undefined
  let tie = false
  for (const [name, net] of Object.entries(policy.input.interfaces ?? {})) {
    for (const cidr of net.networks ?? []) {
      const block = R.parseBlock(cidr)
      if (block === undefined || block.family !== address.family) continue
      if (address.value < block.interval.lo || address.value > block.interval.hi) continue
      const size = block.interval.hi - block.interval.lo
      if (best === undefined || size < best.size) {
        best = { name, size }
        tie = false
      } else if (size === best.size && best.name !== name) tie = true
    }
  }
  return tie ? undefined : best?.name
}

/** an address as text: dotted IPv4, or IPv6 groups with one run of zero groups written "::" */
export const formatIp = (ip: R.Ip): string => {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 255n)).join(".")
  const groups: Array<string> = []
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip.value >> s) & 0xffffn).toString(16))
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")
}

// an explanation shows the packet's addresses in the reason of every rule it walks: format them once
const shown = new WeakMap<R.Ip, string>()
export const showIp = (ip: R.Ip): string => {
  const known = shown.get(ip)
  if (known !== undefined) return known
  const text = formatIp(ip)
  shown.set(ip, text)
  return text
}

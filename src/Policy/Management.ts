/**
 * The management path, as one place decides it for `validate`/`lint` and for the lockout guard of
 * `plan`/`apply`: which TCP connections must stay open (`managementPaths`) and what a rule set
 * does to one of them (`pathVerdict`).
 *
 * The paths are the one declared in sites.yaml (`management`) and the one the API URL implies. The
 * URL's path is placed on the interface that holds its address, found in the firewall's interface
 * list (interfaces/overview); lo0 is never filtered (opnsense/core 26.7.2: src/etc/inc/filter.inc
 * "set skip on lo0"). When the interface cannot be known (a host name, no interface holds the
 * address: NAT or a tunnel in between, or no interface list), the path is "blind" and the caller
 * says so, with how to declare it.
 */
import type { ManagementPath } from "../Domain/Desired.ts"
import type { LiveInterface } from "../Domain/Model.ts"
import type { CompiledPolicy } from "./Compile.ts"
import type { Explanation, Packet, Step } from "./Domain.ts"
import { formatIp } from "./Packet.ts"
import { parseIp } from "./Ranges.ts"

export interface ManagementPacket {
  readonly label: string
  readonly packet: Packet
}

export interface ManagementPaths {
  readonly packets: ReadonlyArray<ManagementPacket>
  /** why the API URL's path could not be placed on an interface (empty when it was, or is declared) */
  readonly blind: ReadonlyArray<string>
}

const isAddress = (host: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":")
const isLoopback = (host: string): boolean => host.startsWith("127.") || host === "::1"
const LOOPBACK_DEVICE = "lo0"

export const apiEndpoint = (
  apiUrl: string | undefined
): { readonly host: string; readonly port: number } | undefined => {
  if (apiUrl === undefined) return undefined
  try {
    const url = new URL(apiUrl)
    const host = url.hostname.replace(/^\[|\]$/g, "")
    return { host, port: url.port !== "" ? Number(url.port) : url.protocol === "http:" ? 80 : 443 }
  } catch {
    return undefined
  }
}

const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

/** The interfaces whose own addresses include `host`. */
export const interfacesHolding = (
  interfaces: ReadonlyArray<LiveInterface>,
  host: string
): ReadonlyArray<LiveInterface> =>
  interfaces.filter((i) => i.addresses.some((a) => sameAddress(a.split("/")[0] ?? a, host)))

/**
 * The management source as one address: a host inside the network or alias it names (the first
 * after the network address), resolved with the policy's aliases; undefined when unknown.
 */
export const sourceExample = (policy: CompiledPolicy) => (source: string): string | undefined => {
  if (parseIp(source) !== undefined) return source
  const first = policy.resolver.addresses([source]).v4[0]
  if (first === undefined) return undefined
  return formatIp({ family: 4, value: first.hi > first.lo ? first.lo + 1n : first.lo })
}

export interface PathOptions {
  /** the URL this service talks to the firewall through */
  readonly apiUrl?: string | undefined
  /** the firewall's interfaces; undefined when they could not be read */
  readonly interfaces?: ReadonlyArray<LiveInterface> | undefined
  /** one address standing for a source that is a network or alias (lint resolves it) */
  readonly representative?: ((source: string) => string | undefined) | undefined
}

/** The management paths of a site: the declared one and the one the API URL implies. */
export const managementPaths = (m: ManagementPath | undefined, o: PathOptions = {}): ManagementPaths => {
  const out: Array<ManagementPacket> = []
  const blind: Array<string> = []
  const sourceOf = (source: string | undefined): { readonly text: string; readonly address?: string } => {
    if (source === undefined) return { text: "any source" }
    if (isAddress(source)) return { text: source, address: source }
    const example = o.representative?.(source)
    return example === undefined ? { text: source } : { text: `${source} (e.g. ${example})`, address: example }
  }
  const add = (iface: string | undefined, address: string | undefined, port: number) => {
    const source = sourceOf(m?.source)
    const packet: Packet = {
      protocol: "tcp",
      destinationPort: port,
      direction: "in",
      ...(iface !== undefined ? { interface: iface } : {}),
      ...(source.address !== undefined ? { source: source.address } : {}),
      ...(address !== undefined ? { destination: address } : {})
    }
    const label = `tcp ${source.text} → ${address ?? "(self)"}:${port}${iface !== undefined ? ` in on ${iface}` : ""}`
    if (!out.some((p) => p.label === label)) out.push({ label, packet })
  }
  const api = apiEndpoint(o.apiUrl)
  const apiAddress = api !== undefined && isAddress(api.host) ? api.host : undefined
  if (m !== undefined) {
    const declared = m.address !== undefined && isAddress(m.address) ? m.address : undefined
    add(m.interface, declared ?? apiAddress, m.port ?? api?.port ?? 443)
  }
  if (api === undefined) return { packets: out, blind }
  if (apiAddress === undefined) {
    if (m === undefined) blind.push(`the API URL names the host "${api.host}", not an address`)
    return { packets: out, blind }
  }
  const holding = o.interfaces === undefined ? undefined : interfacesHolding(o.interfaces, apiAddress)
  if (holding !== undefined && holding.length > 0) {
    for (const i of holding) {
      // pf skips lo0: a connection to one of its addresses never meets a rule
      if (i.device !== LOOPBACK_DEVICE) add(i.identifier, apiAddress, api.port)
    }
  } else if (m !== undefined) {
    // the declared management interface, unless the address is loopback (the sandbox or a tunnel)
    if (!isLoopback(apiAddress)) add(m.interface, apiAddress, api.port)
  } else {
    blind.push(
      holding === undefined
        ? "the firewall's interface list could not be read (the API key needs the privilege page-interfaces-overview)"
        : `no interface of the firewall holds ${apiAddress} (NAT, a port forward or a tunnel between here and the firewall?)`
    )
  }
  return { packets: out, blind }
}

/** How to declare the path when the guard cannot find it. */
export const declareHint = (site: string, port: number | undefined): string =>
  `declare it in sites.yaml: sites: [{ name: ${site}, management: { interface: <identifier, e.g. lan>, address: <firewall address on it>, port: ${
    port ?? 443
  }, source: <admin address or network> } }]`

/**
 * What a rule set does to one management path: `after` is the evaluation against the rules as
 * they will be, `before` against the rules as they are (undefined when unknown: `validate` sees
 * only the desired state).
 *
 * - Open: passed for certain;
 * - AtRisk: passed, but a rule before could match and block (the steps that could);
 * - Cut: blocked by a rule, or by the default deny where it used to be passed;
 * - Unattributed: blocked by the default deny, and it was not passed before either (or that is
 *   unknown): rules outside the set must pass it, if anything does.
 */
export type PathVerdict =
  | { readonly _tag: "Open" }
  | { readonly _tag: "AtRisk"; readonly steps: ReadonlyArray<Step> }
  | { readonly _tag: "Cut"; readonly certain: boolean; readonly decider: string | undefined }
  | { readonly _tag: "Unattributed"; readonly certain: boolean }

export const pathVerdict = (after: Explanation, before: Explanation | undefined): PathVerdict => {
  if (after.decision === "pass") {
    return after.certain
      ? { _tag: "Open" }
      : { _tag: "AtRisk", steps: after.steps.filter((s) => s.match === "maybe" && s.action !== "pass") }
  }
  const decider = after.decidedBy.kind === "rule" ? after.decidedBy.rule : undefined
  if (decider !== undefined || before?.decision === "pass") return { _tag: "Cut", certain: after.certain, decider }
  return { _tag: "Unattributed", certain: after.certain }
}

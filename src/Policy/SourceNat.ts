/**
 * Outbound NAT rules as pf meets them, for lint: OPNsense writes each enabled rule of the source
 * NAT model as one `nat`/`no nat` line on its interface (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/library/OPNsense/Firewall/SNatRule.php; src/etc/inc/plugins.inc.d/pf.inc
 * registers them by sequence), and pf takes the first that matches a packet leaving on that
 * interface, after every binat rule (pf_get_translation, FreeBSD sys/netpfil/pf/pf_lb.c).
 */
import type { OutboundNatSpec } from "../Kinds/OutboundNat/Spec.ts"
import { type CompiledPolicy, type CompiledRule, compileEndpoint, familiesOf, maskOf, protocolsOf } from "./Compile.ts"
import type { PolicyOutboundNat } from "./Domain.ts"

export interface CompiledOutboundNat {
  readonly entry: PolicyOutboundNat
  /** the rule's match conditions as a rule's (quick pass, direction out) */
  readonly match: CompiledRule
}

const endpoint = (e: OutboundNatSpec["source"]) => ({
  addresses: e.address === "" || e.address.toLowerCase() === "any" ? [] : [e.address],
  invert: e.invert,
  port: e.port
})

const compiled = new WeakMap<CompiledPolicy, ReadonlyArray<CompiledOutboundNat>>()

/** The policy's outbound NAT rules in sequence order. */
export const outboundNatOf = (policy: CompiledPolicy): ReadonlyArray<CompiledOutboundNat> => {
  const known = compiled.get(policy)
  if (known !== undefined) return known
  const groups = policy.input.groups ?? {}
  const made = (policy.input.outboundNat ?? [])
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.sequence - b.entry.sequence || a.index - b.index)
    .map(({ entry }, position): CompiledOutboundNat => {
      const { spec } = entry
      const source = endpoint(spec.source)
      const destination = endpoint(spec.destination)
      const protocols = protocolsOf(spec.protocol)
      return {
        entry,
        match: {
          position,
          rule: {
            name: entry.name,
            spec: {
              enabled: spec.enabled,
              action: "pass",
              quick: true,
              interfaces: [spec.interface],
              interfaceInvert: false,
              direction: "out",
              ipVersion: spec.ipVersion,
              protocol: spec.protocol,
              source,
              destination,
              log: spec.log,
              gateway: "",
              description: spec.description,
              categories: []
            },
            sequence: entry.sequence,
            origin: entry.origin,
            ...(entry.source !== undefined ? { source: entry.source } : {})
          },
          group: "interface",
          priority: 50,
          enabled: spec.enabled,
          action: "pass",
          quick: true,
          log: spec.log,
          interfaces: { kind: "only", names: new Set([spec.interface, ...(groups[spec.interface]?.members ?? [])]) },
          direction: "out",
          families: familiesOf(spec.ipVersion),
          protocols,
          protocolMask: maskOf(protocols),
          source: compileEndpoint(policy.resolver, source),
          destination: compileEndpoint(policy.resolver, destination)
        }
      }
    })
  compiled.set(policy, made)
  return made
}

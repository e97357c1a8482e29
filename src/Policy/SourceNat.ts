/**
 * Outbound NAT rules as pf meets them, for lint: OPNsense writes each enabled rule of the source
 * NAT model as one `nat`/`no nat` line on its interface (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/library/OPNsense/Firewall/SNatRule.php; src/etc/inc/plugins.inc.d/pf.inc
 * registers them by sequence), and pf takes the first that matches a packet leaving on that
 * interface, after every binat rule (pf_get_translation, FreeBSD sys/netpfil/pf/pf_lb.c).
 */
import type { OutboundNatSpec } from "../Kinds/OutboundNat/Spec.ts"
import type { CompiledPolicy, CompiledRule } from "./Compile.ts"
import type { PolicyOutboundNat } from "./Domain.ts"
import { natMatch } from "./Nat.ts"

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
  const made = (policy.input.outboundNat ?? [])
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.sequence - b.entry.sequence || a.index - b.index)
    .map(({ entry }, position): CompiledOutboundNat => {
      const { spec } = entry
      const match = natMatch(
        policy,
        entry,
        {
          enabled: spec.enabled,
          interfaces: [spec.interface],
          direction: "out",
          ipVersion: spec.ipVersion,
          protocol: spec.protocol,
          source: endpoint(spec.source),
          destination: endpoint(spec.destination),
          log: spec.log,
          description: spec.description
        },
        position,
        { group: "interface", priority: 50 }
      )
      return { entry, match }
    })
  compiled.set(policy, made)
  return made
}

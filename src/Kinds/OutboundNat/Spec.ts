/**
 * The canonical outbound NAT rule (firewall/source_nat, Filter.xml `snatrules.rule`) and the live
 * one. The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

/** One side of a NAT entry: a single NetworkAliasField value (the model takes no lists). */
export const NatEndpoint = Schema.Struct({
  /** an address, CIDR, alias, interface net (lan) or address (wanip), (self); "" = any */
  address: Schema.String,
  invert: Schema.Boolean,
  /** "" = any port; "443", "8000-8080" or a port alias name */
  port: Schema.String
})
export type NatEndpoint = typeof NatEndpoint.Type

export const OutboundNatSpec = Schema.Struct({
  enabled: Schema.Boolean,
  /** "do not NAT" (`nonat`): traffic matching the rule leaves untranslated */
  noNat: Schema.Boolean,
  /** one interface identifier */
  interface: Schema.String,
  ipVersion: Schema.Literals(["inet", "inet6"]),
  /** "any" or the upper-case protocol name */
  protocol: Schema.String,
  source: NatEndpoint,
  destination: NatEndpoint,
  /** the translation address: an address, alias, interface address (wanip); "" = none given */
  target: Schema.String,
  /** "" = keep the port */
  targetPort: Schema.String,
  /**
   * static-port (`staticnatport`, 26.1.5+): keep the source port; pf then writes no target port
   * (opnsense/core 26.7.2: src/opnsense/mvc/app/library/OPNsense/Firewall/SNatRule.php)
   */
  staticPort: Schema.Boolean,
  log: Schema.Boolean,
  description: Schema.String
})
export type OutboundNatSpec = typeof OutboundNatSpec.Type

export const LiveOutboundNat = Schema.Struct({
  ...liveFields,
  /** evaluation order among the outbound NAT rules (1..999999) */
  sequence: Schema.Number,
  spec: OutboundNatSpec
})
export type LiveOutboundNat = typeof LiveOutboundNat.Type

/** A canonical outbound NAT rule for tests: the LAN 10.0.0.0/24 leaving the WAN from its address. */
import type { OutboundNatSpec } from "../../src/Kinds/OutboundNat/Spec.ts"

export const outboundNatSpec = (over: Partial<OutboundNatSpec> = {}): OutboundNatSpec => ({
  enabled: true,
  noNat: false,
  interface: "wan",
  ipVersion: "inet",
  protocol: "any",
  source: { address: "10.0.0.0/24", invert: false, port: "" },
  destination: { address: "", invert: false, port: "" },
  target: "wanip",
  targetPort: "",
  staticPort: false,
  log: false,
  description: "",
  ...over
})

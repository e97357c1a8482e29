/** A canonical outbound NAT rule back to the YAML people write (defaults left out). */
import { numeric } from "../../DesiredState/Render.ts"
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { NatEndpoint, OutboundNatSpec } from "./Spec.ts"

/** An address alone when that is all; `{ address, port, invert }` otherwise; undefined for any. */
export const friendlyNatEndpoint = (endpoint: NatEndpoint): unknown => {
  if (endpoint.port === "" && !endpoint.invert) return endpoint.address === "" ? undefined : endpoint.address
  return {
    ...(endpoint.address !== "" ? { address: endpoint.address } : {}),
    ...(endpoint.port !== "" ? { port: numeric(endpoint.port) } : {}),
    ...(endpoint.invert ? { invert: true } : {})
  }
}

export const friendlyOutboundNat = (name: string, spec: OutboundNatSpec): FriendlyItem => {
  const source = friendlyNatEndpoint(spec.source)
  const destination = friendlyNatEndpoint(spec.destination)
  return {
    name,
    interface: spec.interface,
    ...(source !== undefined ? { source } : {}),
    ...(destination !== undefined ? { destination } : {}),
    ...(spec.protocol !== "any" ? { protocol: spec.protocol.toLowerCase() } : {}),
    ...(spec.ipVersion !== "inet" ? { ip_version: "ipv6" } : {}),
    ...(spec.target !== "" ? { target: spec.target } : {}),
    ...(spec.targetPort !== "" ? { target_port: numeric(spec.targetPort) } : {}),
    ...(spec.staticPort ? { static_port: true } : {}),
    ...(spec.noNat ? { no_nat: true } : {}),
    ...(spec.log ? { log: true } : {}),
    ...(!spec.enabled ? { enabled: false } : {}),
    ...(spec.description !== "" ? { description: spec.description } : {})
  }
}

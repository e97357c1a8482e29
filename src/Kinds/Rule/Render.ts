/** A canonical filter rule back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import { friendlyEndpoint } from "../../DesiredState/Render.ts"
import type { RuleSpec } from "./Spec.ts"

const ipVersions = { inet: "ipv4", inet6: "ipv6", inet46: "ipv4+ipv6" } as const

export const friendlyRule = (name: string, spec: RuleSpec): FriendlyItem => {
  const source = friendlyEndpoint(spec.source)
  const destination = friendlyEndpoint(spec.destination)
  return {
    name,
    action: spec.action,
    interface: spec.interfaces.length === 0
      ? "floating"
      : spec.interfaces.length === 1
      ? spec.interfaces[0]
      : [...spec.interfaces],
    ...(spec.interfaceInvert ? { interface_invert: true } : {}),
    ...(spec.direction !== "in" ? { direction: spec.direction } : {}),
    ...(spec.ipVersion !== "inet" ? { ip_version: ipVersions[spec.ipVersion] } : {}),
    ...(spec.protocol !== "any" ? { protocol: spec.protocol.toLowerCase() } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(destination !== undefined ? { destination } : {}),
    ...(spec.log ? { log: true } : {}),
    ...(!spec.quick ? { quick: false } : {}),
    ...(!spec.enabled ? { enabled: false } : {}),
    ...(spec.gateway !== "" ? { gateway: spec.gateway } : {}),
    ...(spec.description !== "" ? { description: spec.description } : {}),
    ...(spec.categories.length > 0 ? { categories: [...spec.categories] } : {})
  }
}

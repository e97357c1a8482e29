/** A canonical port forward back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import { friendlyEndpoint } from "../../DesiredState/Render.ts"
import type { PortForwardSpec } from "./Spec.ts"

const ipVersions = { inet6: "ipv6", inet46: "ipv4+ipv6", any: "any" } as const

const numeric = (port: string): string | number => (/^\d+$/.test(port) ? Number(port) : port)

export const friendlyPortForward = (name: string, spec: PortForwardSpec): FriendlyItem => {
  const source = friendlyEndpoint(spec.source)
  const destination = friendlyEndpoint(spec.destination)
  return {
    name,
    interface: spec.interfaces.length === 1 ? spec.interfaces[0] : [...spec.interfaces],
    ...(spec.ipVersion !== "inet" ? { ip_version: ipVersions[spec.ipVersion] } : {}),
    ...(spec.protocol !== "any" ? { protocol: spec.protocol.toLowerCase() } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(destination !== undefined ? { destination } : {}),
    ...(spec.target !== "" ? { target: spec.target } : {}),
    ...(spec.localPort !== "" ? { local_port: numeric(spec.localPort) } : {}),
    ...(spec.noRdr ? { no_rdr: true } : {}),
    ...(spec.filterRule !== "manual" ? { filter_rule: spec.filterRule } : {}),
    ...(spec.natReflection !== "default" ? { nat_reflection: spec.natReflection } : {}),
    ...(spec.poolOptions !== "" ? { pool_options: spec.poolOptions } : {}),
    ...(spec.log ? { log: true } : {}),
    ...(spec.tag !== "" ? { tag: spec.tag } : {}),
    ...(spec.tagged !== "" ? { tagged: spec.tagged } : {}),
    ...(spec.noSync ? { no_sync: true } : {}),
    ...(!spec.enabled ? { enabled: false } : {}),
    ...(spec.description !== "" ? { description: spec.description } : {}),
    ...(spec.categories.length > 0 ? { categories: [...spec.categories] } : {})
  }
}

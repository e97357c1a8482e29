/** A canonical domain override back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { DomainOverrideSpec } from "./Spec.ts"

export const friendlyDomainOverride = (name: string, spec: DomainOverrideSpec): FriendlyItem => ({
  name,
  domain: spec.domain,
  server: spec.server,
  ...(spec.port !== null ? { port: spec.port } : {}),
  ...(spec.tcpUpstream ? { tcp_upstream: true } : {}),
  ...(spec.forwardFirst ? { forward_first: true } : {}),
  ...(!spec.enabled ? { enabled: false } : {}),
  ...(spec.description !== "" ? { description: spec.description } : {})
})

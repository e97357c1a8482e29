/** A canonical host override back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { HostOverrideSpec } from "./Spec.ts"

export const friendlyHostOverride = (name: string, spec: HostOverrideSpec): FriendlyItem => ({
  name,
  host: spec.hostname,
  domain: spec.domain,
  ...(spec.type !== "A" ? { type: spec.type } : {}),
  ...(spec.server !== "" ? { address: spec.server } : {}),
  ...(spec.mxPriority !== null ? { mx_priority: spec.mxPriority } : {}),
  ...(spec.mx !== "" ? { mx_host: spec.mx } : {}),
  ...(spec.txt !== "" ? { txt: spec.txt } : {}),
  ...(spec.ttl !== null ? { ttl: spec.ttl } : {}),
  ...(!spec.addPtr ? { reverse: false } : {}),
  ...(spec.aliases.length > 0 ? { aliases: [...spec.aliases] } : {}),
  ...(!spec.enabled ? { enabled: false } : {}),
  ...(spec.description !== "" ? { description: spec.description } : {})
})

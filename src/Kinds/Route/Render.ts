/** A canonical route back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { RouteSpec } from "./Spec.ts"

export const friendlyRoute = (name: string, spec: RouteSpec): FriendlyItem => ({
  name,
  network: spec.network,
  gateway: spec.gateway,
  ...(spec.description !== "" ? { description: spec.description } : {}),
  ...(spec.enabled ? {} : { enabled: false })
})

/** A canonical gateway back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { GatewaySpec } from "./Spec.ts"
import { familyOf } from "./Yaml.ts"

export const friendlyGateway = (spec: GatewaySpec): FriendlyItem => ({
  name: spec.name,
  interface: spec.interface,
  address: spec.address,
  ...(spec.ipVersion !== familyOf(spec.address) ? { ip_version: spec.ipVersion === "inet6" ? "ipv6" : "ipv4" } : {}),
  ...(spec.description !== "" ? { description: spec.description } : {}),
  ...(spec.enabled ? {} : { enabled: false }),
  ...(spec.priority !== 255 ? { priority: spec.priority } : {}),
  ...(spec.weight !== 1 ? { weight: spec.weight } : {}),
  ...(spec.defaultGateway ? { default_gateway: true } : {}),
  ...(spec.farGateway ? { far_gateway: true } : {}),
  ...(spec.monitoring ? { monitoring: true } : {}),
  ...(spec.monitor !== "" ? { monitor: spec.monitor } : {})
})

/** A canonical DHCP reservation back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { DhcpReservationSpec } from "./Spec.ts"

export const friendlyDhcpReservation = (name: string, spec: DhcpReservationSpec): FriendlyItem => ({
  name,
  subnet: spec.subnet,
  mac: spec.mac,
  ip: spec.ip,
  ...(spec.hostname !== "" ? { hostname: spec.hostname } : {}),
  ...(spec.description !== "" ? { description: spec.description } : {})
})

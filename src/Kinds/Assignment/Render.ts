/** A canonical assignment back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import { type AssignmentSpec, vlanReference } from "./Spec.ts"

export const friendlyAssignment = (name: string, spec: AssignmentSpec): FriendlyItem => {
  const vlan = vlanReference(spec.device)
  return {
    name,
    ...(vlan !== undefined ? { vlan } : { device: spec.device }),
    ...(spec.description !== "" ? { description: spec.description } : {}),
    ...(spec.lock ? {} : { lock: false })
  }
}

/** A canonical VLAN back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { VlanSpec } from "./Spec.ts"

export const friendlyVlan = (name: string, spec: VlanSpec): FriendlyItem => ({
  name,
  parent: spec.parent,
  tag: spec.tag,
  ...(spec.priority !== 0 ? { priority: spec.priority } : {}),
  ...(spec.proto !== "" ? { proto: spec.proto } : {}),
  ...(spec.description !== "" ? { description: spec.description } : {})
})

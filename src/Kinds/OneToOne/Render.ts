/** A canonical 1:1 NAT entry back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import type { OneToOneSpec } from "./Spec.ts"

const side = (address: string, invert: boolean) => (invert ? { address, invert: true } : address)

export const friendlyOneToOne = (name: string, spec: OneToOneSpec): FriendlyItem => ({
  name,
  ...(spec.interface !== "wan" ? { interface: spec.interface } : {}),
  ...(spec.type !== "binat" ? { type: spec.type } : {}),
  internal: side(spec.internal, spec.internalInvert),
  external: spec.external,
  ...(spec.destination !== "" || spec.destinationInvert
    ? { destination: side(spec.destination === "" ? "any" : spec.destination, spec.destinationInvert) }
    : {}),
  ...(spec.natReflection !== "" ? { nat_reflection: spec.natReflection } : {}),
  ...(spec.log ? { log: true } : {}),
  ...(!spec.enabled ? { enabled: false } : {}),
  ...(spec.description !== "" ? { description: spec.description } : {})
})

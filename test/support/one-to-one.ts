/** A canonical 1:1 NAT entry for tests: binat on the WAN, 203.0.113.10 ↔ 10.0.0.10, defaults elsewhere. */
import type { OneToOneSpec } from "../../src/Kinds/OneToOne/Spec.ts"

export const oneToOneSpec = (over: Partial<OneToOneSpec> = {}): OneToOneSpec => ({
  enabled: true,
  interface: "wan",
  type: "binat",
  internal: "10.0.0.10",
  internalInvert: false,
  external: "203.0.113.10",
  destination: "",
  destinationInvert: false,
  natReflection: "",
  log: false,
  description: "",
  ...over
})

/** a named entry, as policy input and desired state carry it */
export const oneToOne = (name: string, over: Partial<OneToOneSpec> = {}) => ({ name, spec: oneToOneSpec(over) })

/**
 * The canonical 1:1 NAT entry (firewall/one_to_one, Filter.xml `onetoone.rule`) and the live one.
 * The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const OneToOneSpec = Schema.Struct({
  enabled: Schema.Boolean,
  /** one interface identifier */
  interface: Schema.String,
  /** binat: both directions (the default); nat: outbound only */
  type: Schema.Literals(["binat", "nat"]),
  /** the internal address or subnet (`source_net`) */
  internal: Schema.String,
  internalInvert: Schema.Boolean,
  /** the external address or subnet (`external`) */
  external: Schema.String,
  /** where the traffic goes (`destination_net`); "" = any */
  destination: Schema.String,
  destinationInvert: Schema.Boolean,
  /** "" = the system default, "enable", "disable" */
  natReflection: Schema.Literals(["", "enable", "disable"]),
  log: Schema.Boolean,
  description: Schema.String
})
export type OneToOneSpec = typeof OneToOneSpec.Type

export const LiveOneToOne = Schema.Struct({
  ...liveFields,
  /** evaluation order among the 1:1 entries (1..999999) */
  sequence: Schema.Number,
  spec: OneToOneSpec
})
export type LiveOneToOne = typeof LiveOneToOne.Type

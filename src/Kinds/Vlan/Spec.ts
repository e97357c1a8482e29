/**
 * The canonical VLAN (interfaces/vlan_settings) and the live one.
 * The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const VlanProto = Schema.Literals(["", "802.1q", "802.1ad"])
export type VlanProto = typeof VlanProto.Type

export const VlanSpec = Schema.Struct({
  /** parent device, e.g. "igb1" */
  parent: Schema.String,
  /** 1..4094 */
  tag: Schema.Number,
  /** 802.1p priority code point, 0..7 */
  priority: Schema.Number,
  proto: VlanProto,
  description: Schema.String
})
export type VlanSpec = typeof VlanSpec.Type

export const LiveVlan = Schema.Struct({
  ...liveFields,
  /** device name, e.g. "vlan01" */
  device: Schema.String,
  spec: VlanSpec
})
export type LiveVlan = typeof LiveVlan.Type

/** A VLAN as people write it in YAML (`vlans:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Name } from "../../DesiredState/Fields.ts"

export const VlanInput = Schema.Struct({
  name: Name,
  parent: doc(Schema.String, "parent device, e.g. igb1 (a VLAN device for QinQ)"),
  tag: doc(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4094 })), "VLAN id, 1-4094, unique per parent"),
  priority: Schema.optionalKey(
    doc(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 7 })), "802.1p priority code point 0-7, default 0")
  ),
  proto: Schema.optionalKey(
    doc(Schema.Literals(["auto", "802.1q", "802.1ad"]), "auto (default), 802.1q or 802.1ad (QinQ)")
  ),
  description: Schema.optionalKey(Description)
})
export type VlanInput = typeof VlanInput.Type

/** An interface assignment as people write it in YAML (`assignments:`). */
import * as Schema from "effect/Schema"
import { doc, Name } from "../../DesiredState/Fields.ts"

export const AssignmentInput = Schema.Struct({
  name: Name,
  device: Schema.optionalKey(
    doc(Schema.String, "the device to assign, as ifconfig names it (igb2, vlan01, lagg0); or give `vlan`")
  ),
  vlan: Schema.optionalKey(
    doc(Schema.String, "the name of a VLAN of this site (its `vlans:` item): assigns that VLAN's device")
  ),
  description: Schema.optionalKey(
    doc(
      Schema.String,
      "the interface's name in the GUI and in rules: letters, digits and _ only (OPNsense 26.7.2), default the identifier"
    )
  ),
  lock: Schema.optionalKey(doc(Schema.Boolean, "refuse removal in the GUI, default true (OPNsense's default)"))
})
export type AssignmentInput = typeof AssignmentInput.Type

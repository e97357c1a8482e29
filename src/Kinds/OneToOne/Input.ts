/** A 1:1 NAT entry as people write it in YAML (`one_to_one_nat:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Enabled, Name } from "../../DesiredState/Fields.ts"

const Side = (what: string) =>
  Schema.Union([
    doc(Schema.String, what),
    Schema.Struct({
      address: doc(Schema.String, what),
      invert: Schema.optionalKey(doc(Schema.Boolean, "match everything except this address"))
    })
  ])

export const OneToOneInput = Schema.Struct({
  name: Name,
  interface: Schema.optionalKey(doc(Schema.String, "interface identifier, default wan")),
  type: Schema.optionalKey(doc(Schema.Literals(["binat", "nat"]), "binat (default, both directions) or nat")),
  internal: Side("the internal address or subnet (an alias with nat)"),
  external: doc(Schema.String, "the external address or subnet (same prefix length as internal for binat)"),
  destination: Schema.optionalKey(Side("any (default), an address, a CIDR or an alias")),
  nat_reflection: Schema.optionalKey(
    doc(Schema.Literals(["default", "enable", "disable"]), "default (the system setting), enable or disable")
  ),
  log: Schema.optionalKey(doc(Schema.Boolean, "default false")),
  enabled: Schema.optionalKey(Enabled),
  description: Schema.optionalKey(Description)
})
export type OneToOneInput = typeof OneToOneInput.Type

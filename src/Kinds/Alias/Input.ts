/** An alias as people write it in YAML (`aliases:`). */
import * as Schema from "effect/Schema"
import { Categories, Description, doc, Enabled } from "../../DesiredState/Fields.ts"
import { AliasType } from "./Spec.ts"

export const AliasInput = Schema.Struct({
  name: doc(Schema.String, "1-31 letters, digits or _, starting with a letter or a single _; not a reserved word"),
  type: doc(
    AliasType,
    "host, network, port, url, urltable, urljson, geoip, networkgroup, mac, asn, dynipv6host, authgroup, external"
  ),
  content: Schema.optionalKey(
    doc(
      Schema.Array(Schema.Union([Schema.String, Schema.Int])),
      "entries checked by type; names of other aliases nest them"
    )
  ),
  update_frequency: Schema.optionalKey(
    doc(
      Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 365 })),
      "url types: refresh interval in days (fractions allowed)"
    )
  ),
  enabled: Schema.optionalKey(Enabled),
  description: Schema.optionalKey(Description),
  categories: Schema.optionalKey(Categories)
})
export type AliasInput = typeof AliasInput.Type

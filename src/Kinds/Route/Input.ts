/** A static route as people write it in YAML (`routes:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Enabled, Name } from "../../DesiredState/Fields.ts"

export const RouteInput = Schema.Struct({
  name: Name,
  network: doc(Schema.String, "destination network in CIDR notation, e.g. 10.50.0.0/16 or 2001:db8:50::/48"),
  gateway: doc(Schema.String, "name of the gateway the network is reached through (see `gateways:`)"),
  description: Schema.optionalKey(Description),
  enabled: Schema.optionalKey(Enabled)
})
export type RouteInput = typeof RouteInput.Type

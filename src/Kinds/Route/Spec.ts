/**
 * The canonical static route (routes/routes `route`) and the live one.
 * The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const RouteSpec = Schema.Struct({
  /** destination network in CIDR notation, e.g. "10.50.0.0/16" */
  network: Schema.String,
  /** the gateway's name (a gateway of this site, or one the firewall has) */
  gateway: Schema.String,
  description: Schema.String,
  enabled: Schema.Boolean
})
export type RouteSpec = typeof RouteSpec.Type

export const LiveRoute = Schema.Struct({
  ...liveFields,
  spec: RouteSpec
})
export type LiveRoute = typeof LiveRoute.Type

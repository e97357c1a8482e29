/**
 * The canonical gateway (routing/settings `gateway_item`) and the live one.
 * The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const GatewayFamily = Schema.Literals(["inet", "inet6"])
export type GatewayFamily = typeof GatewayFamily.Type

export const GatewaySpec = Schema.Struct({
  /** the gateway's name: its key on the firewall (routes and rules name it), never changed */
  name: Schema.String,
  /** interface identifier, e.g. "wan", "opt1" */
  interface: Schema.String,
  ipVersion: GatewayFamily,
  /** next-hop address, or "dynamic" (taken from the interface's DHCP/PPP lease) */
  address: Schema.String,
  description: Schema.String,
  enabled: Schema.Boolean,
  /** 0..255, lower wins (default 255) */
  priority: Schema.Number,
  /** 1..10 in a gateway group (default 1) */
  weight: Schema.Number,
  /** `defaultgw`: may be the default route (upstream gateway) */
  defaultGateway: Schema.Boolean,
  /** `fargw`: the address is outside the interface's subnet */
  farGateway: Schema.Boolean,
  /** gateway monitoring with dpinger; off by default (`monitor_disable` 1) */
  monitoring: Schema.Boolean,
  /** monitor address; "" = the gateway address */
  monitor: Schema.String
})
export type GatewaySpec = typeof GatewaySpec.Type

export const LiveGateway = Schema.Struct({
  ...liveFields,
  spec: GatewaySpec
})
export type LiveGateway = typeof LiveGateway.Type

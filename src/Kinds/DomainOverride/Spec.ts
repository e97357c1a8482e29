/**
 * The canonical Unbound domain override (unbound/settings query forwarding, `dots.dot` of type
 * "forward" with a domain) and the live one. The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const DomainOverrideSpec = Schema.Struct({
  domain: Schema.String,
  /** the DNS server queries for the domain go to */
  server: Schema.String,
  /** null = 53 */
  port: Schema.NullOr(Schema.Number),
  /** forward-tcp-upstream (Unbound applies it to the whole domain when any server of it has it) */
  tcpUpstream: Schema.Boolean,
  /** forward-first: fall back to recursion when the server fails (per domain, likewise) */
  forwardFirst: Schema.Boolean,
  enabled: Schema.Boolean,
  description: Schema.String
})
export type DomainOverrideSpec = typeof DomainOverrideSpec.Type

export const LiveDomainOverride = Schema.Struct({ ...liveFields, spec: DomainOverrideSpec })
export type LiveDomainOverride = typeof LiveDomainOverride.Type

/** The natural key: several servers may answer for one domain, each its own row. */
export const domainKey = (spec: { readonly domain: string; readonly server: string; readonly port: number | null }) =>
  `${spec.domain.toLowerCase()}@${spec.server.toLowerCase()}${spec.port === null ? "" : `:${spec.port}`}`

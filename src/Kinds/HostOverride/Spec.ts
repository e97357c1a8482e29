/**
 * The canonical Unbound host override (unbound/settings `hosts.host`, with its `aliases.alias`
 * items) and the live one. The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

/** Unbound.xml hosts.host.rr (TXT from 26.1). */
export const RecordType = Schema.Literals(["A", "AAAA", "MX", "TXT"])
export type RecordType = typeof RecordType.Type

export const HostOverrideSpec = Schema.Struct({
  /** "" = the domain itself, "*" = a wildcard */
  hostname: Schema.String,
  domain: Schema.String,
  type: RecordType,
  /** A/AAAA: the address; "" for other types */
  server: Schema.String,
  /** MX: priority and mail host; null/"" for other types */
  mxPriority: Schema.NullOr(Schema.Number),
  mx: Schema.String,
  /** TXT: the text; "" for other types */
  txt: Schema.String,
  /** null = Unbound's default */
  ttl: Schema.NullOr(Schema.Number),
  /** also answer the reverse (PTR) query (26.1.3+, default true) */
  addPtr: Schema.Boolean,
  enabled: Schema.Boolean,
  description: Schema.String,
  /**
   * other names for the host, sorted: "www" (in the host's domain) or "www.example.org" (another
   * domain), the way 26.1.6+ AliasReflector splits them at the first dot
   */
  aliases: Schema.Array(Schema.String)
})
export type HostOverrideSpec = typeof HostOverrideSpec.Type

export const HostAliasItem = Schema.Struct({ uuid: Schema.String, name: Schema.String })

export const LiveHostOverride = Schema.Struct({
  ...liveFields,
  /** the `aliases.alias` items behind `spec.aliases`, for updates */
  aliasItems: Schema.Array(HostAliasItem),
  spec: HostOverrideSpec
})
export type LiveHostOverride = typeof LiveHostOverride.Type

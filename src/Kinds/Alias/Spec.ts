/**
 * The canonical alias (firewall/alias) and the live one.
 * The canonical form's general rules are in src/Domain/Model.ts.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const AliasType = Schema.Literals([
  "host",
  "network",
  "port",
  "url",
  "urltable",
  "urljson",
  "geoip",
  "networkgroup",
  "mac",
  "asn",
  "dynipv6host",
  "authgroup",
  "internal",
  "external"
])
export type AliasType = typeof AliasType.Type

export const AliasSpec = Schema.Struct({
  name: Schema.String,
  type: AliasType,
  /** sorted, de-duplicated entries (newline-separated on the wire) */
  content: Schema.Array(Schema.String),
  enabled: Schema.Boolean,
  description: Schema.String,
  /** category names, sorted */
  categories: Schema.Array(Schema.String),
  /** refresh interval in days for url types; "" when unset */
  updateFrequency: Schema.String
})
export type AliasSpec = typeof AliasSpec.Type

export const LiveAlias = Schema.Struct({ ...liveFields, spec: AliasSpec })
export type LiveAlias = typeof LiveAlias.Type

/** What a site's aliases look like to the checks of every kind that may name one: name → type. */
export type AliasTable = ReadonlyMap<string, AliasType>

/**
 * Host overrides (`unbound/settings`, opnsense/core 25.7, 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Unbound/Api/SettingsController.php): search rows of
 * `hosts.host` and `aliases.alias` → LiveHostOverride, HostOverrideSpec → wire bodies. Aliases are
 * their own ArrayField whose `host` holds the host's uuid (Unbound.xml aliases.alias.host, a
 * ModelRelationField), so they are read and written through the `*_host_alias` endpoints, after
 * their host exists.
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { bool, Field, searchEnvelope, single, text } from "../../Opnsense/Wire.ts"
import { aliasName, splitAlias } from "./Names.ts"
import type { HostOverrideSpec, LiveHostOverride, RecordType } from "./Spec.ts"

export const base = "unbound/settings"
export const hostWrapper = "host"
export const aliasWrapper = "alias"

const HostRow = Schema.Struct({
  uuid: Schema.String,
  enabled: Schema.optional(Field),
  hostname: Schema.optional(Field),
  domain: Schema.optional(Field),
  rr: Schema.optional(Field),
  mxprio: Schema.optional(Field),
  mx: Schema.optional(Field),
  ttl: Schema.optional(Field),
  server: Schema.optional(Field),
  txtdata: Schema.optional(Field),
  addptr: Schema.optional(Field),
  description: Schema.optional(Field)
})
export const HostSearch = searchEnvelope(HostRow)

const AliasRow = Schema.Struct({
  uuid: Schema.String,
  enabled: Schema.optional(Field),
  host: Schema.optional(Field),
  hostname: Schema.optional(Field),
  domain: Schema.optional(Field),
  description: Schema.optional(Field)
})
export const AliasSearch = searchEnvelope(AliasRow)
export type AliasRow = typeof AliasRow.Type

const recordType = (raw: string): RecordType => raw === "AAAA" || raw === "MX" || raw === "TXT" ? raw : "A"

const optionalNumber = (raw: string): number | null => {
  const n = Number(raw)
  return raw === "" || !Number.isFinite(n) ? null : n
}

/** The aliases of one host as canonical names, with their uuids. */
export const aliasItems = (
  rows: ReadonlyArray<AliasRow>,
  host: string,
  hostDomain: string
): Array<{ readonly uuid: string; readonly name: string }> =>
  rows.filter((a) => single(a.host) === host).map((a) => ({
    uuid: a.uuid,
    name: aliasName(text(a.hostname), text(a.domain), hostDomain)
  }))

export const toLive = (
  row: typeof HostRow.Type,
  aliases: ReadonlyArray<AliasRow>
): LiveHostOverride => {
  const marked = parseMarker(text(row.description))
  const type = recordType(single(row.rr))
  const domain = text(row.domain)
  const items = aliasItems(aliases, row.uuid, domain)
  return {
    uuid: row.uuid,
    origin: "mvc",
    ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
    aliasItems: items,
    spec: {
      hostname: text(row.hostname),
      domain,
      type,
      // fields of other record types stay in the config unused: only the type's own count
      server: type === "A" || type === "AAAA" ? text(row.server) : "",
      mxPriority: type === "MX" ? optionalNumber(text(row.mxprio)) : null,
      mx: type === "MX" ? text(row.mx) : "",
      txt: type === "TXT" ? text(row.txtdata) : "",
      ttl: optionalNumber(text(row.ttl)),
      // absent before 26.1.3 (Unbound.xml 1.0.14 added hosts.host.addptr, default 1)
      addPtr: row.addptr === undefined ? true : bool(row.addptr, true),
      enabled: bool(row.enabled, true),
      description: marked.description,
      aliases: [...new Set(items.map((a) => a.name))].sort()
    }
  }
}

/** Body of add_host_override/set_host_override; the aliases go separately (aliasBody). */
export const hostBody = (spec: HostOverrideSpec, owner: string) => ({
  [hostWrapper]: {
    enabled: spec.enabled ? "1" : "0",
    hostname: spec.hostname,
    domain: spec.domain,
    rr: spec.type,
    server: spec.server,
    mxprio: spec.mxPriority === null ? "" : String(spec.mxPriority),
    mx: spec.mx,
    txtdata: spec.txt,
    ttl: spec.ttl === null ? "" : String(spec.ttl),
    addptr: spec.addPtr ? "1" : "0",
    description: withMarker(spec.description, owner)
  }
})

/** Body of add_host_alias: the alias split as AliasReflector::splitHostDomain does. */
export const aliasBody = (host: string, hostDomain: string, alias: string) => {
  const { hostname, domain } = splitAlias(alias, hostDomain)
  return { [aliasWrapper]: { enabled: "1", host, hostname, domain, description: "" } }
}

/**
 * Domain overrides (`unbound/settings/*_forward`, opnsense/core 25.7, 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Unbound/Api/SettingsController.php): the controller
 * keeps type "forward" rows of `dots.dot` apart from DNS-over-TLS ("dot") rows and sets the type
 * itself on add and set. A forward row without a domain forwards every query: it is not a domain
 * override and is left out.
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { bool, Field, searchEnvelope, text } from "../../Opnsense/Wire.ts"
import type { DomainOverrideSpec, LiveDomainOverride } from "./Spec.ts"

export const base = "unbound/settings"
export const wrapper = "dot"

const Row = Schema.Struct({
  uuid: Schema.String,
  enabled: Schema.optional(Field),
  type: Schema.optional(Field),
  domain: Schema.optional(Field),
  server: Schema.optional(Field),
  port: Schema.optional(Field),
  forward_tcp_upstream: Schema.optional(Field),
  forward_first: Schema.optional(Field),
  description: Schema.optional(Field)
})
export const SearchResponse = searchEnvelope(Row)

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LiveDomainOverride> =>
  response.rows.filter((row) => text(row.domain) !== "").map((row) => {
    const marked = parseMarker(text(row.description))
    const port = Number(text(row.port))
    return {
      uuid: row.uuid,
      origin: "mvc",
      ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
      spec: {
        domain: text(row.domain),
        server: text(row.server),
        port: text(row.port) === "" || !Number.isFinite(port) ? null : port,
        tcpUpstream: bool(row.forward_tcp_upstream, false),
        forwardFirst: bool(row.forward_first, false),
        enabled: bool(row.enabled, true),
        description: marked.description
      }
    }
  })

export const toWire = (spec: DomainOverrideSpec, owner: string) => ({
  [wrapper]: {
    enabled: spec.enabled ? "1" : "0",
    domain: spec.domain,
    server: spec.server,
    port: spec.port === null ? "" : String(spec.port),
    forward_tcp_upstream: spec.tcpUpstream ? "1" : "0",
    forward_first: spec.forwardFirst ? "1" : "0",
    description: withMarker(spec.description, owner)
  }
})

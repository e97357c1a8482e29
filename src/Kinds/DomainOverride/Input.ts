/** An Unbound domain override as people write it in YAML (`domain_overrides:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Enabled, Name } from "../../DesiredState/Fields.ts"

export const DomainOverrideInput = Schema.Struct({
  name: Name,
  domain: doc(Schema.String, "the domain whose queries are forwarded, e.g. corp.example"),
  server: doc(Schema.String, "IP address of the DNS server that answers for the domain"),
  port: Schema.optionalKey(
    doc(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65535 })), "the server's port, default 53")
  ),
  tcp_upstream: Schema.optionalKey(doc(Schema.Boolean, "query the server over TCP (default false)")),
  forward_first: Schema.optionalKey(
    doc(Schema.Boolean, "fall back to normal resolution when the server fails (default false)")
  ),
  enabled: Schema.optionalKey(Enabled),
  description: Schema.optionalKey(Description)
})
export type DomainOverrideInput = typeof DomainOverrideInput.Type

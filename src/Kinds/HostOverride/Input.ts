/** An Unbound host override as people write it in YAML (`host_overrides:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Enabled, Name } from "../../DesiredState/Fields.ts"
import { RecordType } from "./Spec.ts"

export const HostOverrideInput = Schema.Struct({
  name: Name,
  host: doc(Schema.String, "host name without the domain; * for a wildcard, \"\" for the domain itself"),
  domain: doc(Schema.String, "the domain, e.g. office.lan"),
  type: Schema.optionalKey(doc(RecordType, "A (default), AAAA, MX or TXT (TXT from 26.1)")),
  address: Schema.optionalKey(doc(Schema.String, "A/AAAA: the IP address the name resolves to")),
  mx_priority: Schema.optionalKey(doc(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), "MX: priority")),
  mx_host: Schema.optionalKey(doc(Schema.String, "MX: the mail server's host name")),
  txt: Schema.optionalKey(doc(Schema.String, "TXT: the text (at most 255 bytes)")),
  ttl: Schema.optionalKey(
    doc(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2147483647 })), "seconds; default Unbound's")
  ),
  reverse: Schema.optionalKey(doc(Schema.Boolean, "also answer the PTR query for the address (default true; 26.1.3+)")),
  aliases: Schema.optionalKey(
    doc(Schema.Array(Schema.String), "other names: www (in the same domain) or www.example.org")
  ),
  enabled: Schema.optionalKey(Enabled),
  description: Schema.optionalKey(Description)
})
export type HostOverrideInput = typeof HostOverrideInput.Type

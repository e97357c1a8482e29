/**
 * Field schemas several kinds share in the YAML people write: names, descriptions, categories,
 * ports and the endpoint forms of rules and NAT entries. Each kind's own item schema is in its
 * folder (src/Kinds/<Kind>/Input.ts).
 */
import * as Schema from "effect/Schema"

export const doc = <S extends Schema.Top>(schema: S, description: string) => schema.annotate({ description })

export const Name = doc(
  Schema.String,
  "unique key of the item within its kind and site; the firewall object carries it in its description marker"
)
export const Description = doc(
  Schema.String,
  "free text, no newlines; at most 255 bytes of UTF-8 minus the ownership marker"
)
export const Enabled = doc(Schema.Boolean, "default true")
export const Categories = doc(Schema.Array(Schema.String), "firewall category names")
export const StringOrList = Schema.Union([Schema.String, Schema.Array(Schema.String)])
export const PortValue = doc(
  Schema.Union([Schema.Int, Schema.String]),
  "443, \"443\", \"8000-8080\", a service name such as https, or the name of a port alias"
)

export const EndpointObject = Schema.Struct({
  address: Schema.optionalKey(
    doc(
      StringOrList,
      "any (default), an address, a CIDR, an alias name, an interface net (lan) or address (lanip), (self)"
    )
  ),
  port: Schema.optionalKey(PortValue),
  invert: Schema.optionalKey(doc(Schema.Boolean, "match everything except this (single value only)"))
})
export type EndpointObject = typeof EndpointObject.Type

export const EndpointInput = Schema.Union([Schema.String, Schema.Array(Schema.String), EndpointObject])
export type EndpointInput = typeof EndpointInput.Type

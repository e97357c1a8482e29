/**
 * The user-facing YAML schema: what people write in desired-state/*.yaml. Each kind's item schema
 * is in its folder (src/Kinds/<Kind>/Input.ts), with friendly field names and the loose value
 * forms people use (`tcp` or `TCP`, `443` or `"443"`, one interface or a list). These schemas
 * decode each item's shape; value rules (ports, CIDRs, references) are checked afterwards by the
 * kind, which also turns the items into canonical specs.
 * The same schemas produce the JSON Schema that `opnsense-mcp schema` prints for editors.
 */
import * as Schema from "effect/Schema"
import { kinds } from "../Kinds/Registry.ts"

/** A top-level key of a resource file that holds a kind ("rules"). */
export type KindKey = string

/** Every top-level key that holds a kind, in registration order. */
export const kindKeys: ReadonlyArray<KindKey> = kinds.filter((k) => k.setting === undefined).map((k) => k.collection)

export const fieldNames = (key: KindKey): ReadonlyArray<string> =>
  Object.keys(kinds.find((k) => k.collection === key)?.yaml.input.fields ?? {})

/** One resource file: every kind is an optional list. */
export const ResourceFile = Schema.Struct({
  ...Object.fromEntries(
    // a site setting (src/Kinds/Kind.ts `setting`) is written in sites.yaml, not in a resource file
    kinds.filter((k) => k.setting === undefined).map((k) => {
      const list = Schema.Array(k.yaml.input)
      const description = "description" in k.yaml ? k.yaml.description : undefined
      return [k.collection, Schema.optionalKey(description === undefined ? list : list.annotate({ description }))]
    })
  )
})

/**
 * JSON Schema of the desired-state files, generated from the same Schema definitions the loader
 * decodes with, for the YAML language server (completion and checks while typing).
 */
import * as Schema from "effect/Schema"
import { IntentInput } from "./Intents.ts"
import { ResourceFile } from "./Schema.ts"
import { SitesFile } from "./Sites.ts"

/** Editors should flag unknown keys as the loader does: close every object that lists its properties. */
const closeObjects = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(closeObjects)
  if (typeof value !== "object" || value === null) return value
  const entries = Object.entries(value).map(([k, v]) => [k, closeObjects(v)] as const)
  const result = Object.fromEntries(entries)
  return "properties" in value ? { ...result, additionalProperties: false } : result
}

const document = (schema: Schema.Top, title: string, id: string): unknown => {
  const generated = Schema.toJsonSchemaDocument(schema)
  return closeObjects({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: id,
    title,
    ...generated.schema,
    ...(Object.keys(generated.definitions).length > 0 ? { $defs: generated.definitions } : {})
  })
}

/** the kinds, and the intents any file may hold beside them */
const ResourceFileWithIntents = Schema.Struct({
  ...ResourceFile.fields,
  intents: Schema.optionalKey(
    Schema.Array(IntentInput).annotate({
      description: "traffic that must be passed or blocked; checked by validate, lint, plan and apply, never applied"
    })
  )
})

export const resourceFileJsonSchema = (): unknown =>
  document(
    ResourceFileWithIntents,
    "opnsense-mcp desired-state file (vlans, aliases, rules, intents)",
    "urn:opnsense-mcp:desired-state"
  )

export const sitesFileJsonSchema = (): unknown =>
  document(SitesFile, "opnsense-mcp desired-state/sites.yaml", "urn:opnsense-mcp:sites")

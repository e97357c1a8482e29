/**
 * `opnsense-mcp schema [--sites]`: print the JSON Schema of the desired-state files (or of
 * sites.yaml) so the YAML language server completes and checks them while people type.
 */
import * as Effect from "effect/Effect"
import { resourceFileJsonSchema, sitesFileJsonSchema } from "../DesiredState/JsonSchema.ts"
import type { SchemaFlags } from "./Commands.ts"

export const run = ({ sites }: SchemaFlags) =>
  Effect.sync(() => {
    const schema = sites ? sitesFileJsonSchema() : resourceFileJsonSchema()
    process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`)
  })

/**
 * `opnsense-mcp schema [--sites]`: print the JSON Schema of the desired-state files (or of
 * sites.yaml) so the YAML language server completes and checks them while people type.
 */
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { resourceFileJsonSchema, sitesFileJsonSchema } from "../DesiredState/JsonSchema.ts"

export const command = Command.make(
  "schema",
  {
    sites: Flag.Boolean("sites").pipe(
      Flag.withDescription("print the schema of desired-state/sites.yaml instead of the resource files"),
      Flag.withDefault(false)
    )
  },
  ({ sites }) =>
    Effect.sync(() => {
      const schema = sites ? sitesFileJsonSchema() : resourceFileJsonSchema()
      process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`)
    })
).pipe(Command.withDescription("print the JSON Schema of the desired-state YAML files, for editors (YAML language server)"))

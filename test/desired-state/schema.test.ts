/** The JSON Schema editors use says what the loader accepts: same fields, unknown keys refused. */
import { describe, expect, it } from "vitest"
import { IntentInput } from "../../src/DesiredState/Intents.ts"
import { resourceFileJsonSchema, sitesFileJsonSchema } from "../../src/DesiredState/JsonSchema.ts"
import { fieldNames, kindKeys } from "../../src/DesiredState/Schema.ts"

interface Node {
  readonly properties?: Record<string, Node>
  readonly items?: Node
  readonly required?: ReadonlyArray<string>
  readonly additionalProperties?: boolean
  readonly enum?: ReadonlyArray<string>
  readonly minimum?: number
  readonly maximum?: number
}

describe("opnsense-mcp schema", () => {
  const schema = JSON.parse(JSON.stringify(resourceFileJsonSchema())) as Node & { readonly $schema: string }

  it("lists every kind, the intents, and closes the top level", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema")
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([...kindKeys, "intents"].sort())
    expect(schema.additionalProperties).toBe(false)
  })

  it("manages every key the first release reserved for a later kind", () => {
    for (
      const key of ["port_forwards", "outbound_nat", "one_to_one_nat", "host_overrides", "dhcp_reservations", "routes"]
    ) {
      expect(kindKeys, key).toContain(key)
    }
  })

  it("describes each kind's items with the loader's field names, required fields and ranges", () => {
    for (const kind of kindKeys) {
      const item = schema.properties?.[kind]?.items
      expect(Object.keys(item?.properties ?? {})).toEqual(fieldNames(kind))
      expect(item?.additionalProperties).toBe(false)
    }
    const vlan = schema.properties?.["vlans"]?.items
    expect(vlan?.required).toEqual(["name", "parent", "tag"])
    expect([vlan?.properties?.["tag"]?.minimum, vlan?.properties?.["tag"]?.maximum]).toEqual([1, 4094])
    expect(schema.properties?.["rules"]?.items?.required).toEqual(["name", "action", "interface"])
    expect(schema.properties?.["rules"]?.items?.properties?.["action"]?.enum).toEqual(["pass", "block", "reject"])
  })

  it("describes intents with the loader's fields, the required ones and the two expectations", () => {
    const intent = schema.properties?.["intents"]?.items
    expect(Object.keys(intent?.properties ?? {})).toEqual(Object.keys(IntentInput.fields))
    expect(intent?.required).toEqual(["name", "from", "to", "expect"])
    expect(intent?.additionalProperties).toBe(false)
    expect(intent?.properties?.["expect"]?.enum).toEqual(["pass", "block"])
  })

  it("has a schema for sites.yaml", () => {
    const sites = JSON.parse(JSON.stringify(sitesFileJsonSchema())) as Node
    expect(Object.keys(sites.properties?.["sites"]?.items?.properties ?? {})).toContain("api_key_env")
  })
})

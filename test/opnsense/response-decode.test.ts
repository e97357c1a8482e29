/**
 * Response.decode takes a body that already is a shape-only schema's type as it is (no copy of a
 * 10,000-row listing), and never does so for a schema with a transformation, whose input is its
 * encoded form, not its type.
 */
import { Effect, Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Response from "../../src/Opnsense/Response.ts"

const ctx: Response.Context = { site: "t", baseUrl: "https://t", endpoint: "GET x", path: "x" }
const run = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, input: unknown) =>
  Effect.runSyncExit(Response.decode(schema)(ctx, 200)(input))

describe("Response.decode", () => {
  it("returns a body that already is the type itself, without a copy", () => {
    const body = { rows: [{ uuid: "a", extra: "kept" }] }
    const exit = run(Schema.Struct({ rows: Schema.Array(Schema.Struct({ uuid: Schema.String })) }), body)
    expect(Exit.isSuccess(exit) ? exit.value : undefined).toBe(body)
  })

  it("decodes through a transformation, and refuses a value that is only its type", () => {
    const schema = Schema.Struct({ n: Schema.NumberFromString })
    const decoded = run(schema, { n: "5" })
    expect(Exit.isSuccess(decoded) ? decoded.value : undefined).toEqual({ n: 5 })
    expect(Exit.isFailure(run(schema, { n: 5 }))).toBe(true)
  })
})

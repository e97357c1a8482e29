/**
 * Validation of manifests against the Kubernetes API schemas of one pinned release, offline: the
 * OpenAPI definitions vendored in k8s-schemas/definitions.json (README.md there says from where)
 * compiled with Ajv, made strict the way kubeconform's `-strict` schemas are:
 *
 * - an object with `properties` and no `additionalProperties` admits no other field, so a
 *   misspelt or misplaced field fails instead of being ignored (the API server would drop it, or
 *   refuse it with `kubectl apply --validate=strict`);
 * - IntOrString admits a string or an integer, Quantity a string or a number (the API's own
 *   decoding of both);
 * - apiVersion and kind must be the ones of the definition (x-kubernetes-group-version-kind);
 * - the int32, int64, byte and date-time formats are checked.
 */
import { Ajv, type ValidateFunction } from "ajv"
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import type { Manifest } from "./kustomize.ts"

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value)

const Vendored = Schema.Struct({
  kinds: Schema.Array(Schema.String),
  sourceSha256: Schema.String,
  definitions: Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.Unknown))
})

export const vendored = Schema.decodeUnknownSync(Vendored)(
  JSON.parse(readFileSync(resolve(import.meta.dirname, "k8s-schemas/definitions.json"), "utf8"))
)

const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

const strictValue = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(strictValue)
  return isObj(schema) ? strict(schema) : schema
}

const strict = (schema: Obj): Obj => {
  const out: Obj = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strictValue(v)]))
  if (isObj(schema["properties"])) {
    // property names are not schemas: only their values are made strict
    out["properties"] = Object.fromEntries(Object.entries(schema["properties"]).map(([k, v]) => [k, strictValue(v)]))
    if (!("additionalProperties" in schema)) out["additionalProperties"] = false
  }
  return out
}

const apiVersionOf = (
  gvk: Obj
) => (gvk["group"] === "" ? String(gvk["version"]) : `${String(gvk["group"])}/${String(gvk["version"])}`)

/** The definitions, strict, with apiVersion and kind pinned for the kinds that have one. */
const strictDefinitions = (): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(vendored.definitions).map(([name, definition]) => {
      if (name === INT_OR_STRING) return [name, { anyOf: [{ type: "string" }, { type: "integer" }] }]
      if (name === QUANTITY) return [name, { anyOf: [{ type: "string" }, { type: "number" }] }]
      const s = strict(definition)
      const gvks = definition["x-kubernetes-group-version-kind"]
      if (Array.isArray(gvks) && gvks.length === 1 && isObj(gvks[0]) && isObj(s["properties"])) {
        s["properties"] = {
          ...s["properties"],
          apiVersion: { type: "string", enum: [apiVersionOf(gvks[0])] },
          kind: { type: "string", enum: [gvks[0]["kind"]] }
        }
        s["required"] = [...new Set([...(Array.isArray(s["required"]) ? s["required"] : []), "apiVersion", "kind"])]
      }
      return [name, s]
    })
  )

const INT32 = 2 ** 31
const ajv = new Ajv({ allErrors: true, strict: false })
  .addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 })
  .addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) })
  .addFormat("byte", /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/)
  .addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)))
ajv.addSchema({ $id: "k8s", definitions: strictDefinitions() })

const validators = new Map<string, ValidateFunction>()

/** The definition name for a manifest's apiVersion and kind; undefined when none is vendored. */
export const definitionFor = (m: Manifest): string | undefined =>
  Object.entries(vendored.definitions).find(([, definition]) => {
    const gvks = definition["x-kubernetes-group-version-kind"]
    return Array.isArray(gvks) && gvks.some((g) => isObj(g) && apiVersionOf(g) === m.apiVersion && g["kind"] === m.kind)
  })?.[0]

/** The schema errors of one manifest ("<path>: <message>"), or one naming the kind no schema covers. */
export const schemaErrors = (m: Manifest): ReadonlyArray<string> => {
  const name = definitionFor(m)
  if (name === undefined) {
    return [`no vendored schema for ${m.apiVersion} ${m.kind} (scripts/vendor-k8s-schemas.ts KINDS)`]
  }
  let validate = validators.get(name)
  if (validate === undefined) {
    validate = ajv.compile({ $ref: `k8s#/definitions/${name}` })
    validators.set(name, validate)
  }
  if (validate(m)) return []
  return (validate.errors ?? []).map((e) => {
    const extra: unknown = e.keyword === "additionalProperties" ? e.params["additionalProperty"] : undefined
    return `${e.instancePath || "/"}: ${e.message ?? e.keyword}${extra === undefined ? "" : ` (${String(extra)})`}`
  })
}

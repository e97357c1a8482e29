/**
 * Vendors the Kubernetes API schemas that deploy/kubernetes/ uses, for test/deploy/kubernetes.test.ts
 * to validate the rendered manifests offline.
 *
 *   node scripts/vendor-k8s-schemas.ts SWAGGER_JSON [OUT]
 *
 * SWAGGER_JSON is the OpenAPI v2 document of one Kubernetes release, e.g. kubernetes-client/python
 * at tag v33.1.0: `git show v33.1.0:kubernetes/swagger.json.unprocessed` (the upstream
 * api/openapi-spec/swagger.json of Kubernetes' release-1.33 branch). OUT (default
 * test/deploy/k8s-schemas/definitions.json) receives the definitions of the kinds below and of
 * everything they reference, copied verbatim (same keys, same `$ref`s), so the file can be checked
 * against its source definition by definition. The test makes them strict itself (see there).
 * Deterministic: the same input gives the same bytes.
 */
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"

/** The kinds deploy/kubernetes/ renders, by their OpenAPI definition name. */
export const KINDS: ReadonlyArray<string> = [
  "io.k8s.api.apps.v1.Deployment",
  "io.k8s.api.apps.v1.StatefulSet",
  "io.k8s.api.core.v1.ConfigMap",
  "io.k8s.api.core.v1.PersistentVolumeClaim",
  "io.k8s.api.core.v1.Secret",
  "io.k8s.api.core.v1.Service",
  "io.k8s.api.networking.v1.NetworkPolicy",
  "io.k8s.api.policy.v1.PodDisruptionBudget"
]

const Swagger = Schema.Struct({ definitions: Schema.Record(Schema.String, Schema.Unknown) })

const refsOf = (value: unknown, into: Set<string>): void => {
  if (Array.isArray(value)) {
    for (const item of value) refsOf(item, into)
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") into.add(item.replace("#/definitions/", ""))
      else refsOf(item, into)
    }
  }
}

const main = (args: ReadonlyArray<string>) => {
  const [input, out = "test/deploy/k8s-schemas/definitions.json"] = args
  if (input === undefined) throw new Error("usage: node scripts/vendor-k8s-schemas.ts SWAGGER_JSON [OUT]")
  const text = readFileSync(input, "utf8")
  const swagger = Schema.decodeUnknownSync(Swagger)(JSON.parse(text))
  const wanted = new Set<string>()
  const queue = [...KINDS]
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (wanted.has(name)) continue
    const definition = swagger.definitions[name]
    if (definition === undefined) throw new Error(`${input}: no definition named ${name}`)
    wanted.add(name)
    const refs = new Set<string>()
    refsOf(definition, refs)
    queue.push(...refs)
  }
  const definitions = Object.fromEntries([...wanted].sort().map((name) => [name, swagger.definitions[name]]))
  const sha256 = createHash("sha256").update(text).digest("hex")
  writeFileSync(out, `${JSON.stringify({ kinds: KINDS, sourceSha256: sha256, definitions }, null, 1)}\n`)
  process.stdout.write(`${out}: ${wanted.size} definitions from ${input} (sha256 ${sha256})\n`)
}

main(process.argv.slice(2))

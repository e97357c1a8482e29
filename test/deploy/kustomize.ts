/**
 * Renders deploy/kubernetes/ the way `kubectl kustomize` does, for the subset of kustomize those
 * kustomizations use: `resources` (files and kustomization directories), `namespace`, `images`,
 * `replicas` and `patches` that are inline JSON 6902 patches (add, replace, remove) with a
 * `target` of kind and name. Anything else in a kustomization.yaml is refused with its name, so a
 * kustomization that grows past this subset fails the test instead of being rendered wrongly;
 * where kubectl is installed, the test also compares this rendering with kubectl's.
 */
import { spawnSync } from "node:child_process"
import { readFileSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { parse, parseAllDocuments } from "yaml"

export type Manifest = Record<string, unknown> & { readonly kind: string; readonly apiVersion: string }

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value)
const isManifest = (value: unknown): value is Manifest =>
  isObj(value) && typeof value["kind"] === "string" && typeof value["apiVersion"] === "string"

const SUPPORTED = new Set(["apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches"])
/** Kinds whose replica count the `replicas` field sets. */
const WORKLOADS = new Set(["Deployment", "StatefulSet", "ReplicaSet"])
/** Kinds that live outside namespaces (kustomize's namespace transformer leaves them alone). */
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"])

export const key = (m: Manifest): string => {
  const meta = isObj(m["metadata"]) ? m["metadata"] : {}
  return `${m.kind}/${String(meta["namespace"] ?? "")}/${String(meta["name"] ?? "")}`
}

const readManifests = (file: string): Array<Manifest> =>
  // YAML 1.1, as kubectl reads it (0440 is octal there, decimal in YAML 1.2)
  parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1" }).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`)
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) return []
    if (!isManifest(value)) throw new Error(`${file}: a document without apiVersion and kind`)
    return [value]
  })

/** A JSON pointer's parent and last token inside `doc` (tokens unescaped as RFC 6901 says). */
const locate = (doc: unknown, pointer: string, where: string): { parent: Obj | Array<unknown>; token: string } => {
  const tokens = pointer.split("/").slice(1).map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"))
  let parent: unknown = doc
  for (const token of tokens.slice(0, -1)) {
    parent = Array.isArray(parent) ? parent[Number(token)] : isObj(parent) ? parent[token] : undefined
    if (parent === undefined) throw new Error(`${where}: path ${pointer} does not exist`)
  }
  if (!Array.isArray(parent) && !isObj(parent)) throw new Error(`${where}: path ${pointer} does not exist`)
  return { parent, token: tokens.at(-1) ?? "" }
}

const applyJsonPatch = (doc: Obj, ops: unknown, where: string): void => {
  if (!Array.isArray(ops)) throw new Error(`${where}: only JSON 6902 patches (a list of operations) are supported`)
  for (const op of ops) {
    if (!isObj(op) || typeof op["path"] !== "string") throw new Error(`${where}: an operation without a path`)
    const { parent, token } = locate(doc, op["path"], where)
    const value = structuredClone(op["value"])
    if (Array.isArray(parent)) {
      const index = token === "-" ? parent.length : Number(token)
      if (op["op"] === "add") parent.splice(index, 0, value)
      else if (op["op"] === "replace") parent[index] = value
      else if (op["op"] === "remove") parent.splice(index, 1)
      else throw new Error(`${where}: operation ${String(op["op"])} is not supported`)
    } else {
      if (op["op"] === "add") parent[token] = value
      else if (op["op"] === "replace" || op["op"] === "remove") {
        if (!(token in parent)) throw new Error(`${where}: ${op["op"]} of ${op["path"]}, which does not exist`)
        if (op["op"] === "replace") parent[token] = value
        else delete parent[token]
      } else throw new Error(`${where}: operation ${String(op["op"])} is not supported`)
    }
  }
}

const podSpecOf = (m: Manifest): Obj | undefined => {
  const spec = m["spec"]
  const template = isObj(spec) ? spec["template"] : undefined
  const podSpec = isObj(template) ? template["spec"] : undefined
  return isObj(podSpec) ? podSpec : undefined
}

/** The containers (init containers included) of a workload's pod template. */
export const containersOf = (m: Manifest): Array<Obj> => {
  const podSpec = podSpecOf(m)
  if (podSpec === undefined) return []
  return [podSpec["initContainers"], podSpec["containers"]].flatMap((list) =>
    Array.isArray(list) ? list.filter(isObj) : []
  )
}

const imageName = (image: string) => image.replace(/@.*$/, "").replace(/:[^/:]*$/, "")

/** Render the kustomization in `dir` (a deep copy: callers may change what they get). */
export const render = (dir: string): Array<Manifest> => {
  const file = join(dir, "kustomization.yaml")
  const k: unknown = parse(readFileSync(file, "utf8"), { version: "1.1" })
  if (!isObj(k)) throw new Error(`${file}: not a mapping`)
  const unsupported = Object.keys(k).filter((name) => !SUPPORTED.has(name))
  if (unsupported.length > 0) {
    throw new Error(`${file}: ${unsupported.join(", ")} not supported by this renderer (test/deploy/kustomize.ts)`)
  }
  const resources = Array.isArray(k["resources"]) ? k["resources"].map(String) : []
  const out = resources.flatMap((entry) => {
    const path = resolve(dir, entry)
    return statSync(path).isDirectory() ? render(path) : readManifests(path)
  })

  for (const [index, patch] of (Array.isArray(k["patches"]) ? k["patches"] : []).entries()) {
    const where = `${file}: patches[${index}]`
    if (!isObj(patch) || !isObj(patch["target"]) || typeof patch["patch"] !== "string") {
      throw new Error(`${where}: only inline patches with a target are supported`)
    }
    const { kind, name, ...rest } = patch["target"]
    if (Object.keys(rest).length > 0) throw new Error(`${where}: target may name kind and name only`)
    const targets = out.filter((m) => m.kind === kind && isObj(m["metadata"]) && m["metadata"]["name"] === name)
    if (targets.length !== 1) {
      throw new Error(`${where}: ${targets.length} resources match ${String(kind)}/${String(name)}`)
    }
    applyJsonPatch(targets[0]!, parse(patch["patch"], { version: "1.1" }), where)
  }

  for (const entry of Array.isArray(k["images"]) ? k["images"] : []) {
    if (!isObj(entry) || typeof entry["name"] !== "string") throw new Error(`${file}: an image without a name`)
    for (const container of out.flatMap(containersOf)) {
      const image = String(container["image"] ?? "")
      if (imageName(image) !== entry["name"]) continue
      const name = typeof entry["newName"] === "string" ? entry["newName"] : imageName(image)
      const tag = typeof entry["digest"] === "string"
        ? `@${entry["digest"]}`
        : typeof entry["newTag"] === "string"
        ? `:${entry["newTag"]}`
        : image.slice(imageName(image).length)
      container["image"] = `${name}${tag}`
    }
  }

  for (const entry of Array.isArray(k["replicas"]) ? k["replicas"] : []) {
    if (!isObj(entry)) continue
    for (const m of out) {
      const meta = m["metadata"]
      if (WORKLOADS.has(m.kind) && isObj(meta) && meta["name"] === entry["name"] && isObj(m["spec"])) {
        m["spec"]["replicas"] = entry["count"]
      }
    }
  }

  if (typeof k["namespace"] === "string") {
    for (const m of out) {
      if (!CLUSTER_SCOPED.has(m.kind) && isObj(m["metadata"])) m["metadata"]["namespace"] = k["namespace"]
    }
  }
  return out
}

/** `kubectl kustomize DIR`, when kubectl is installed; undefined otherwise. */
export const kubectlRender = (dir: string): Array<Manifest> | undefined => {
  const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", timeout: 60_000 })
  if (r.error !== undefined) return undefined
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`)
  return parseAllDocuments(r.stdout, { version: "1.1" }).map((doc): unknown => doc.toJS()).filter(isManifest)
}

/** A copy of `m` with JSON 6902 operations applied (for tests that break a manifest on purpose). */
export const patched = (m: Manifest, ops: ReadonlyArray<Obj>): Manifest => {
  const copy = structuredClone(m)
  applyJsonPatch(copy, ops, `${m.kind} patch`)
  return copy
}

export const kubernetesDir = resolve(import.meta.dirname, "../../deploy/kubernetes")

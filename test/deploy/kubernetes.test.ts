/**
 * deploy/kubernetes/: the kustomize base and the example overlay, rendered (test/deploy/kustomize.ts,
 * checked against `kubectl kustomize` where kubectl is installed), every manifest valid against
 * the API schemas of Kubernetes 1.33 (vendored, test/deploy/k8s-schemas/), and what the schemas
 * cannot say: the probes reach public routes of the router, every variable the manifests set is
 * one the service reads, the pods are locked down, the credentials are files. Last, the
 * real `serve` runs with the Deployment's environment (ConfigMap, Secret files, a desired state
 * laid out like a ConfigMap volume) and answers the probes the way the kubelet sends them.
 * No cluster is involved: scheduling, the NetworkPolicies and the volumes themselves are not tested.
 */
import * as Schema from "effect/Schema"
import { type ChildProcess, spawn } from "node:child_process"
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { isDeepStrictEqual } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { officeBox, startSimulator } from "../../src/Simulator.ts"
import { freePort } from "../support/ports.ts"
import { definitionFor, schemaErrors, vendored } from "./k8s-schema.ts"
import { key, kubectlRender, kubernetesDir, type Manifest, patched, render } from "./kustomize.ts"

const ROOT = resolve(import.meta.dirname, "../..")

// The parts of the manifests the checks below read (decoding ignores the rest).
const Meta = Schema.Struct({ name: Schema.String, namespace: Schema.optional(Schema.String) })
const Labels = Schema.Record(Schema.String, Schema.String)
const Selector = Schema.Struct({ matchLabels: Labels })
const Port = Schema.Union([Schema.String, Schema.Number])
const EnvVar = Schema.Struct({
  name: Schema.String,
  value: Schema.optional(Schema.String),
  valueFrom: Schema.optional(Schema.Struct({
    fieldRef: Schema.optional(Schema.Struct({ fieldPath: Schema.String })),
    secretKeyRef: Schema.optional(Schema.Struct({ name: Schema.String, key: Schema.String }))
  }))
})
const HttpProbe = Schema.Struct({
  httpGet: Schema.Struct({
    path: Schema.String,
    port: Port,
    httpHeaders: Schema.optional(Schema.Array(Schema.Unknown))
  })
})
const Container = Schema.Struct({
  name: Schema.String,
  image: Schema.String,
  command: Schema.optional(Schema.Array(Schema.String)),
  ports: Schema.Array(Schema.Struct({ name: Schema.String, containerPort: Schema.Number })),
  env: Schema.optional(Schema.Array(EnvVar)),
  envFrom: Schema.optional(Schema.Array(Schema.Struct({ configMapRef: Schema.Struct({ name: Schema.String }) }))),
  startupProbe: Schema.optional(Schema.Unknown),
  readinessProbe: Schema.optional(Schema.Unknown),
  livenessProbe: Schema.optional(Schema.Unknown),
  resources: Schema.Struct({
    requests: Schema.Record(Schema.String, Port),
    limits: Schema.Record(Schema.String, Port)
  }),
  securityContext: Schema.Struct({
    runAsNonRoot: Schema.optional(Schema.Boolean),
    allowPrivilegeEscalation: Schema.optional(Schema.Boolean),
    readOnlyRootFilesystem: Schema.optional(Schema.Boolean),
    capabilities: Schema.optional(Schema.Struct({
      drop: Schema.optional(Schema.Array(Schema.String)),
      add: Schema.optional(Schema.Array(Schema.String))
    })),
    seccompProfile: Schema.optional(Schema.Struct({ type: Schema.String }))
  }),
  volumeMounts: Schema.optional(Schema.Array(Schema.Struct({
    name: Schema.String,
    mountPath: Schema.String,
    readOnly: Schema.optional(Schema.Boolean)
  })))
})
const Volume = Schema.Struct({
  name: Schema.String,
  secret: Schema.optional(Schema.Struct({
    secretName: Schema.String,
    defaultMode: Schema.optional(Schema.Number),
    items: Schema.optional(Schema.Array(Schema.Struct({ key: Schema.String, path: Schema.String })))
  })),
  configMap: Schema.optional(Schema.Struct({ name: Schema.String })),
  persistentVolumeClaim: Schema.optional(Schema.Struct({ claimName: Schema.String })),
  emptyDir: Schema.optional(Schema.Unknown)
})
const Workload = Schema.Struct({
  metadata: Meta,
  spec: Schema.Struct({
    replicas: Schema.Number,
    revisionHistoryLimit: Schema.optional(Schema.Number),
    selector: Selector,
    template: Schema.Struct({
      metadata: Schema.Struct({ labels: Labels }),
      spec: Schema.Struct({
        automountServiceAccountToken: Schema.optional(Schema.Boolean),
        securityContext: Schema.Struct({
          runAsNonRoot: Schema.optional(Schema.Boolean),
          runAsUser: Schema.optional(Schema.Number),
          seccompProfile: Schema.optional(Schema.Struct({ type: Schema.String }))
        }),
        initContainers: Schema.optional(Schema.Array(Container)),
        containers: Schema.Array(Container),
        volumes: Schema.optional(Schema.Array(Volume))
      })
    })
  })
})
const ConfigMap = Schema.Struct({ metadata: Meta, data: Labels })
const Secret = Schema.Struct({ metadata: Meta, stringData: Labels })
const Service = Schema.Struct({
  metadata: Meta,
  spec: Schema.Struct({ ports: Schema.Array(Schema.Struct({ port: Schema.Number, targetPort: Port })) })
})
const Pvc = Schema.Struct({
  metadata: Meta,
  spec: Schema.Struct({ accessModes: Schema.Array(Schema.String), storageClassName: Schema.optional(Schema.String) })
})
const NetworkPolicy = Schema.Struct({
  metadata: Meta,
  spec: Schema.Struct({
    podSelector: Selector,
    ingress: Schema.optional(Schema.Array(Schema.Unknown)),
    egress: Schema.optional(Schema.Array(Schema.Struct({
      to: Schema.optional(Schema.Array(Schema.Unknown)),
      ports: Schema.Array(Schema.Struct({ protocol: Schema.String, port: Port }))
    })))
  })
})

const base = render(join(kubernetesDir, "base"))
const overlay = render(join(kubernetesDir, "overlays/example"))
const rendered = { base, "overlays/example": overlay } as const
const renderedIn = (dir: string) => (dir === "base" ? base : overlay)

const nameOf = (m: Manifest) => Schema.decodeUnknownSync(Schema.Struct({ metadata: Meta }))(m).metadata.name
const raw = (kind: string, name: string): Manifest => {
  const m = overlay.find((m) => m.kind === kind && nameOf(m) === name)
  if (m === undefined) throw new Error(`no ${kind}/${name} in the rendering of overlays/example`)
  return m
}
const all = <S extends Schema.ConstraintDecoder<unknown>>(schema: S, kind: string) =>
  overlay.filter((m) => m.kind === kind).map((m) => Schema.decodeUnknownSync(schema)(m))
const one = <S extends Schema.ConstraintDecoder<unknown>>(schema: S, kind: string, name: string) =>
  Schema.decodeUnknownSync(schema)(raw(kind, name))

const deployment = one(Workload, "Deployment", "opnsense-mcp")
const podSpec = deployment.spec.template.spec
const container = podSpec.containers[0]!
const env = container.env ?? []
const mounts = container.volumeMounts ?? []
const volumes = podSpec.volumes ?? []
const configMap = one(ConfigMap, "ConfigMap", "opnsense-mcp")
const mountOf = (volume: string) => {
  const mount = mounts.find((m) => m.name === volume)
  if (mount === undefined) throw new Error(`no mount of volume ${volume}`)
  return mount
}

/** Every file under src/, as text. */
const sources = (dir = join(ROOT, "src")): Array<{ path: string; text: string }> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith(".ts") ? [{ path: relative(ROOT, path), text: readFileSync(path, "utf8") }] : []
  })

/**
 * The environment variables the service reads: names passed to Effect's Config constructors, the
 * ops server's host lists and optional secrets, process.env look-ups, and the firewall credential
 * variables (src/Target.ts reads each also as `<NAME>_FILE`).
 */
const variablesRead = (): Set<string> => {
  const names = new Set<string>()
  const patterns = [
    /Config\.\w+\(\s*"([A-Z][A-Z0-9_]*)"/g,
    /(?:hostList|optionalString)\(\s*"([A-Z][A-Z0-9_]*)"/g,
    /process\.env\[\s*"([A-Z][A-Z0-9_]*)"\s*\]/g
  ]
  const files = sources()
  const text = (path: string) => files.find((f) => f.path === join("src", path))?.text ?? ""
  for (const file of files) {
    for (const pattern of patterns) for (const match of file.text.matchAll(pattern)) names.add(match[1] ?? "")
  }
  // secrets read as NAME or from the file NAME_FILE names: the firewall's credentials and the tokens
  const credentials = [...text("Target.ts").matchAll(/api(?:Key|Secret)Env \?\? "([A-Z][A-Z0-9_]*)"/g)]
  const tokens = [...files.flatMap((f) => [...f.text.matchAll(/optionalSecret\(\s*"([A-Z][A-Z0-9_]*)"/g)])]
  expect(credentials.map((m) => m[1]), "src/Target.ts: the default credential variables").toEqual([
    "OPNSENSE_API_KEY",
    "OPNSENSE_API_SECRET"
  ])
  expect(text("Target.ts"), "src/Target.ts reads <NAME>_FILE").toContain("`${variable}_FILE`")
  expect(text("Http/SecretConfig.ts"), "src/Http/SecretConfig.ts reads <NAME>_FILE").toContain("`${name}_FILE`")
  for (const match of [...credentials, ...tokens]) names.add(match[1] ?? "").add(`${match[1]}_FILE`)
  return names
}

describe("deploy/kubernetes renders", () => {
  it.each(Object.keys(rendered))("%s: one manifest per kind and name", (dir) => {
    const ms = renderedIn(dir)
    expect(ms.length).toBeGreaterThanOrEqual(9)
    expect(new Set(ms.map(key)).size).toBe(ms.length)
  })

  const kubectl = kubectlRender(join(kubernetesDir, "base"))
  it.skipIf(kubectl === undefined)("as `kubectl kustomize` renders it (skipped without kubectl)", () => {
    for (const [dir, ms] of Object.entries(rendered)) {
      const theirs = new Map((kubectlRender(join(kubernetesDir, dir)) ?? []).map((m) => [key(m), m]))
      expect([...theirs.keys()].sort(), dir).toEqual(ms.map(key).sort())
      for (const m of ms) expect(m, `${dir}: ${key(m)}`).toEqual(theirs.get(key(m)))
    }
  })

  it("the overlay sets the namespace, image, replicas, firewall URL and storage class", () => {
    expect(new Set(overlay.map(key).map((k) => k.split("/")[1]))).toEqual(new Set(["opnsense-mcp"]))
    expect(container.image).toBe("registry.example/opnsense-mcp:0.1.0")
    expect(deployment.spec.replicas).toBe(3)
    expect(configMap.data["OPNSENSE_URL"]).toBe("https://192.0.2.1")
    expect(one(Pvc, "PersistentVolumeClaim", "opnsense-mcp-data").spec.storageClassName).toBe("nfs-client")
  })
})

describe("every manifest is valid against the Kubernetes 1.33 API schemas (vendored, strict)", () => {
  it("the vendored schemas cover every kind rendered", () => {
    for (const m of [...base, ...overlay]) expect(definitionFor(m), key(m)).toBeDefined()
    expect(Object.keys(vendored.definitions).length).toBeGreaterThan(100)
  })

  it.each(Object.keys(rendered))("%s", (dir) => {
    for (const m of renderedIn(dir)) expect(schemaErrors(m), `${dir}: ${key(m)}`).toEqual([])
  })

  it("and the validation refuses what the API server would refuse or drop", () => {
    const c = "/spec/template/spec/containers/0"
    const broken = patched(raw("Deployment", "opnsense-mcp"), [
      { op: "replace", path: "/spec/replicas", value: "3" },
      { op: "add", path: `${c}/readinessProbe/httpGet/paht`, value: "/health/ready" },
      { op: "replace", path: `${c}/resources/limits/memory`, value: {} },
      { op: "replace", path: `${c}/ports/0/containerPort`, value: 2 ** 31 }
    ])
    expect(schemaErrors(broken)).toEqual([
      "/spec/replicas: must be integer",
      `${c}/ports/0/containerPort: must match format "int32"`,
      `${c}/readinessProbe/httpGet: must NOT have additional properties (paht)`,
      `${c}/resources/limits/memory: must be string`,
      `${c}/resources/limits/memory: must be number`,
      `${c}/resources/limits/memory: must match a schema in anyOf`
    ])
    expect(schemaErrors({ ...raw("Deployment", "opnsense-mcp"), apiVersion: "apps/v1beta2" })).toEqual([
      "no vendored schema for apps/v1beta2 Deployment (scripts/vendor-k8s-schemas.ts KINDS)"
    ])
    expect(schemaErrors({ ...raw("Secret", "opnsense-mcp-firewall"), data: { a: "not base64!" } }))
      .toEqual(["/data/a: must match format \"byte\""])
  })
})

describe("the manifests match the service", () => {
  const routes = readFileSync(join(ROOT, "src/Http/Routes.ts"), "utf8")
  const publicRoutes = new Set(
    [...routes.matchAll(/method: "GET",\s*path: "([^"]+)",\s*guard: "public"/g)].map((m) => m[1])
  )

  it("the probes ask public GET routes of the router, on the port the service listens on", () => {
    expect(publicRoutes).toContain("/health")
    const probes = [container.startupProbe, container.readinessProbe, container.livenessProbe]
      .map((p) => Schema.decodeUnknownSync(HttpProbe)(p).httpGet)
    expect(probes.map((p) => p.path)).toEqual(["/health/live", "/health/ready", "/health/live"])
    for (const probe of probes) {
      expect(publicRoutes, probe.path).toContain(probe.path)
      expect(probe.port).toBe("http")
      expect(probe.httpHeaders, "a probe sends no Authorization").toBeUndefined()
    }
    expect(container.ports).toEqual([{ name: "http", containerPort: Number(configMap.data["PORT"]) }])
    expect(one(Service, "Service", "opnsense-mcp").spec.ports.map((p) => p.targetPort)).toEqual(["http"])
  })

  it("every variable the manifests set is one the service reads", () => {
    const read = variablesRead()
    for (const name of ["HOST", "PORT", "DATA_DIR", "REDIS_URL", "MCP_AUTH_TOKEN", "INSTANCE_ID", "NODE_ENV"]) {
      expect(read, "the collector finds the well-known ones").toContain(name)
    }
    expect(read).not.toContain("REDIS_URI")
    const set = [...Object.keys(configMap.data), ...env.map((e) => e.name)]
    expect(set.filter((name) => !read.has(name)), "set in deploy/kubernetes but read nowhere in src/").toEqual([])
    expect(container.envFrom).toEqual([{ configMapRef: { name: "opnsense-mcp" } }])
  })

  it("pods run non-root, read-only, without privileges, under seccomp RuntimeDefault", () => {
    const workloads = all(Workload, "Deployment")
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual(["opnsense-mcp", "opnsense-mcp-redis"])
    for (const workload of workloads) {
      const pod = workload.spec.template.spec
      const where = workload.metadata.name
      expect(pod.securityContext.runAsNonRoot, where).toBe(true)
      expect(pod.securityContext.runAsUser, where).toBeGreaterThan(0)
      expect(pod.securityContext.seccompProfile, where).toEqual({ type: "RuntimeDefault" })
      expect(pod.automountServiceAccountToken, where).toBe(false)
      expect(workload.spec.revisionHistoryLimit, `${where}: kubectl rollout undo needs old ReplicaSets`)
        .toBeGreaterThan(0)
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(c.securityContext, `${where} ${c.name}`).toEqual({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" }
        })
        expect(c.resources.requests["memory"], `${where} ${c.name}: memory request`).toBeDefined()
        expect(c.resources.limits["memory"], `${where} ${c.name}: memory limit`).toBeDefined()
      }
    }
  })

  it("writes only to DATA_DIR (shared volume), LOG_DIR and /tmp (per-pod emptyDirs)", () => {
    const source = (name: string) => {
      const v = volumes.find((v) => v.name === name)
      return v?.persistentVolumeClaim ? "persistentVolumeClaim" : v?.emptyDir ? "emptyDir" : "other"
    }
    const writable = mounts.filter((m) => m.readOnly !== true)
    expect(Object.fromEntries(writable.map((m) => [m.mountPath, source(m.name)]))).toEqual({
      [configMap.data["DATA_DIR"] ?? "DATA_DIR"]: "persistentVolumeClaim",
      [configMap.data["LOG_DIR"] ?? "LOG_DIR"]: "emptyDir",
      "/tmp": "emptyDir"
    })
    expect(one(Pvc, "PersistentVolumeClaim", "opnsense-mcp-data").spec.accessModes, "every replica mounts DATA_DIR")
      .toEqual(["ReadWriteMany"])
    expect(mounts.find((m) => m.mountPath === configMap.data["DESIRED_STATE_DIR"])?.readOnly).toBe(true)
  })

  it("credentials are files of mounted Secrets that the *_FILE variables name, never environment values", () => {
    expect(env.filter((e) => e.valueFrom?.secretKeyRef !== undefined), "no secretKeyRef").toEqual([])
    const secretFiles = [
      ["credentials", "OPNSENSE_API_KEY_FILE", "api_key"],
      ["credentials", "OPNSENSE_API_SECRET_FILE", "api_secret"],
      ["tokens", "MCP_AUTH_TOKEN_FILE", "mcp_auth_token"],
      ["tokens", "ADMIN_TOKEN_FILE", "admin_token"]
    ] as const
    for (const [volumeName, variable, item] of secretFiles) {
      expect(env.map((e) => e.name)).not.toContain(variable.replace(/_FILE$/, ""))
      const volume = volumes.find((v) => v.name === volumeName)?.secret
      const mount = mountOf(volumeName)
      expect(mount.readOnly, volumeName).toBe(true)
      expect(volume?.defaultMode, `${volumeName}: r--r----- (0440)`).toBe(0o440)
      expect(env.find((e) => e.name === variable)?.value).toBe(`${mount.mountPath}/${item}`)
      expect(volume?.items).toContainEqual({ key: item, path: item })
      expect(Object.keys(one(Secret, "Secret", volume?.secretName ?? "").stringData), variable).toContain(item)
    }
  })

  it("everything the Deployment refers to is in the overlay, but the desired state's ConfigMap", () => {
    const names = (kind: string) => new Set(overlay.filter((m) => m.kind === kind).map(nameOf))
    const refs: Array<readonly [string, string]> = [
      ...volumes.flatMap((v) => [
        ...(v.secret ? [["Secret", v.secret.secretName] as const] : []),
        ...(v.configMap ? [["ConfigMap", v.configMap.name] as const] : []),
        ...(v.persistentVolumeClaim ? [["PersistentVolumeClaim", v.persistentVolumeClaim.claimName] as const] : [])
      ]),
      ...env.flatMap((e) => (e.valueFrom?.secretKeyRef ? [["Secret", e.valueFrom.secretKeyRef.name] as const] : [])),
      ...(container.envFrom ?? []).map((e) => ["ConfigMap", e.configMapRef.name] as const)
    ]
    expect(refs.length).toBeGreaterThanOrEqual(5)
    expect(refs.filter(([kind, name]) => !names(kind).has(name))).toEqual([["ConfigMap", "opnsense-mcp-desired-state"]])
  })

  it("the NetworkPolicies let the service reach Redis, DNS and the firewalls, and be reached on its port", () => {
    const server = all(NetworkPolicy, "NetworkPolicy")
      .filter((p) => isDeepStrictEqual(p.spec.podSelector.matchLabels, deployment.spec.selector.matchLabels))
    expect(server.map((p) => p.metadata.name).sort()).toEqual(["opnsense-mcp", "opnsense-mcp-firewalls"])
    const egress = server.flatMap((p) => p.spec.egress ?? [])
    const redis = one(Workload, "Deployment", "opnsense-mcp-redis")
    expect(egress).toContainEqual({
      to: [{ podSelector: { matchLabels: redis.spec.selector.matchLabels } }],
      ports: [{ protocol: "TCP", port: 6379 }]
    })
    expect(egress.some((e) => e.ports.some((p) => p.port === 53 && p.protocol === "UDP"))).toBe(true)
    expect(egress).toContainEqual({
      to: [{ ipBlock: { cidr: "192.0.2.1/32" } }],
      ports: [{ protocol: "TCP", port: 443 }]
    })
    expect(server.flatMap((p) => p.spec.ingress ?? [])).toEqual([
      { ports: [{ protocol: "TCP", port: Number(configMap.data["PORT"]) }] }
    ])
    const redisService = one(Service, "Service", "opnsense-mcp-redis")
    expect(configMap.data["REDIS_URL"]).toBe(
      `redis://${redisService.metadata.name}:${redisService.spec.ports[0]?.port}`
    )
  })
})

const TOKEN = "mcp-token-k8s-test"

/** A GET as the kubelet sends it: to the pod IP's port, Host the pod IP, no credentials. */
const probe = (port: number, path: string): Promise<{ status: number; body: string }> =>
  new Promise((ok, fail) => {
    const req = request(
      { host: "127.0.0.1", port, path, headers: { host: `10.244.1.7:${port}`, "user-agent": "kube-probe/1.33" } },
      (res) => {
        let body = ""
        res.on("data", (chunk) => (body += String(chunk)))
        res.on("end", () => ok({ status: res.statusCode ?? 0, body }))
      }
    )
    req.on("error", fail)
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${path}: no answer in 5 s`)))
    req.end()
  })

describe("serve with the Deployment's environment answers the kubelet's probes", () => {
  let child: ChildProcess | undefined
  let output = ""
  let port = 0
  let closeSim = async () => {}
  const tmp = mkdtempSync(join(tmpdir(), "k8s-serve-"))

  beforeAll(async () => {
    // the office box the example desired state is written for (as the embedded sandbox is)
    const sim = await startSimulator({ version: "26.7", seed: officeBox })
    closeSim = () => sim.close()
    port = await freePort()
    // the mounted Secrets: one file per item
    const secretValues: Record<string, string> = {
      api_key: sim.apiKey,
      api_secret: sim.apiSecret,
      mcp_auth_token: TOKEN,
      admin_token: "admin-token-k8s-test"
    }
    const mounted = new Map<string, string>()
    for (const volume of volumes) {
      if (volume.secret === undefined) continue
      const dir = join(tmp, volume.name)
      mkdirSync(dir)
      for (const { key, path } of volume.secret.items ?? []) writeFileSync(join(dir, path), `${secretValues[key]}\n`)
      mounted.set(mountOf(volume.name).mountPath, dir)
    }
    // the desired state as a ConfigMap volume lays it out: files are links through ..data
    const desired = join(tmp, "desired-state")
    mkdirSync(join(desired, "..2026_12_08_00_00_00.000000001"), { recursive: true })
    symlinkSync("..2026_12_08_00_00_00.000000001", join(desired, "..data"))
    for (const name of readdirSync(join(ROOT, "desired-state"))) {
      copyFileSync(join(ROOT, "desired-state", name), join(desired, "..data", name))
      symlinkSync(join("..data", name), join(desired, name))
    }
    const environment: Record<string, string> = {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: tmp,
      ...configMap.data,
      OPNSENSE_URL: sim.url,
      OPNSENSE_CA_FILE: sim.caFile ?? "",
      PORT: String(port),
      // a Redis database of its own: this instance's leader election stays out of other tests' way
      REDIS_URL: "redis://127.0.0.1:6379/11",
      DATA_DIR: join(tmp, "data"),
      LOG_DIR: join(tmp, "logs"),
      DESIRED_STATE_DIR: desired
    }
    mkdirSync(join(tmp, "data"))
    mkdirSync(join(tmp, "logs"))
    for (const e of env) {
      const inMount = [...mounted].find(([path]) => e.value?.startsWith(`${path}/`))
      if (e.value !== undefined) environment[e.name] = inMount ? e.value.replace(inMount[0], inMount[1]) : e.value
      else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") {
        environment[e.name] = "opnsense-mcp-6d9c7b5f4-x2k8q"
      }
    }
    expect(environment["HOST"], "listens on the pod's address, so MCP_AUTH_TOKEN is required").toBe("0.0.0.0")
    // the container's command, with this checkout in place of the image's /app/dist
    const [node, ...args] = container.command ?? []
    expect(node).toBe("node")
    child = spawn(process.execPath, args.map((a) => (a === "dist/index.js" ? "src/index.ts" : a)), {
      cwd: ROOT,
      env: environment,
      stdio: ["ignore", "pipe", "pipe"]
    })
    child.stdout?.on("data", (d) => (output += String(d)))
    child.stderr?.on("data", (d) => (output += String(d)))
  }, 30_000)

  afterAll(async () => {
    child?.kill("SIGTERM")
    await new Promise((r) => (child?.exitCode === null ? child.once("exit", r) : r(undefined)))
    await closeSim()
    rmSync(tmp, { recursive: true, force: true })
  }, 30_000)

  const until = async (path: string, status: number, seconds: number) => {
    let last = { status: 0, body: "" }
    for (let i = 0; i < seconds * 4; i++) {
      last = await probe(port, path).catch((e: Error) => ({ status: 0, body: e.message }))
      if (last.status === status) return last
      await new Promise((r) => setTimeout(r, 250))
    }
    throw new Error(`GET ${path}: ${last.status} ${last.body}\n--- serve output:\n${output.slice(-3000)}`)
  }

  const pathOf = (p: unknown) => Schema.decodeUnknownSync(HttpProbe)(p).httpGet.path

  it("liveness (and startup): answers 200 without a token", async () => {
    expect(pathOf(container.startupProbe)).toBe(pathOf(container.livenessProbe))
    const live = await until(pathOf(container.livenessProbe), 200, 30)
    expect(JSON.parse(live.body)).toMatchObject({ status: "alive" })
  }, 40_000)

  it(
    "readiness: /health/ready answers 200 once the firewall (read with the mounted credentials) and Redis are up",
    async () => {
      const ready = await until(pathOf(container.readinessProbe), 200, 30)
      expect(JSON.parse(ready.body)).toMatchObject({
        status: "ok",
        ready: true,
        dependencies: { redis: { status: "up" }, opnsense: { default: { status: "up" } } }
      })
    },
    40_000
  )

  it("while /api and /mcp still need the token, and the desired state in its ConfigMap layout loads", async () => {
    expect((await probe(port, "/api/rules")).status).toBe(401)
    const plan = await new Promise<number>((ok, fail) => {
      const req = request({
        host: "127.0.0.1",
        port,
        path: "/api/plan",
        headers: { authorization: `Bearer ${TOKEN}` }
      }, (res) => {
        res.resume()
        ok(res.statusCode ?? 0)
      })
      req.on("error", fail)
      req.end()
    })
    expect(plan, output.slice(-2000)).toBe(200)
  }, 40_000)
})

/**
 * The baseline: what existing Terraform providers and Ansible modules do against the same simulator
 * (LANDSCAPE "One reload per object"): read = one search per kind, then one get per object;
 * apply = per object, one write then one reconfigure/apply, serialised (the providers hold a global
 * mutex because concurrent saves lose data). Reads run `parallelism` at a time, like Terraform's
 * default -parallelism=10, which is kinder to the baseline than Ansible's one at a time.
 *
 * Written here on plain node:https on purpose: it must not borrow our client's bulk reads.
 */
import { Agent, request } from "node:https"
import type { NewRule } from "./lib/Fixture.ts"
import type { SimulatorHandle } from "./lib/Sim.ts"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface BaselineClient {
  readonly call: (method: "GET" | "POST", path: string, body?: unknown) => Promise<unknown>
  readonly close: () => void
}

export const client = (sim: SimulatorHandle, parallelism: number): BaselineClient => {
  const url = new URL(sim.url)
  const agent = new Agent({
    keepAlive: true,
    maxSockets: parallelism,
    ...(sim.caPem === undefined ? {} : { ca: sim.caPem })
  })
  const auth = `Basic ${Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString("base64")}`
  const call = (method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body)
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `/api/${path}`,
          method,
          agent,
          headers: {
            authorization: auth,
            accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) })
          }
        },
        (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8")
            if ((res.statusCode ?? 0) >= 400) {
              return reject(new Error(`${method} ${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`))
            }
            try {
              resolve(JSON.parse(text))
            } catch {
              resolve(text)
            }
          })
        }
      )
      req.on("error", reject)
      if (payload !== undefined) req.write(payload)
      req.end()
    })
  return { call, close: () => agent.destroy() }
}

const rowsOf = (body: unknown): ReadonlyArray<unknown> =>
  typeof body === "object" && body !== null && "rows" in body && Array.isArray(body.rows) ? body.rows : []

const uuidsOf = (body: unknown): ReadonlyArray<string> =>
  rowsOf(body).flatMap((row) =>
    typeof row === "object" && row !== null && "uuid" in row && typeof row.uuid === "string" && UUID.test(row.uuid) &&
      !("legacy" in row && row.legacy === true)
      ? [row.uuid]
      : []
  )

/** Run `f` over `items`, at most `limit` at a time. */
const pool = async <A>(items: ReadonlyArray<A>, limit: number, f: (a: A) => Promise<unknown>): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]
      if (item !== undefined) await f(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}

const kinds = [
  { search: "interfaces/vlan_settings/search_item", get: "interfaces/vlan_settings/get_item" },
  { search: "firewall/alias/search_item", get: "firewall/alias/get_item" },
  { search: "firewall/filter/search_rule", get: "firewall/filter/get_rule" }
] as const

export interface ReadResult {
  /** objects on the firewall (all kinds) */
  readonly objects: number
  /** requests the strategy makes: one search per kind + one get per object */
  readonly requests: number
  /** gets actually made (all, or the sample) */
  readonly gets: number
  readonly searchMs: number
  readonly getMs: number
  /** wall for the whole strategy: measured, or searches + gets scaled from the sample */
  readonly wallMs: number
  readonly extrapolated: boolean
}

/**
 * Per-object reads: one search per kind, then one get per object. Above `sample` objects only that
 * many gets (spread evenly over the kinds' objects) are made and timed, and the wall is scaled up:
 * in this bench the simulator and this client share one Node thread, so thousands of gets measure
 * the bench machine's CPU more than the strategy.
 */
export const readAll = async (
  c: BaselineClient,
  parallelism: number,
  sample = Number.POSITIVE_INFINITY
): Promise<ReadResult> => {
  const uuids: Array<{ readonly get: string; readonly uuid: string }> = []
  const searchStart = performance.now()
  for (const kind of kinds) {
    for (const uuid of uuidsOf(await c.call("POST", kind.search, { current: 1, rowCount: -1, searchPhrase: "" }))) {
      uuids.push({ get: kind.get, uuid })
    }
  }
  const searchMs = performance.now() - searchStart
  const step = uuids.length > sample ? uuids.length / sample : 1
  const picked = step === 1
    ? uuids
    : Array.from({ length: Math.floor(sample) }, (_, i) => uuids[Math.floor(i * step)]).filter((x) => x !== undefined)
  const getStart = performance.now()
  await pool(picked, parallelism, (x) => c.call("GET", `${x.get}/${x.uuid}`))
  const getMs = performance.now() - getStart
  const extrapolated = picked.length < uuids.length
  return {
    objects: uuids.length,
    requests: kinds.length + uuids.length,
    gets: picked.length,
    searchMs,
    getMs,
    wallMs: searchMs + (extrapolated ? (getMs * uuids.length) / Math.max(1, picked.length) : getMs),
    extrapolated
  }
}

/** Per-object create then apply, one at a time. Returns the number saved. */
export const createRules = async (c: BaselineClient, rules: ReadonlyArray<NewRule>): Promise<number> => {
  let saved = 0
  for (const r of rules) {
    const result = await c.call("POST", "firewall/filter/add_rule", {
      rule: {
        interface: r.iface,
        action: "pass",
        protocol: "TCP",
        destination_net: r.address,
        destination_port: String(r.port),
        description: r.name
      }
    })
    if (typeof result === "object" && result !== null && "result" in result && result.result === "saved") saved++
    await c.call("POST", "firewall/filter/apply", {})
  }
  return saved
}

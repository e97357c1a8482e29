/**
 * Test helpers: a tiny HTTPS client for the simulator (node:https with the simulator's CA), so the
 * simulator is exercised over real TLS exactly as a client would reach it.
 */
import { request as httpRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import type { SimulatorHandle } from "../../src/Simulator.ts"

export interface Res {
  readonly status: number
  readonly text: string
  readonly headers: Record<string, string | Array<string> | undefined>
  /** parsed JSON, or undefined when the body is not JSON; tests index into arbitrary wire JSON and assert its shape */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any
}

export interface CallOptions {
  readonly method?: string
  readonly body?: unknown
  /** raw body text (with `contentType`) instead of JSON */
  readonly raw?: string
  readonly contentType?: string
  /** false = no Authorization header; a pair = these credentials */
  readonly auth?: false | { readonly key: string; readonly secret: string }
  readonly timeoutMs?: number
}

/** What a client needs to reach a simulator (a handle, or the sandbox command's printed details). */
export type Target = Pick<SimulatorHandle, "url" | "apiKey" | "apiSecret" | "caPem">

export const call = (sim: Target, path: string, o: CallOptions = {}): Promise<Res> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, sim.url)
    const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body))
    const headers: Record<string, string> = {}
    if (payload !== undefined) {
      headers["Content-Type"] = o.contentType ?? "application/json"
      headers["Content-Length"] = String(Buffer.byteLength(payload))
    } else if (o.contentType !== undefined) headers["Content-Type"] = o.contentType
    const creds = o.auth === undefined ? { key: sim.apiKey, secret: sim.apiSecret } : o.auth
    if (creds !== false) {
      headers["Authorization"] = `Basic ${Buffer.from(`${creds.key}:${creds.secret}`).toString("base64")}`
    }
    const method = o.method ?? (payload !== undefined ? "POST" : "GET")
    const options = { method, headers, agent: false as const, ...(sim.caPem === undefined ? {} : { ca: sim.caPem }) }
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        let body: unknown
        try {
          body = JSON.parse(text)
        } catch {
          body = undefined
        }
        resolve({ status: res.statusCode ?? 0, text, headers: res.headers, body })
      })
    })
    req.on("error", reject)
    if (o.timeoutMs !== undefined) req.setTimeout(o.timeoutMs, () => req.destroy(new Error("timeout")))
    if (payload !== undefined) req.write(payload)
    req.end()
  })

export const post = (sim: Target, path: string, body: unknown = undefined, o: CallOptions = {}) =>
  call(sim, path, { method: "POST", ...(body === undefined ? {} : { body }), ...o })

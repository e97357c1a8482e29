/**
 * The one HTTP client: node:https (or node:http for a plain-http sandbox) over a keep-alive agent
 * owned by a scope. It only moves bytes; mapping statuses and bodies to typed errors is Response.ts.
 *
 * - TLS verification is on unless `insecure` is set; `caPem` adds the firewall's CA.
 * - Credentials are Basic auth from Redacted values, built per request and never logged.
 * - JSON bodies are always sent as strings with Content-Type JSON; a request without a body sends
 *   no Content-Type at all (OPNsense answers 400 to JSON Content-Type with an empty body:
 *   "Invalid JSON syntax", opnsense/core 26.7.2 ApiControllerBase.php parseJsonBodyData).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { TimeoutError, TransportError } from "./Errors.ts"

// not `import * as http from "node:http"`: an ES import of node:http builds its whole namespace,
// and its lazy WebSocket export loads undici (with http2, zlib and worker_threads) at the start of
// every command, ~20 ms this client never uses
const http = process.getBuiltinModule("node:http")
const https = process.getBuiltinModule("node:https")

export interface TransportOptions {
  readonly site: string
  /** base URL, e.g. https://192.0.2.1 or https://127.0.0.1:8443; no credentials */
  readonly url: string
  readonly apiKey: Redacted.Redacted<string>
  readonly apiSecret: Redacted.Redacted<string>
  readonly caPem?: string | undefined
  readonly insecure?: boolean | undefined
  readonly timeoutMs: number
}

export type Method = "GET" | "POST"

export interface RawResponse {
  readonly status: number
  readonly body: string
  readonly bytes: number
}

export interface Transport {
  readonly site: string
  /** base URL without credentials or trailing slash */
  readonly baseUrl: string
  /** `path` is relative to /api/, e.g. "firewall/filter/get" */
  readonly request: (
    method: Method,
    path: string,
    body?: unknown
  ) => Effect.Effect<RawResponse, TransportError | TimeoutError>
}

const TLS_HINT =
  "set OPNSENSE_CA_FILE to the firewall's CA certificate (PEM), or OPNSENSE_INSECURE=true to skip verification (not recommended)"

/** Spell out what went wrong on the wire, in words an operator can act on. */
export const describeTransportFailure = (error: unknown, url: string): string => {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : ""
  const detail = error instanceof Error ? error.message : String(error)
  switch (code) {
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return `TLS: the firewall at ${url} presents a self-signed certificate that is not trusted: ${TLS_HINT}`
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "UNABLE_TO_GET_ISSUER_CERT":
      return `TLS: the certificate of ${url} is not trusted: it is self-signed or signed by a private CA (${code}): ${TLS_HINT}`
    case "CERT_HAS_EXPIRED":
      return `TLS: the certificate of ${url} has expired; renew it on the firewall (System > Trust) or ${TLS_HINT}`
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `TLS: the certificate of ${url} does not name this host (${detail}); use the host name in the certificate in OPNSENSE_URL, or ${TLS_HINT}`
    case "ECONNREFUSED":
      return `connection refused by ${url}: is the web GUI listening on that address and port?`
    case "ECONNRESET":
    case "EPIPE":
      return `the connection to ${url} was reset before a response arrived`
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `the host name in ${url} could not be resolved (DNS: ${code})`
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${url} is unreachable (${code}): check routing and firewall rules between here and the firewall`
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return `TLS handshake with ${url} failed (${detail}); is this an https:// URL for an http:// server?`
    default:
      return code !== "" ? `request to ${url} failed: ${code} ${detail}` : `request to ${url} failed: ${detail}`
  }
}

/** Strip credentials and trailing slashes: the form used in messages, spans and logs. */
export const safeBaseUrl = (url: string): string => {
  const parsed = new URL(url)
  parsed.username = ""
  parsed.password = ""
  parsed.search = ""
  parsed.hash = ""
  return parsed.toString().replace(/\/+$/, "")
}

/**
 * The largest answer read: a rule listing is ~1.4 KB per rule (14 MB at 10,000 rules), so this is
 * far beyond any real firewall, and a body past it (or a Content-Length claiming it) is refused
 * before it can exhaust memory or exceed what a string can hold.
 */
export const MAX_BODY_BYTES = 256 * 1024 * 1024

/**
 * Collects a response body and decodes it once. With a Content-Length (OPNsense always sends one)
 * each chunk is copied into one buffer as it arrives and let go, instead of keeping every chunk
 * plus their concatenation plus the string (a rule listing is ~14 MB at 10,000 rules). `push`
 * answers false once the body is larger than MAX_BODY_BYTES.
 */
const bodyReader = (declared: number) => {
  const sized = Number.isSafeInteger(declared) && declared > 0 && declared <= MAX_BODY_BYTES
  let buffer: Buffer | undefined = sized ? Buffer.allocUnsafe(declared) : undefined
  let chunks: Array<Buffer> = []
  let received = 0
  return {
    push: (chunk: Buffer): boolean => {
      if (received + chunk.length > MAX_BODY_BYTES) return false
      if (buffer !== undefined && received + chunk.length <= buffer.length) buffer.set(chunk, received)
      else {
        // more than declared (or no length): keep chunks, after what was copied so far
        if (buffer !== undefined) chunks.push(buffer.subarray(0, received))
        buffer = undefined
        chunks.push(chunk)
      }
      received += chunk.length
      return true
    },
    end: (): { readonly text: string; readonly bytes: number } => {
      const all = buffer !== undefined ? buffer.subarray(0, received) : Buffer.concat(chunks)
      buffer = undefined
      chunks = []
      return { text: all.toString("utf8"), bytes: received }
    }
  }
}

export const makeTransport = (options: TransportOptions): Effect.Effect<Transport, never, Scope.Scope> =>
  Effect.gen(function*() {
    const baseUrl = safeBaseUrl(options.url)
    const base = new URL(baseUrl)
    const secure = base.protocol === "https:"
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() =>
        secure
          ? new https.Agent({
            keepAlive: true,
            // lighttpd, OPNsense's web server, closes idle keep-alive connections: stay under its idle limit
            keepAliveMsecs: 10_000,
            maxSockets: 8,
            ...(options.caPem !== undefined ? { ca: options.caPem } : {}),
            rejectUnauthorized: options.insecure !== true
          })
          : new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 8 })
      ),
      (agent) => Effect.sync(() => agent.destroy())
    )
    const prefix = base.pathname.replace(/\/+$/, "")

    const request = (method: Method, path: string, body?: unknown) =>
      Effect.callback<RawResponse, TransportError | TimeoutError>((resume, signal) => {
        const endpoint = `${method} /api/${path}`
        const payload = body === undefined ? undefined : JSON.stringify(body)
        const auth = Buffer.from(`${Redacted.value(options.apiKey)}:${Redacted.value(options.apiSecret)}`).toString(
          "base64"
        )
        const headers: Record<string, string> = { "Accept": "application/json", "Authorization": `Basic ${auth}` }
        if (payload !== undefined) {
          headers["Content-Type"] = "application/json"
          headers["Content-Length"] = String(Buffer.byteLength(payload))
        }
        let done = false
        const finish = (effect: Effect.Effect<RawResponse, TransportError | TimeoutError>) => {
          if (done) return
          done = true
          clearTimeout(timer)
          resume(effect)
        }
        /** the socket, TLS or the response stream failed */
        const transportFailure = (error: Error) =>
          finish(Effect.fail(
            new TransportError({
              message: describeTransportFailure(error, baseUrl),
              site: options.site,
              endpoint,
              cause: error
            })
          ))
        const req = (secure ? https : http).request(
          {
            protocol: base.protocol,
            // an IPv6 literal keeps its brackets in URL.hostname; the socket wants the bare address
            hostname: base.hostname.replace(/^\[(.*)\]$/, "$1"),
            port: base.port === "" ? undefined : Number(base.port),
            path: `${prefix}/api/${path}`,
            method,
            headers,
            agent,
            signal
          },
          (res) => {
            const declared = Number(res.headers["content-length"] ?? Number.NaN)
            const body = bodyReader(declared)
            const tooLarge = () => {
              finish(Effect.fail(
                new TransportError({
                  message: `the answer of ${baseUrl} to ${endpoint} is larger than ${
                    MAX_BODY_BYTES / 1024 / 1024
                  } MB (Content-Length ${Number.isFinite(declared) ? declared : "not given"}); refused`,
                  site: options.site,
                  endpoint
                })
              ))
              req.destroy()
            }
            if (declared > MAX_BODY_BYTES) return tooLarge()
            res.on("data", (chunk: Buffer) => {
              if (!body.push(chunk)) tooLarge()
            })
            res.on("end", () => {
              const { text, bytes } = body.end()
              finish(Effect.succeed({
                status: res.statusCode ?? 0,
                body: text,
                bytes
              }))
            })
            res.on("error", transportFailure)
          }
        )
        const timer = setTimeout(() => {
          finish(Effect.fail(
            new TimeoutError({
              message:
                `no response from ${baseUrl} for ${endpoint} within ${options.timeoutMs} ms (OPNSENSE_TIMEOUT_MS)`,
              site: options.site,
              endpoint,
              timeoutMs: options.timeoutMs
            })
          ))
          req.destroy()
        }, options.timeoutMs)
        req.on("error", (error) => {
          if (!signal.aborted) transportFailure(error)
        })
        if (payload !== undefined) req.write(payload)
        req.end()
        return Effect.sync(() => {
          done = true
          clearTimeout(timer)
          req.destroy()
        })
      })

    /** DEBUG=opnsense:client: one line per request (method, endpoint, status, time; never a header or body) */
    const logged = (method: Method, path: string, body?: unknown) => {
      const where = { site: options.site, endpoint: `${method} /api/${path.replace(/\?.*$/, "")}` }
      return request(method, path, body).pipe(
        Effect.timed,
        Effect.tap(([duration, response]) =>
          Effect.logDebug("OPNsense request").pipe(Effect.annotateLogs({
            ...where,
            status: response.status,
            bytes: response.bytes,
            ms: Math.round(Duration.toMillis(duration))
          }))
        ),
        Effect.map(([, response]) => response),
        Effect.tapError((error) =>
          Effect.logDebug("OPNsense request failed").pipe(Effect.annotateLogs({ ...where, error: error._tag }))
        ),
        Effect.annotateLogs("area", "opnsense:client")
      )
    }

    return { site: options.site, baseUrl, request: logged }
  })

/** An OTLP/HTTP JSON receiver on 127.0.0.1 for tests: keeps every span and every raw body. */
import { Effect } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly kind: number
  readonly attributes: Record<string, unknown>
  readonly service: string | undefined
}

interface KeyValue {
  readonly key: string
  readonly value: Record<string, unknown>
}

const plain = (kvs: ReadonlyArray<KeyValue> | undefined): Record<string, unknown> =>
  Object.fromEntries((kvs ?? []).map((kv) => [kv.key, Object.values(kv.value)[0]]))

export const receiver = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ url: string; spans: Array<ReceivedSpan>; bodies: Array<string>; close: () => void }>((resolve) => {
      const spans: Array<ReceivedSpan> = []
      const bodies: Array<string> = []
      const server = createServer((req, res) => {
        let body = ""
        req.setEncoding("utf8")
        req.on("data", (c: string) => (body += c))
        req.on("end", () => {
          bodies.push(body)
          if (req.url === "/v1/traces") {
            const data = JSON.parse(body) as {
              resourceSpans: Array<
                {
                  resource: { attributes: Array<KeyValue> }
                  scopeSpans: Array<
                    { spans: Array<ReceivedSpan & { attributes: Array<KeyValue>; parentSpanId?: string }> }
                  >
                }
              >
            }
            for (const rs of data.resourceSpans) {
              const service = plain(rs.resource.attributes)["service.name"]
              for (const ss of rs.scopeSpans) {
                for (const s of ss.spans) {
                  spans.push({
                    traceId: s.traceId,
                    spanId: s.spanId,
                    parentSpanId: s.parentSpanId === "" ? undefined : s.parentSpanId,
                    name: s.name,
                    kind: s.kind,
                    attributes: plain(s.attributes),
                    service: typeof service === "string" ? service : undefined
                  })
                }
              }
            }
          }
          res.writeHead(200, { "content-type": "application/json" })
          res.end("{}")
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resolve({ url: `http://127.0.0.1:${port}`, spans, bodies, close: () => server.close() })
      })
    })
  ),
  (r) => Effect.sync(() => r.close())
)

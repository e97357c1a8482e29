/**
 * Fault injection for tests and benchmarks: latency, failing/dropping/hanging the next N requests
 * (optionally only those of one endpoint or path prefix), and wrong credentials.
 */
export type Fault =
  | { readonly kind: "fail"; readonly status: number; readonly body?: unknown }
  | { readonly kind: "drop" }
  | { readonly kind: "hang" }

interface Pending {
  remaining: number
  readonly fault: Fault
  readonly match: string | undefined
}

export interface Credentials {
  readonly apiKey: string
  readonly apiSecret: string
}

export class Faults {
  /** added before every answer */
  latencyMs = 0
  /** every request fails authentication (401) while true */
  wrongCredentials = false
  private readonly queue: Array<Pending> = []
  private readonly initialLatency: number
  private readonly rotate: () => Credentials

  constructor(latencyMs: number, rotate: () => Credentials) {
    this.latencyMs = latencyMs
    this.initialLatency = latencyMs
    this.rotate = rotate
  }

  /** Replace the API key and secret (the old pair then gets 401); returns the new pair. */
  rotateCredentials(): Credentials {
    return this.rotate()
  }

  setLatency(ms: number): void {
    this.latencyMs = ms
  }
  /** Answer the next `n` (matching) requests with `status` and `body` (JSON, or text when a string). */
  failNext(n: number, status: number, body?: unknown, match?: string): void {
    this.queue.push({
      remaining: n,
      fault: body === undefined ? { kind: "fail", status } : { kind: "fail", status, body },
      match
    })
  }
  /** Destroy the socket of the next `n` (matching) requests without answering. */
  dropNext(n: number, match?: string): void {
    this.queue.push({ remaining: n, fault: { kind: "drop" }, match })
  }
  /** Never answer the next `n` (matching) requests (until the simulator closes). */
  hangNext(n: number, match?: string): void {
    this.queue.push({ remaining: n, fault: { kind: "hang" }, match })
  }
  setWrongCredentials(on: boolean): void {
    this.wrongCredentials = on
  }
  reset(): void {
    this.queue.length = 0
    this.latencyMs = this.initialLatency
    this.wrongCredentials = false
  }

  /** The fault for this request, if one is queued for it. */
  take(endpoint: string, path: string): Fault | undefined {
    const i = this.queue.findIndex((p) => p.match === undefined || p.match === endpoint || path.startsWith(p.match))
    const pending = this.queue[i]
    if (pending === undefined) return undefined
    pending.remaining--
    if (pending.remaining <= 0) this.queue.splice(i, 1)
    return pending.fault
  }
}

/** Every request the simulator answered (or dropped), for assertions and benchmarks. */
export interface RequestEntry {
  readonly method: string
  /** raw path, e.g. `/api/firewall/filter/set_rule/<uuid>` */
  readonly path: string
  /** canonical `/api/<module>/<controller>/<action>` (snake_case), or the path when no route matched */
  readonly endpoint: string
  /** HTTP status; 0 when the request was dropped or left hanging */
  readonly status: number
  readonly ms: number
  /** `fail`, `drop` or `hang` when a fault answered instead of the API */
  readonly fault?: string
}

export class RequestLog {
  private readonly list: Array<RequestEntry> = []

  record(entry: RequestEntry): void {
    this.list.push(entry)
  }
  get entries(): ReadonlyArray<RequestEntry> {
    return this.list
  }
  /** Requests matching an endpoint (`/api/firewall/filter/apply`), an exact path, or a predicate. */
  count(match?: string | ((e: RequestEntry) => boolean)): number {
    if (match === undefined) return this.list.length
    const test = typeof match === "string" ? (e: RequestEntry) => e.endpoint === match || e.path === match : match
    return this.list.filter(test).length
  }
  countByEndpoint(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const e of this.list) out[e.endpoint] = (out[e.endpoint] ?? 0) + 1
    return out
  }
  clear(): void {
    this.list.length = 0
  }
}

/**
 * Canonical JSON and its sha256: the one way the project turns a value into a digest, so the
 * desired state's digest, the live snapshot's digest and the planId hash equal values equally.
 */
import { createHash } from "node:crypto"

export const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The original canonical form, kept for values that are not plain JSON data (toJSON, class instances). */
const canonicalViaReplacer = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => byCodeUnit(a, b)))
      : v)

const isRecord = (value: object): value is Readonly<Record<string, unknown>> => !Array.isArray(value)

const NOT_PLAIN: unique symbol = Symbol("not plain JSON data")

/**
 * A copy of plain JSON data with every object's keys in sorted order, or NOT_PLAIN. Properties are
 * assigned in one order per key list (sorted once per list and call: objects of one kind share
 * it), so the copies share hidden classes and the native JSON.stringify stays on its fast path:
 * about twice as fast as sorting inside a replacer.
 */
const sortedCopy = (value: unknown, orders: Map<string, ReadonlyArray<string>>): unknown => {
  if (typeof value !== "object" || value === null) return value
  if ("toJSON" in value) return NOT_PLAIN
  const proto: unknown = Object.getPrototypeOf(value)
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return NOT_PLAIN
    const out: Array<unknown> = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const item = sortedCopy(value[i], orders)
      if (item === NOT_PLAIN) return NOT_PLAIN
      out[i] = item
    }
    return out
  }
  if ((proto !== Object.prototype && proto !== null) || !isRecord(value)) return NOT_PLAIN
  const keys = Object.keys(value)
  const id = keys.join("\u0000")
  let order = orders.get(id)
  if (order === undefined) {
    order = [...keys].sort(byCodeUnit)
    orders.set(id, order)
  }
  const out: Record<string, unknown> = {}
  for (const key of order) {
    // an own "__proto__" (JSON.parse makes them) would set the copy's prototype, not a property
    if (key === "__proto__") return NOT_PLAIN
    const item = sortedCopy(value[key], orders)
    if (item === NOT_PLAIN) return NOT_PLAIN
    out[key] = item
  }
  return out
}

/** JSON with object keys sorted, so equal values always hash equally. */
export const canonicalJson = (value: unknown): string => {
  const copy = sortedCopy(value, new Map())
  return copy === NOT_PLAIN ? canonicalViaReplacer(value) : JSON.stringify(copy)
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")

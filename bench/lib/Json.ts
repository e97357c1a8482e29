/** Reading JSON the bench got from a child process or a tool, without casts. */

export type Json = Readonly<Record<string, unknown>>

export const isRecord = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/** A number field, or NaN. */
export const num = (r: Json, key: string): number => {
  const v = r[key]
  return typeof v === "number" ? v : Number.NaN
}

/** An object field, or {}. */
export const record = (r: Json, key: string): Json => {
  const v = r[key]
  return isRecord(v) ? v : {}
}

/** A number at a path of object keys, or NaN. */
export const numberAt = (u: unknown, ...path: ReadonlyArray<string>): number => {
  let cur: unknown = u
  for (const key of path) cur = isRecord(cur) ? cur[key] : undefined
  return typeof cur === "number" ? cur : Number.NaN
}

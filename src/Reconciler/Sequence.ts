/**
 * Rule order → `sequence` values. The YAML order of a site's managed rules must become strictly
 * increasing sequences. Rules whose current sequences already agree with that order keep them
 * (the longest increasing run is kept), so inserting one rule between two renumbers only the new
 * rule; new rules take a free value in the gap, or steps of 100 after the last one.
 */

export const STEP = 100

/** 25.7 made `sequence` 1–999999; before that it was 1–99999. */
export const maxSequence = (version: { readonly major: number; readonly minor: number }): number =>
  version.major > 25 || (version.major === 25 && version.minor >= 7) ? 999_999 : 99_999

/** Indices of a longest strictly increasing subsequence of the defined values. */
const longestIncreasing = (values: ReadonlyArray<number | undefined>): ReadonlySet<number> => {
  // patience sorting: tails[k] is the index ending the best increasing run of length k + 1
  const tails: Array<{ readonly index: number; readonly value: number }> = []
  const previous = new Map<number, number>()
  values.forEach((value, index) => {
    if (value === undefined) return
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((tails[mid]?.value ?? Infinity) < value) lo = mid + 1
      else hi = mid
    }
    const before = tails[lo - 1]
    if (before !== undefined) previous.set(index, before.index)
    tails[lo] = { index, value }
  })
  const kept = new Set<number>()
  let cursor = tails[tails.length - 1]?.index
  while (cursor !== undefined) {
    kept.add(cursor)
    cursor = previous.get(cursor)
  }
  return kept
}

/** Values for `count` slots strictly between lo and hi (hi undefined: open end, bounded by max). */
const fill = (lo: number, hi: number | undefined, count: number, max: number): ReadonlyArray<number> | undefined => {
  if (count === 0) return []
  if (hi === undefined) {
    if (lo + STEP * count <= max) return Array.from({ length: count }, (_, j) => lo + STEP * (j + 1))
    hi = max + 1
  }
  if (hi - lo - 1 < count) return undefined
  const out: Array<number> = []
  let last = lo
  for (let j = 1; j <= count; j++) {
    const ideal = lo + Math.floor(((hi - lo) * j) / (count + 1))
    const value = Math.max(ideal, last + 1)
    out.push(value)
    last = value
  }
  return (out[out.length - 1] ?? lo) < hi ? out : undefined
}

/**
 * Target sequences for rules in evaluation order. `current[i]` is the live sequence of the i-th
 * desired rule (undefined for a rule to be created). The result is strictly increasing within
 * 1..max and changes as few of the current values as it can.
 */
export const compileSequences = (current: ReadonlyArray<number | undefined>, max: number): ReadonlyArray<number> => {
  const n = current.length
  if (n > max) throw new RangeError(`${n} rules do not fit into sequences 1..${max}`)
  const usable = current.map((
    value
  ) => (value !== undefined && Number.isInteger(value) && value >= 1 && value <= max ? value : undefined))
  const anchors = new Set(longestIncreasing(usable))
  for (;;) {
    const result: Array<number> = []
    let lo = 0
    let pending: Array<number> = []
    const flush = (hi: number | undefined): boolean => {
      const values = fill(lo, hi, pending.length, max)
      if (values === undefined) return false
      pending.forEach((index, j) => (result[index] = values[j] ?? 0))
      pending = []
      return true
    }
    for (let i = 0; i < n; i++) {
      if (!anchors.has(i)) {
        pending.push(i)
        continue
      }
      const value = usable[i] ?? 0
      if (flush(value)) {
        result[i] = value
        lo = value
        continue
      }
      // no room before this anchor: it gives up its value and joins the gap, as a pass started
      // afresh without it would (one pass, not one per anchor given up: crowded orders stay linear)
      anchors.delete(i)
      pending.push(i)
    }
    if (flush(undefined)) return result
    // no room after the last anchor: give that one up and start again
    const last = [...anchors].sort((a, b) => a - b).pop()
    if (last === undefined) {
      // nothing left to give up: number everything afresh
      const step = Math.max(1, Math.min(STEP, Math.floor(max / (n + 1))))
      return Array.from({ length: n }, (_, j) => step * (j + 1))
    }
    anchors.delete(last)
  }
}

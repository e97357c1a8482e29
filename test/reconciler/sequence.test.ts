import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compileSequences, maxSequence } from "../../src/Reconciler/Sequence.ts"

const increasing = (xs: ReadonlyArray<number>) => xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? 0))

describe("compileSequences", () => {
  it("numbers new rules in steps of 100", () => {
    expect(compileSequences([undefined, undefined, undefined], 999_999)).toEqual([100, 200, 300])
  })
  it("keeps sequences that already follow the YAML order", () => {
    expect(compileSequences([101, 205, 999], 999_999)).toEqual([101, 205, 999])
  })
  it("gives one inserted rule a value in the gap and renumbers nothing else", () => {
    expect(compileSequences([100, undefined, 200], 999_999)).toEqual([100, 150, 200])
  })
  it("moves one rule when two are swapped", () => {
    const out = compileSequences([200, 100], 999_999)
    expect(increasing(out)).toBe(true)
    expect(out.filter((v, i) => v !== [200, 100][i])).toHaveLength(1)
  })
  it("renumbers neighbours only when a gap is full", () => {
    const out = compileSequences([100, undefined, 101, 500], 999_999)
    expect(increasing(out)).toBe(true)
    expect(out[0]).toBe(100)
    expect(out[3]).toBe(500)
  })
  it("respects the pre-25.7 ceiling of 99999", () => {
    expect(maxSequence({ major: 25, minor: 1 })).toBe(99_999)
    expect(maxSequence({ major: 25, minor: 7 })).toBe(999_999)
    const out = compileSequences([99_990, undefined, undefined], 99_999)
    expect(increasing(out)).toBe(true)
    expect(Math.max(...out)).toBeLessThanOrEqual(99_999)
  })
  it("always yields strictly increasing values in range, changing no more than needed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }), { maxLength: 40 }),
        (current) => {
          const out = compileSequences(current, 2000)
          expect(out).toHaveLength(current.length)
          expect(increasing(out)).toBe(true)
          expect(out.every((v) => v >= 1 && v <= 2000)).toBe(true)
          // idempotent: compiling the result again changes nothing (a plan after apply is empty)
          expect(compileSequences(out, 2000)).toEqual(out)
        }
      ),
      { numRuns: 200 }
    )
  })
  it("crowded orders (gaps too small, values near the ceiling) still compile to a valid, stable numbering", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined, freq: 3 }), { maxLength: 50 }),
        (current) => {
          const out = compileSequences(current, 60)
          expect(out).toHaveLength(current.length)
          expect(increasing(out)).toBe(true)
          expect(out.every((v) => v >= 1 && v <= 60)).toBe(true)
          expect(compileSequences(out, 60)).toEqual(out)
        }
      ),
      { numRuns: 500 }
    )
  })

  it("tight numbering with inserts: keeps the rules before the first insert, numbers the rest after them", () => {
    // 1..30 with a new rule after every 10th: no gap has room, so every later anchor is given up
    const current = Array.from({ length: 30 }, (_, i) => i + 1).flatMap((v) => (v % 10 === 0 ? [v, undefined] : [v]))
    expect(compileSequences(current, 999_999)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i + 1),
      ...Array.from({ length: 23 }, (_, i) => 110 + 100 * i)
    ])
  })
})

/**
 * assignSites: the same answer everywhere, every site owned, nobody over ceil(sites / instances),
 * and few sites move when an instance joins or leaves.
 */
import { describe, expect, it } from "vitest"
import { assignSites } from "../../src/Safety/Leader.ts"

const sites = Array.from({ length: 50 }, (_, i) => `site-${i}`)
const counts = (owners: ReadonlyMap<string, string>) => {
  const n = new Map<string, number>()
  for (const o of owners.values()) n.set(o, (n.get(o) ?? 0) + 1)
  return n
}

describe("assignSites (bounded rendezvous hashing)", () => {
  it("owns every site once, within the ceiling, whatever the order it is given", () => {
    for (
      const instances of [["a", "b", "c"], ["host1:100", "host1:101", "host2:7"], ["x"], [
        "p",
        "q",
        "r",
        "s",
        "t",
        "u",
        "v"
      ]]
    ) {
      const owners = assignSites(sites, instances)
      expect(owners.size).toBe(sites.length)
      for (const n of counts(owners).values()) expect(n).toBeLessThanOrEqual(Math.ceil(sites.length / instances.length))
      expect(assignSites([...sites].reverse(), [...instances].reverse())).toEqual(owners)
    }
    expect(assignSites(sites, []).size).toBe(0)
  })

  it("an instance leaving moves its own sites and only a few others", () => {
    const before = assignSites(sites, ["a", "b", "c"])
    const after = assignSites(sites, ["b", "c"])
    const moved = sites.filter((s) => before.get(s) !== "a" && before.get(s) !== after.get(s))
    expect(moved.length).toBeLessThanOrEqual(8)
    const joined = assignSites(sites, ["a", "b", "c", "d"])
    const movedOnJoin = sites.filter((s) => joined.get(s) !== "d" && joined.get(s) !== before.get(s))
    expect(movedOnJoin.length).toBeLessThanOrEqual(8)
  })
})

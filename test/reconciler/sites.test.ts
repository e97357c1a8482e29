/** selectSite: the one rule every face and the safety layer use to choose a site. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { SiteConfig } from "../../src/Domain/Desired.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import { selectSite } from "../../src/Reconciler/Sites.ts"

const site = (name: string): SiteConfig => ({ name, path: name, pruneUnmanaged: false, probes: [], lint: {} })

describe("selectSite", () => {
  it.effect("takes the only site when none is named, and a named one among several", () =>
    Effect.gen(function*() {
      expect((yield* selectSite([site("default")], undefined)).name).toBe("default")
      expect((yield* selectSite([site("hq"), site("branch")], "branch")).name).toBe("branch")
      const loaded = { ...emptyCollections(), config: site("hq"), digest: "d" }
      expect(yield* selectSite([loaded], "hq")).toBe(loaded)
    }))

  it.effect("refuses with the known sites named", () =>
    Effect.gen(function*() {
      const several = yield* Effect.flip(selectSite([site("hq"), site("branch")], undefined))
      expect(several).toMatchObject({ _tag: "SiteNotFound", site: "", known: ["hq", "branch"] })
      expect(several.message).toBe("several sites are declared (hq, branch): choose one with --site")
      const unknown = yield* Effect.flip(selectSite([site("hq")], "lab", "desired-state/sites.yaml"))
      expect(unknown.message).toBe(`no site "lab" in desired-state/sites.yaml; known sites: hq`)
      const none = yield* Effect.flip(selectSite([], undefined))
      expect(none.message).toBe("no site is declared")
    }))
})

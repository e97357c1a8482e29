/**
 * The repository's copy of the recorded responses (test/contract/fixtures) is byte for byte the
 * shared one, so contract tests on a clone without ../shared test the same bodies.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { sharedFixturesDir, vendoredFixturesDir } from "./fixtures-dir.ts"

const files = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8", withFileTypes: false })
    .map((f) => f.replace(/\\/g, "/"))
    .filter((f) => f.includes(".") && !f.endsWith("/"))
    .sort()

describe("the repository's copy of the recorded responses", () => {
  it.skipIf(!existsSync(sharedFixturesDir))("equals ../shared/opnsense-api/fixtures, file for file", () => {
    const shared = files(sharedFixturesDir)
    expect(files(vendoredFixturesDir)).toEqual(shared)
    for (const file of shared) {
      expect(readFileSync(join(vendoredFixturesDir, file)).equals(readFileSync(join(sharedFixturesDir, file))), file)
        .toBe(true)
    }
  })

  it("is there, with its provenance", () => {
    expect(existsSync(join(vendoredFixturesDir, "SOURCES.md"))).toBe(true)
    expect(files(vendoredFixturesDir).filter((f) => f.endsWith(".json")).length).toBeGreaterThan(10)
  })
})

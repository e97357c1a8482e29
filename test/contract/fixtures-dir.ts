/**
 * Where the recorded OPNsense responses are: the workplace's shared copy
 * (`<repo>/../shared/opnsense-api/fixtures`) when the repository is checked out beside it, else
 * the copy kept in this repository (test/contract/fixtures, with its SOURCES.md), so a clone on
 * its own (a GitHub runner) runs the same contract tests. fixtures-copy.test.ts keeps the two
 * equal whenever both are present.
 */
import { existsSync } from "node:fs"
import { resolve } from "node:path"

export const sharedFixturesDir = resolve(import.meta.dirname, "../../../shared/opnsense-api/fixtures")
export const vendoredFixturesDir = resolve(import.meta.dirname, "fixtures")
export const fixturesDir = existsSync(sharedFixturesDir) ? sharedFixturesDir : vendoredFixturesDir

/**
 * Host and domain override checks, each at its file:line:col (positions worked out by hand from
 * fixtures/host-overrides/a.yaml and fixtures/domain-overrides/a.yaml).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Issue } from "../../src/Domain/Desired.ts"
import { validate } from "./validate-fixture.ts"

const where = (i: Issue) => [i.file, i.line, i.column, i.severity, i.code, i.name]

describe("host override checks", () => {
  it.effect("reports what Unbound.xml refuses and names shadowed by a wildcard", () =>
    Effect.gen(function*() {
      const { issues } = yield* validate("host-overrides")
      expect(issues.map(where)).toEqual([
        // NAS.office.lan A is nas.office.lan A again (DNS names are case-insensitive)
        ["a.yaml", 7, 11, "error", "duplicate-host-override", "nas-again"],
        // the domain Mask allows letters, digits and inner hyphens only
        ["a.yaml", 12, 13, "error", "invalid-domain", "bad-domain"],
        // HostnameField refuses blanks
        ["a.yaml", 15, 11, "error", "invalid-hostname", "bad-host"],
        // SetIfConstraint: an A record needs server
        ["a.yaml", 18, 5, "error", "missing-field", "no-address"],
        ["a.yaml", 24, 14, "error", "address-family", "v6-in-a"],
        ["a.yaml", 31, 14, "error", "field-not-for-type", "mx-with-address"],
        // `[ok, "not ok", ok.office.lan]`: "not ok" at column 19, ok.office.lan (= ok) at 29
        ["a.yaml", 36, 19, "error", "invalid-alias", "bad-alias"],
        ["a.yaml", 36, 29, "error", "duplicate-alias", "bad-alias"],
        // *.lab.lan redirects the whole zone: box.lab.lan and the alias db.sub.lab.lan never answer
        ["a.yaml", 42, 11, "warning", "shadowed-host-override", "in-lab"],
        ["a.yaml", 50, 15, "warning", "shadowed-host-override", "alias-in-lab"]
      ])
      const shadow = issues.find((i) => i.name === "in-lab")
      expect(shadow?.message).toBe(
        "\"box.lab.lan\" is shadowed by the wildcard \"wildcard\" (*.lab.lan, a.yaml:37)"
      )
    }))
})

describe("domain override checks", () => {
  it.effect("reports duplicates, bad names and addresses, and per-domain settings that differ", () =>
    Effect.gen(function*() {
      const { issues } = yield* validate("domain-overrides")
      expect(issues.map(where)).toEqual([
        ["a.yaml", 7, 13, "error", "duplicate-domain-override", "corp-again"],
        // forward-first is one setting of the domain's forward-zone
        ["a.yaml", 11, 20, "warning", "domain-setting-conflict", "corp-second"],
        ["a.yaml", 13, 13, "error", "invalid-domain", "bad-domain"],
        ["a.yaml", 17, 13, "error", "invalid-address", "bad-server"]
      ])
    }))
})

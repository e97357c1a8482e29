/**
 * One fixture tree per error class: each must be reported with the right code at the right
 * file:line:col, with the item's name, and all of a tree's errors in one run.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { DesiredState } from "../../src/DesiredState.ts"
import type { Issue } from "../../src/Domain/Desired.ts"
import { fixtures, validate } from "./validate-fixture.ts"

/** [file, line, column, code, item name] */
type Expected = readonly [string, number, number, string, string?]

const where = (i: Issue): Expected =>
  i.name === undefined ? [i.file, i.line, i.column, i.code] : [i.file, i.line, i.column, i.code, i.name]

const cases: ReadonlyArray<readonly [string, ReadonlyArray<Expected>]> = [
  ["yaml-syntax", [
    ["a.yaml", 5, 5, "yaml-duplicate-key"],
    ["b.yaml", 4, 5, "yaml-syntax"]
  ]],
  ["unknown-keys", [
    ["a.yaml", 1, 1, "unknown-kind"],
    ["a.yaml", 7, 5, "unknown-field", "r1"],
    ["a.yaml", 8, 20, "unknown-field", "r1"],
    ["a.yaml", 8, 44, "port-needs-tcp-udp", "r1"],
    ["a.yaml", 12, 5, "unknown-field", "a1"]
  ]],
  ["types-ranges", [
    ["a.yaml", 4, 10, "out-of-range", "too-big"],
    ["a.yaml", 8, 15, "out-of-range", "bad-priority"],
    ["a.yaml", 11, 10, "type", "tag-text"],
    ["a.yaml", 17, 45, "invalid-port", "bad-port"],
    ["a.yaml", 21, 13, "invalid-address", "bad-cidr"],
    ["a.yaml", 25, 15, "invalid-protocol", "bad-protocol"],
    ["a.yaml", 28, 13, "invalid-value", "bad-action"],
    ["a.yaml", 29, 5, "missing-field", "no-interface"]
  ]],
  ["cross-field", [
    ["a.yaml", 10, 45, "port-needs-tcp-udp", "port-with-icmp"],
    ["a.yaml", 14, 14, "any-combined", "any-combined"],
    ["a.yaml", 18, 53, "invert-multiple", "invert-list"],
    ["a.yaml", 21, 23, "interface-invert", "interface-invert"],
    ["a.yaml", 27, 18, "address-family", "family"],
    ["a.yaml", 29, 17, "invalid-interface", "floating-mixed"],
    ["a.yaml", 35, 13, "address-family", "both-families-literal"],
    ["a.yaml", 39, 28, "literal-list", "literal-with-alias"]
  ]],
  ["duplicate-names", [
    ["b.yaml", 2, 11, "duplicate-name", "web"],
    ["b.yaml", 6, 11, "duplicate-name", "allow-web"]
  ]],
  ["duplicate-vlan-tag", [["a.yaml", 10, 10, "duplicate-vlan-tag", "guest"]]],
  ["unknown-references", [
    ["a.yaml", 7, 26, "unknown-alias", "all_nets"],
    ["a.yaml", 12, 13, "unknown-alias", "typo"],
    ["a.yaml", 17, 26, "unknown-alias", "missing-port-alias"]
  ]],
  ["alias-type-fit", [
    ["a.yaml", 10, 28, "alias-type-mismatch", "mixed"],
    ["a.yaml", 13, 26, "alias-type-mismatch", "port_group"],
    ["a.yaml", 18, 18, "alias-type-mismatch", "port-alias-as-address"],
    ["a.yaml", 23, 44, "alias-type-mismatch", "host-alias-as-port"]
  ]],
  ["alias-cycle", [
    ["a.yaml", 10, 15, "alias-cycle", "c_nets"],
    ["a.yaml", 13, 27, "alias-cycle", "self_ref"]
  ]],
  ["alias-names", [
    ["a.yaml", 2, 11, "invalid-alias-name", "1st_hosts"],
    ["a.yaml", 5, 11, "invalid-alias-name", "__internal"],
    ["a.yaml", 8, 11, "invalid-alias-name", "pass"],
    ["a.yaml", 11, 11, "invalid-alias-name", "https"],
    ["a.yaml", 14, 11, "invalid-alias-name", "a_name_that_is_far_too_long_for_pf"],
    ["a.yaml", 17, 11, "invalid-alias-name", "bogons"]
  ]],
  ["description", [
    ["a.yaml", 9, 18, "description-too-long", "too-long"],
    ["a.yaml", 13, 18, "description-too-long", "wide"],
    ["a.yaml", 18, 18, "description-newline", "two-lines"],
    ["a.yaml", 19, 11, "invalid-name", "bad name with spaces"],
    ["a.yaml", 25, 18, "description-newline", "form-feed"]
  ]],
  ["hostile-alias-bomb", [["a.yaml", 1, 1, "yaml-alias-limit"]]],
  ["hostile-deep", [["a.yaml", 1, 39, "yaml-too-deep"]]]
]

describe("validate reports every error class at its file:line:col", () => {
  for (const [fixture, expected] of cases) {
    it.effect(fixture, () =>
      Effect.gen(function*() {
        const { issues, tree } = yield* validate(fixture)
        expect(tree).toBeUndefined()
        const errors = issues.filter((i) => i.severity === "error")
        expect(errors.map(where)).toEqual(expected)
        for (const issue of errors) {
          expect(issue.message.length).toBeGreaterThan(10)
          expect(issue.hint ?? "", `${issue.code} at ${issue.line}:${issue.column} has no hint`).not.toBe("")
        }
      }))
  }

  it.effect("a literal in an ipv4+ipv6 rule or in a list is refused with the fix, never by recommending ipv4+ipv6", () =>
    Effect.gen(function*() {
      const { issues } = yield* validate("cross-field")
      const family = issues.filter((i) => i.code === "address-family")
      expect(family.find((i) => i.name === "both-families-literal")?.hint).toBe(
        "one rule per family (this one ip_version: ipv4), or put the address in an alias"
      )
      for (const issue of family) expect(issue.hint).not.toContain("ipv4+ipv6")
      const list = issues.find((i) => i.code === "literal-list")
      expect(list?.severity).toBe("error")
      expect(list?.message).toContain("only as the single destination value")
    }))

  it.effect("did-you-mean hints name the intended key, kind and value", () =>
    Effect.gen(function*() {
      const keys = yield* validate("unknown-keys")
      expect(keys.issues.map((i) => i.hint)).toEqual(expect.arrayContaining([
        "did you mean \"vlans\"?",
        "did you mean \"protocol\"?",
        "did you mean \"address\"?",
        "did you mean \"content\"?"
      ]))
      const refs = yield* validate("unknown-references")
      expect(refs.issues.find((i) => i.name === "typo")?.hint).toBe("did you mean \"staff_net\"?")
      const ranges = yield* validate("types-ranges")
      expect(ranges.issues.find((i) => i.name === "bad-action")?.hint).toContain("pass")
    }))

  it.effect("a valid alias name with an underscore second is accepted", () =>
    Effect.gen(function*() {
      const { issues } = yield* validate("alias-names")
      expect(issues.some((i) => i.name === "a_b")).toBe(false)
    }))

  it.effect("load fails with DesiredStateInvalid carrying every issue", () =>
    Effect.gen(function*() {
      const desired = yield* DesiredState
      const error = yield* Effect.flip(desired.load({ dir: `${fixtures}cross-field` }))
      expect(error._tag).toBe("DesiredStateInvalid")
      expect(error.issues.filter((i) => i.severity === "error")).toHaveLength(8)
      expect(error.message).toContain("8 errors")
    }).pipe(Effect.provide(DesiredState.layer), Effect.provide(NodeFileSystem.layer)))
})

/**
 * Host and domain override checks, each at its file:line:col (positions worked out by hand from
 * fixtures/host-overrides/a.yaml and fixtures/domain-overrides/a.yaml).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Issue } from "../../src/Domain/Desired.ts"
import type { DomainOverrideInput } from "../../src/Kinds/DomainOverride/Input.ts"
import { friendlyDomainOverride } from "../../src/Kinds/DomainOverride/Render.ts"
import { domainOverrideSpec } from "../../src/Kinds/DomainOverride/Yaml.ts"
import type { HostOverrideInput } from "../../src/Kinds/HostOverride/Input.ts"
import { friendlyHostOverride } from "../../src/Kinds/HostOverride/Render.ts"
import type { HostOverrideSpec } from "../../src/Kinds/HostOverride/Spec.ts"
import { hostOverrideSpec } from "../../src/Kinds/HostOverride/Yaml.ts"
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

describe("host and domain override rendering", () => {
  it("renders specs back to YAML items that normalise to the same spec (defaults left out)", () => {
    const specs: ReadonlyArray<HostOverrideSpec> = [
      hostOverrideSpec({ name: "a", host: "nas", domain: "office.lan", address: "192.168.1.20" }),
      hostOverrideSpec({
        name: "b",
        host: "*",
        domain: "lab.lan",
        type: "AAAA",
        address: "fd00::1",
        ttl: 60,
        reverse: false,
        aliases: ["www.lab.lan", "api.example.org", "*.other.org"],
        enabled: false,
        description: "Lab"
      }),
      hostOverrideSpec({ name: "c", host: "", domain: "office.lan", type: "MX", mx_priority: 10, mx_host: "mail" })
    ]
    for (const spec of specs) {
      const { name, ...item } = friendlyHostOverride("x", spec)
      expect(hostOverrideSpec({ name, ...item } as HostOverrideInput)).toEqual(spec)
    }
    // "www.lab.lan" is www in the host's own domain
    expect(specs[1]?.aliases).toEqual(["*.other.org", "api.example.org", "www"])
    expect(friendlyHostOverride("a", specs[0] as HostOverrideSpec)).toEqual({
      name: "a",
      host: "nas",
      domain: "office.lan",
      address: "192.168.1.20"
    })
    const forward = domainOverrideSpec({ name: "d", domain: "corp.example", server: "10.0.0.53", port: 5353 })
    const { name, ...item } = friendlyDomainOverride("d", forward)
    expect(domainOverrideSpec({ name, ...item } as DomainOverrideInput)).toEqual(forward)
  })
})

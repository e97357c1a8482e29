import { describe, expect, it } from "@effect/vitest"
import type { DesiredSite } from "../../src/Domain/Desired.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import { type Finding, lint, lintSite } from "../../src/Policy.ts"
import { alias, policy, rule, spec } from "./build.ts"

/** "code:name:severity", sorted: the whole set must match, so a missing or extra finding fails */
const summary = (findings: ReadonlyArray<Finding>) =>
  findings.map((f) => `${f.code}:${f.name ?? "-"}:${f.severity}`).sort()

describe("lint: a hand-worked rule set with one of each problem", () => {
  const aliases = [
    alias("web_servers", "host", ["10.1.0.10", "10.1.0.11"]),
    alias("db_net", "network", ["10.2.0.0/24"]),
    alias("servers", "networkgroup", ["web_servers", "db_net"]),
    alias("web_ports", "port", ["80", "443"]),
    alias("unused_one", "host", ["10.9.9.9"]),
    alias("empty_one", "network", []),
    alias("dup_web", "host", ["10.1.0.11", "10.1.0.10"])
  ]
  const rules = [
    rule("block-bad", { action: "block", dst: ["10.66.0.0/16"] }),
    rule("pass-bad-host", { protocol: "TCP", dst: ["10.66.1.1"], dstPort: "443" }),
    rule("block-bad-sub", { action: "block", dst: ["10.66.2.0/24"] }),
    rule("pass-web-a", { protocol: "TCP", dst: ["web_servers"], dstPort: "443" }),
    rule("pass-web-all", { protocol: "TCP", dst: ["servers"], dstPort: "web_ports" }),
    rule("pass-everything-wan", { interfaces: ["wan"], log: false }),
    rule("block-mgmt", { action: "block", protocol: "TCP", dst: ["(self)"], dstPort: "443" }),
    rule("pass-wider", { protocol: "TCP", dst: ["10.66.0.0/15"] }),
    rule("nq-pass", { quick: false, dst: ["10.77.0.0/24"] }),
    rule("nq-block", { action: "block", quick: false, dst: ["10.77.0.0/16"] }),
    rule("typo", { dst: ["typo_alias"] }),
    rule("to-empty", { interfaces: ["opt2"], dst: ["empty_one"] }),
    rule("to-dup", { interfaces: ["opt2"], protocol: "TCP", dst: ["dup_web"], dstPort: "22" })
  ]
  const input = policy(rules, aliases, {
    sensitiveInterfaces: ["wan"],
    management: { interface: "lan", address: "10.0.0.1", port: 443, source: "10.0.0.50" }
  })
  const findings = lint(input)

  it("reports exactly the expected findings", () => {
    expect(summary(findings)).toEqual([
      "any-any-pass:pass-everything-wan:warning",
      "contradicted-rule:pass-wider:info",
      "duplicate-alias-content:dup_web:warning",
      "empty-alias:empty_one:warning",
      "management-lockout:block-mgmt:error",
      "redundant-rule:block-bad-sub:warning",
      "redundant-rule:pass-web-a:warning",
      "shadowed-rule:nq-pass:error",
      "shadowed-rule:pass-bad-host:error",
      "unknown-reference:typo:warning",
      "unlogged-pass:pass-everything-wan:warning",
      "unused-alias:unused_one:warning"
    ])
  })

  const find = (code: string, name: string) => findings.find((f) => f.code === code && f.name === name)!

  it("names the shadowing rule, points at the YAML line and says how to fix it", () => {
    const f = find("shadowed-rule", "pass-bad-host")
    expect(f.related).toEqual(["block-bad"])
    expect(f.source).toEqual(rules[1]!.source)
    expect(f.message).toContain("earlier rule \"block-bad\" (quick block, interface) decides every packet")
    expect(f.hint).toContain("move \"pass-bad-host\" above \"block-bad\"")
  })

  it("tells redundancy by an earlier rule from redundancy with a later one", () => {
    expect(find("redundant-rule", "block-bad-sub").related).toEqual(["block-bad"])
    expect(find("redundant-rule", "pass-web-a").related).toEqual(["pass-web-all"])
    expect(find("redundant-rule", "pass-web-a").message).toContain("later rule")
  })

  it("explains last-match overriding of non-quick rules", () => {
    const f = find("shadowed-rule", "nq-pass")
    expect(f.related).toEqual(["nq-block"])
    expect(f.message).toContain("the last match wins")
  })

  it("lists the rules that take part of a rule's traffic", () => {
    expect(find("contradicted-rule", "pass-wider").related).toEqual(["block-bad", "block-bad-sub"])
  })

  it("names the rule that blocks the management path", () => {
    const f = find("management-lockout", "block-mgmt")
    expect(f.message).toContain("10.0.0.50 → 10.0.0.1:443 in on lan")
    expect(f.source).toEqual(rules[6]!.source)
  })

  it("names the rules using an empty alias and the alias a duplicate repeats", () => {
    expect(find("empty-alias", "empty_one").related).toEqual(["to-empty"])
    expect(find("duplicate-alias-content", "dup_web").related).toEqual(["web_servers"])
  })
})

describe("lint: severities, management and live-state details", () => {
  it("applies per-site severity overrides and drops findings set to off", () => {
    const input = policy(
      [rule("a", { action: "block", dst: ["10.0.0.0/8"] }), rule("b", { dst: ["10.1.0.0/16"] })],
      [alias("spare", "host", ["10.0.0.9"])],
      { severities: { "shadowed-rule": "warning", "unused-alias": "off" } }
    )
    expect(summary(lint(input))).toEqual(["shadowed-rule:b:warning"])
  })

  it("reports the default deny as a lockout of the firewall's rules, and as a risk of the desired ones", () => {
    const rules = [rule("dns", { protocol: "UDP", dstPort: "53" })]
    const management = { interface: "lan", address: "10.0.0.1", port: 443 }
    const [live] = lint(policy(rules, [], { management, origin: "live" }))
    expect(live).toMatchObject({ code: "management-lockout", kind: "site", severity: "error" })
    expect(live!.message).toContain("default deny")
    // the desired state is not the whole rule set: rules outside git may pass it, the plan's guard knows
    const [desired] = lint(policy(rules, [], { management }))
    expect(desired).toMatchObject({ code: "management-at-risk", kind: "site", severity: "warning" })
    expect(desired!.message).toContain("outside git")
  })

  it("trusts the anti-lockout rule, and passes a management path a rule allows", () => {
    const blocking = [rule("block-all", { action: "block" })]
    const m = { interface: "lan", address: "10.0.0.1", port: 443 }
    expect(summary(lint(policy(blocking, [], { management: { ...m, antiLockout: true } })))).toEqual([])
    const allowed = [rule("mgmt", { protocol: "TCP", dst: ["lanip"], dstPort: "443" }), ...blocking]
    // the exception before the broad block is reported as information only
    expect(summary(lint(policy(allowed, [], { management: m })))).toEqual(["contradicted-rule:block-all:info"])
  })

  it("warns when an opaque rule may block the management path", () => {
    const input = policy(
      [rule("geo", { action: "block", src: ["geo"] }), rule("mgmt", { protocol: "TCP", dstPort: "443" })],
      [alias("geo", "geoip", ["CN"])],
      { management: { interface: "lan", address: "10.0.0.1" } }
    )
    expect(summary(lint(input))).toEqual(["management-at-risk:geo:warning"])
  })

  it("treats opaque aliases as covering only themselves", () => {
    const input = policy(
      [
        rule("geo-block", { action: "block", src: ["geo"] }),
        rule("lan-pass", { src: ["10.0.0.0/24"] }),
        rule("geo-pass", { src: ["geo"], protocol: "TCP" })
      ],
      [alias("geo", "geoip", ["CN"])]
    )
    expect(summary(lint(input))).toEqual(["shadowed-rule:geo-pass:error"])
  })

  it("reports live legacy rules once, never on themselves, but lets them shadow MVC rules", () => {
    const input = policy(
      [
        rule("legacy-block", { origin: "legacy", action: "block", interfaces: [] }),
        rule("mvc-pass", { dst: ["10.1.0.0/16"] })
      ],
      [],
      { origin: "live" }
    )
    expect(summary(lint(input))).toEqual(["read-only-rules:-:info", "shadowed-rule:mvc-pass:error"])
  })

  it("catches a nesting cycle instead of looping", () => {
    const input = policy([rule("loop", { dst: ["a"] })], [
      alias("a", "networkgroup", ["b"]),
      alias("b", "networkgroup", ["a"])
    ])
    expect(summary(lint(input))).toEqual(["unknown-reference:loop:warning"])
  })

  it("lintSite returns Issues at the YAML location for validate", () => {
    const site: DesiredSite = {
      ...emptyCollections(),
      config: { name: "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} },
      vlans: [],
      aliases: [],
      rules: [
        {
          name: "block",
          spec: spec({ action: "block" }),
          source: { file: "desired-state/rules.yaml", line: 2, column: 5 }
        },
        {
          name: "late-pass",
          spec: spec({ dst: ["10.1.1.1"] }),
          source: { file: "desired-state/rules.yaml", line: 9, column: 5 }
        }
      ],
      digest: ""
    }
    expect(lintSite(site)).toEqual([{
      file: "desired-state/rules.yaml",
      line: 9,
      column: 5,
      severity: "error",
      code: "shadowed-rule",
      message: expect.stringContaining("rule \"late-pass\" (pass) never matches"),
      name: "late-pass",
      kind: "rule",
      hint: expect.stringContaining("move")
    }])
  })
})

describe("lint: any-any written as a CIDR", () => {
  const anyAny = (
    rules: ReadonlyArray<ReturnType<typeof rule>>,
    aliases: ReadonlyArray<ReturnType<typeof alias>> = []
  ) => lint(policy(rules, aliases, {})).filter((f) => f.code === "any-any-pass").map((f) => f.name).sort()

  it("0.0.0.0/0 and ::/0 are any, on either side, directly or through an alias", () => {
    expect(anyAny(
      [
        rule("v4-src", { interfaces: ["opt1"], src: ["0.0.0.0/0"] }),
        rule("v4-dst", { interfaces: ["opt2"], dst: ["0.0.0.0/0"] }),
        rule("v4-both", { interfaces: ["opt3"], src: ["0.0.0.0/0"], dst: ["0.0.0.0/0"] }),
        rule("v6", { interfaces: ["opt4"], ipVersion: "inet6", src: ["::/0"] }),
        rule("dual", { interfaces: ["opt5"], ipVersion: "inet46", src: ["0.0.0.0/0", "::/0"] }),
        rule("via-alias", { interfaces: ["opt6"], src: ["everything"] })
      ],
      [alias("everything", "network", ["0.0.0.0/0"])]
    )).toEqual(["dual", "v4-both", "v4-dst", "v4-src", "v6", "via-alias"])
  })

  it("is not any-any when narrower, inverted, or limited by protocol", () => {
    expect(anyAny([
      rule("half", { interfaces: ["opt1"], src: ["0.0.0.0/1"] }),
      rule("inverted", { interfaces: ["opt2"], src: ["0.0.0.0/0"], srcNot: true }),
      rule("tcp", { interfaces: ["opt3"], protocol: "TCP", src: ["0.0.0.0/0"] }),
      rule("blocked", { interfaces: ["opt4"], action: "block", src: ["0.0.0.0/0"] })
    ])).toEqual([])
  })
})

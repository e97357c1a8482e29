/**
 * Intents: parsed from any desired-state file with their positions, checked against rule sets
 * (held / violated / unknown), reported by validate and lint at the intent's YAML line with the
 * deciding rule, and against a plan with the change that breaks them.
 */
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import type { SiteConfig } from "../../src/Domain/Desired.ts"
import type { Intent } from "../../src/Domain/Intent.ts"
import { compile, fromDesired, lintSite } from "../../src/Policy.ts"
import { evaluateIntent, intentResults } from "../../src/Policy/Intents.ts"
import { auditedOverride, violatedIntents } from "../../src/Policy/PlanIntents.ts"
import { judgeIntents } from "../../src/Safety/IntentGuard.ts"
import { alias, policy as policyInput, rule } from "./build.ts"

const config: SiteConfig = {
  name: "default",
  path: ".",
  pruneUnmanaged: false,
  probes: [],
  lint: {},
  interfaces: {
    lan: { networks: ["10.0.0.0/24"], addresses: ["10.0.0.1"] },
    opt2: { networks: ["10.20.0.0/24"], addresses: ["10.20.0.1"] }
  }
}

const site = (files: Record<string, string>) =>
  loadSite(config, Object.entries(files).map(([path, text]) => ({ path, text })))

const rules = `aliases:
  - name: guest_net
    type: network
    content: [10.20.0.0/24]
  - name: servers
    type: network
    content: [10.0.0.0/28]
rules:
  - name: guest-no-private
    interface: opt2
    action: block
    source: guest_net
    destination: 10.0.0.0/8
  - name: guest-internet
    interface: opt2
    action: pass
    source: guest_net
  - name: lan-out
    interface: lan
    action: pass
    source: 10.0.0.0/24
`

const intents = `intents:
  - name: guests-never-reach-servers
    from: guest_net
    to: servers
    protocol: tcp
    port: 22
    expect: block
  - name: guests-reach-web
    from: guest_net
    to: 198.51.100.7
    protocol: tcp
    port: 443
    expect: pass
`

const intentOf = (over: Partial<Intent>): Intent => ({ name: "t", from: "any", to: "any", expect: "block", ...over })

describe("intents in the desired state", () => {
  it("are read from any file with their positions, and hold against rules that keep them", () => {
    const loaded = site({ "rules.yaml": rules, "intents.yaml": intents })
    expect(loaded.issues).toEqual([])
    expect(loaded.site?.intents?.map((i) => [i.name, i.source?.file, i.source?.line])).toEqual([
      ["guests-never-reach-servers", "intents.yaml", 2],
      ["guests-reach-web", "intents.yaml", 8]
    ])
    expect(loaded.site?.intents?.[0]).toMatchObject({ port: "22", protocol: "tcp", expect: "block" })
    const results = intentResults(compile(fromDesired(loaded.site!)), loaded.site!.intents!)
    expect(results.map((r) => r.verdict)).toEqual(["held", "held"])
    expect(lintSite(loaded.site!).filter((i) => i.code.startsWith("intent"))).toEqual([])
  })

  it("report shape problems at their line: unknown fields, bad expect, duplicate names", () => {
    const loaded = site({
      "a.yaml":
        "intents:\n  - name: x\n    from: 10.0.0.1\n    to: any\n    expct: block\n  - name: x\n    from: a\n    to: b\n    expect: allow\n"
    })
    expect(loaded.site).toBeUndefined()
    expect(loaded.issues.map((i) => [i.code, i.line])).toEqual([
      ["missing-field", 2],
      ["unknown-field", 5],
      ["invalid-value", 9]
    ])
    const dup = site({
      "a.yaml": "intents:\n  - { name: x, from: any, to: any, expect: block }\n",
      "b.yaml": "intents:\n  - { name: x, from: any, to: any, expect: pass }\n"
    })
    expect(dup.issues).toMatchObject([{ code: "duplicate-name", file: "b.yaml", line: 2, name: "x" }])
  })

  it("a change that breaks an intent is an error at the intent's line naming the deciding rule", () => {
    const broken = rules.replace(
      "rules:\n",
      "rules:\n  - name: guest-ssh\n    interface: opt2\n    action: pass\n    protocol: tcp\n    source: guest_net\n    destination: { address: servers, port: 22 }\n"
    )
    const loaded = site({ "rules.yaml": broken, "intents.yaml": intents })
    const issues = lintSite(loaded.site!).filter((i) => i.code.startsWith("intent"))
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({
      file: "intents.yaml",
      line: 2,
      column: 5,
      severity: "error",
      code: "intent-violated",
      name: "guests-never-reach-servers"
    })
    expect(issues[0]!.message).toContain("rule \"guest-ssh\" (rules.yaml:9:5)")
    expect(issues[0]!.message).toMatch(/tcp 10\.20\.0\.1:49152 → 10\.0\.0\.1:22 on opt2 is passed/)
  })

  it("an intent that holds only maybe (opaque alias) is a warning", () => {
    const loaded = site({
      "rules.yaml": rules.replace(
        "rules:\n",
        "rules:\n  - name: geo\n    interface: opt2\n    action: pass\n    source: guest_net\n    destination: geo_nets\n"
      ).replace("aliases:\n", "aliases:\n  - name: geo_nets\n    type: geoip\n    content: [NL]\n"),
      "intents.yaml": intents
    })
    const issues = lintSite(loaded.site!).filter((i) => i.code.startsWith("intent"))
    expect(issues).toMatchObject([{ severity: "warning", code: "intent-unknown", name: "guests-never-reach-servers" }])
  })

  it("an intent naming something nobody knows is an error, not a silent pass", () => {
    const loaded = site({ "rules.yaml": rules, "intents.yaml": intents.replace("to: servers", "to: srevers") })
    const issues = lintSite(loaded.site!).filter((i) => i.code.startsWith("intent"))
    expect(issues).toMatchObject([{ severity: "error", code: "intent-invalid", line: 2 }])
  })
})

describe("evaluateIntent", () => {
  const policy = compile(policyInput(
    [
      rule("ssh-admin", { interfaces: ["lan"], protocol: "TCP", src: ["10.0.0.10"], dstPort: "22" }),
      rule("block-ssh", { interfaces: ["lan"], action: "block", protocol: "TCP", dstPort: "22" }),
      rule("web", { interfaces: ["lan"], protocol: "TCP", dstPort: "80-443" })
    ],
    [alias("web_ports", "port", ["80", "443"])],
    { interfaces: { lan: { networks: ["10.0.0.0/24"], addresses: ["10.0.0.1"] } } }
  ))

  it("finds the one address of a range that breaks a block intent", () => {
    const e = evaluateIntent(policy, intentOf({ from: "10.0.0.0/24", to: "192.0.2.0/24", protocol: "tcp", port: "22" }))
    expect(e._tag).toBe("Evaluated")
    if (e._tag !== "Evaluated") return
    expect(e.result).toMatchObject({
      verdict: "violated",
      packet: { source: "10.0.0.10", destinationPort: 22, interface: "lan" },
      decidedBy: { kind: "rule", rule: "ssh-admin" }
    })
  })

  it("holds when every class of packets is decided as expected; the default deny counts", () => {
    const held = evaluateIntent(
      policy,
      intentOf({ from: "10.0.0.20-10.0.0.200", to: "192.0.2.1", protocol: "tcp", port: "22" })
    )
    expect(held._tag === "Evaluated" && held.result.verdict).toBe("held")
    const udp = evaluateIntent(policy, intentOf({ from: "10.0.0.0/24", to: "192.0.2.1", protocol: "udp" }))
    expect(udp._tag === "Evaluated" && udp.result.verdict).toBe("held")
    const pass = evaluateIntent(
      policy,
      intentOf({ from: "10.0.0.0/24", to: "192.0.2.1", port: "web_ports", protocol: "tcp", expect: "pass" })
    )
    expect(pass._tag === "Evaluated" && pass.result.verdict).toBe("held")
  })

  it("any protocol: a port-less pass intent is violated by the protocols no rule passes", () => {
    const e = evaluateIntent(policy, intentOf({ from: "10.0.0.5", to: "192.0.2.1", expect: "pass" }))
    expect(e._tag === "Evaluated" && e.result.verdict).toBe("violated")
    if (e._tag === "Evaluated") expect(e.result.decidedBy).toMatchObject({ kind: "default", rule: "Default deny rule" })
  })

  it("takes ports as rules do: a service name, a range, a port alias", () => {
    for (const port of ["https", "440-443", "web_ports"]) {
      const e = evaluateIntent(
        policy,
        intentOf({ from: "10.0.0.5", to: "192.0.2.1", protocol: "tcp", port, expect: "pass" })
      )
      expect(e._tag === "Evaluated" && e.result.verdict, port).toBe("held")
    }
    expect(evaluateIntent(policy, intentOf({ protocol: "tcp", port: "no_such_ports" }))._tag).toBe("Invalid")
  })

  it("refuses what it cannot evaluate: a port without tcp/udp, an unknown interface", () => {
    expect(evaluateIntent(policy, intentOf({ protocol: "icmp", port: "22" }))._tag).toBe("Invalid")
    expect(evaluateIntent(policy, intentOf({ interface: "opt9" }))._tag).toBe("Invalid")
  })
})

describe("apply's intent guard", () => {
  const plan = {
    planId: "a".repeat(64),
    site: "default",
    createdAt: "",
    firewallVersion: "26.7.2",
    liveDigest: "",
    changes: [],
    summary: { create: 0, update: 0, delete: 0 },
    warnings: [],
    blocked: [],
    intents: [{
      intent: intentOf({ name: "no-ssh", source: { file: "intents.yaml", line: 2, column: 5 } }),
      origin: "plan" as const,
      verdict: "violated" as const,
      message: "expects block, but …",
      change: "create rule guest-ssh",
      packets: 1
    }]
  }

  it("refuses a violating plan, naming the intent and the change", () => {
    const judged = judgeIntents(plan, undefined)
    expect(judged._tag).toBe("Refused")
    if (judged._tag === "Refused") {
      expect(judged.message).toContain("intent \"no-ssh\" (intents.yaml:2:5)")
      expect(judged.message).toContain("broken by create rule guest-ssh")
    }
    expect(judgeIntents(plan, { names: ["other"], reason: "r" })._tag).toBe("Refused")
  })

  it("lets it through when overridden by name, and the audit keeps the reason", () => {
    expect(judgeIntents(plan, { names: ["no-ssh"], reason: "maintenance window" })).toEqual({
      _tag: "Overridden",
      names: ["no-ssh"],
      reason: "maintenance window"
    })
    expect(violatedIntents(plan)).toHaveLength(1)
    expect(auditedOverride(plan, { overrideIntents: { names: ["no-ssh"], reason: "maintenance window" } })).toEqual({
      override: "intent no-ssh overridden: maintenance window"
    })
    expect(auditedOverride(plan, {})).toEqual({})
  })
})

/**
 * explain and lint through destination NAT, hand-worked: an inbound packet meets the port forwards
 * first (evaluation order, first match, no_rdr stops translation), then the filter rules decide on
 * the translated destination and port. Desired, planned and live input; the CLI (runCli against the
 * simulator) and the MCP tool explain_traffic.
 */
import * as Result from "effect/Result"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Plan } from "../../src/Domain/Plan.ts"
import type { PortForwardSpec } from "../../src/Kinds/PortForward/Spec.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import type { RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
import * as Policy from "../../src/Policy.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"
import { endpoint as ep, forwardSpec } from "../support/port-forward.ts"

const ruleSpec = (over: Partial<RuleSpec> = {}): RuleSpec => ({
  enabled: true,
  action: "pass",
  quick: true,
  interfaces: ["wan"],
  interfaceInvert: false,
  direction: "in",
  ipVersion: "inet",
  protocol: "TCP",
  source: ep(),
  destination: ep(["10.30.0.20"], "443"),
  log: true,
  gateway: "",
  description: "",
  categories: [],
  ...over
})

const at = (line: number) => ({ file: "nat.yaml", line, column: 5 })

const input = (
  forwards: ReadonlyArray<{ name: string; spec: PortForwardSpec }>,
  rules: ReadonlyArray<{ name: string; spec: RuleSpec }>
): Policy.PolicyInput => ({
  site: "hq",
  origin: "desired",
  aliases: [],
  interfaces: { wan: { networks: ["203.0.113.0/24"], addresses: ["203.0.113.2"] } },
  portForwards: forwards.map((f, i) => ({ ...f, sequence: i + 1, origin: "mvc" as const, source: at(10 + i) })),
  rules: rules.map((r, i) => ({ ...r, sequence: i + 1, origin: "mvc" as const, source: at(50 + i) }))
})

const inbound = (port: number): Policy.Packet => ({
  source: "198.51.100.7",
  destination: "203.0.113.2",
  protocol: "tcp",
  destinationPort: port,
  interface: "wan"
})

const explain = (i: Policy.PolicyInput, p: Policy.Packet) => {
  const r = Policy.explain(i, p)
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return r.success
}

describe("explain through port forwards", () => {
  it("translates first, then the rule on the translated destination decides", () => {
    const e = explain(
      input([{ name: "nvr", spec: forwardSpec() }], [{ name: "wan-to-nvr", spec: ruleSpec() }]),
      inbound(7443)
    )
    expect(e.translation).toMatchObject({
      outcome: "translated",
      forward: "nvr",
      destination: "10.30.0.20",
      destinationPort: 443,
      filterRule: "manual",
      certain: true
    })
    expect(e.translation?.steps.map((s) => `${s.forward}:${s.outcome}`)).toEqual(["nvr:translates"])
    expect(e.decision).toBe("pass")
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "wan-to-nvr", source: at(50) })
    // the rule matched the translated address: its reasons say so
    expect(e.steps[0]?.reasons).toContain("destination 10.30.0.20 is in 10.30.0.20")
  })

  it("without a rule for the translated traffic the default deny decides", () => {
    const e = explain(input([{ name: "nvr", spec: forwardSpec() }], []), inbound(7443))
    expect(e.translation?.outcome).toBe("translated")
    expect(e.decision).toBe("block")
    expect(e.decidedBy.kind).toBe("default")
  })

  it("a packet no forward matches is not translated: the rules see it as sent", () => {
    const e = explain(
      input([{ name: "nvr", spec: forwardSpec() }], [{ name: "wan-to-nvr", spec: ruleSpec() }]),
      inbound(22)
    )
    expect(e.translation).toMatchObject({ outcome: "none" })
    expect(e.translation?.steps[0]?.reasons).toEqual(["destination port 22 is not 7443"])
    expect(e.decision).toBe("block")
  })

  it("first match wins; an earlier no_rdr stops translation", () => {
    const first = explain(
      input(
        [
          { name: "first", spec: forwardSpec({ target: "10.30.0.21" }) },
          { name: "second", spec: forwardSpec() }
        ],
        [{ name: "wan-to-nvr", spec: ruleSpec() }]
      ),
      inbound(7443)
    )
    expect(first.translation).toMatchObject({ forward: "first", destination: "10.30.0.21" })
    expect(first.translation?.steps.map((s) => s.forward)).toEqual(["first"])
    expect(first.decision).toBe("block")

    const exempt = explain(
      input(
        [
          { name: "keep", spec: forwardSpec({ noRdr: true, target: "", localPort: "" }) },
          { name: "nvr", spec: forwardSpec() }
        ],
        [{ name: "wan-to-nvr", spec: ruleSpec() }]
      ),
      inbound(7443)
    )
    expect(exempt.translation).toMatchObject({ outcome: "not-redirected", forward: "keep" })
    expect(exempt.decision).toBe("block")
  })

  it("a destination range maps onto the local port range", () => {
    const e = explain(
      input(
        [{ name: "range", spec: forwardSpec({ destination: ep(["wanip"], "8000-8010"), localPort: "9000" }) }],
        [{ name: "r", spec: ruleSpec({ destination: ep(["10.30.0.20"], "9000-9010") }) }]
      ),
      inbound(8005)
    )
    expect(e.translation).toMatchObject({ destination: "10.30.0.20", destinationPort: 9005 })
    expect(e.decision).toBe("pass")
  })

  it("filter_rule pass skips the rules; register passes unless a quick rule decided first", () => {
    const block = { name: "block-nvr", spec: ruleSpec({ action: "block" }) }
    const passed = explain(input([{ name: "nvr", spec: forwardSpec({ filterRule: "pass" }) }], [block]), inbound(7443))
    expect(passed.decision).toBe("pass")
    expect(passed.decidedBy).toMatchObject({ kind: "port-forward", rule: "nvr", source: at(10) })
    expect(passed.steps).toEqual([])

    const registered = explain(
      input([{ name: "nvr", spec: forwardSpec({ filterRule: "register" }) }], []),
      inbound(7443)
    )
    expect(registered.decision).toBe("pass")
    expect(registered.decidedBy).toMatchObject({ kind: "port-forward", rule: "nvr" })
    const blocked = explain(
      input([{ name: "nvr", spec: forwardSpec({ filterRule: "register" }) }], [block]),
      inbound(7443)
    )
    expect(blocked.decision).toBe("block")
    expect(blocked.decidedBy).toMatchObject({ kind: "rule", rule: "block-nvr" })
  })

  it("outbound packets are never translated", () => {
    const e = explain(input([{ name: "nvr", spec: forwardSpec() }], []), { ...inbound(7443), direction: "out" })
    expect(e.translation).toBeUndefined()
  })

  it("works on the state a plan would leave: a planned port forward translates", () => {
    const snapshot = {
      ...emptyCollections(),
      site: "hq",
      version: { major: 26, minor: 7, patch: 2, raw: "26.7.2" },
      fetchedAt: "2026-01-01T00:00:00.000Z",
      stale: false,
      rules: [{ uuid: "r-1", origin: "mvc" as const, owner: "wan-to-nvr", sequence: 1, spec: ruleSpec() }],
      interfaces: [{ identifier: "wan", description: "WAN", device: "igb0", addresses: ["203.0.113.2/24"] }]
    }
    const plan: Plan = {
      planId: "p",
      site: "hq",
      createdAt: "2026-01-01T00:00:00.000Z",
      firewallVersion: "26.7.2",
      liveDigest: "d",
      changes: [{ action: "create", kind: "port_forward", name: "nvr", sequence: 1, after: forwardSpec(), diff: [] }],
      summary: { create: 1, update: 0, delete: 0 },
      warnings: [],
      blocked: []
    }
    const before = explain(Policy.fromLive(snapshot), inbound(7443))
    expect(before.translation).toBeUndefined()
    const { input: planned, skipped } = Policy.fromPlan(snapshot, plan)
    expect(skipped).toEqual([])
    const after = explain(planned, inbound(7443))
    expect(after.origin).toBe("plan")
    expect(after.translation).toMatchObject({ forward: "nvr", destination: "10.30.0.20", destinationPort: 443 })
    expect(after.decidedBy).toMatchObject({ kind: "rule", rule: "wan-to-nvr" })
  })
})

describe("lint of port forwards", () => {
  it("forward-unpassed: translated traffic no rule passes, at the forward's YAML position", () => {
    const findings = Policy.lint(input([{ name: "nvr", spec: forwardSpec() }], []))
    const f = findings.find((x) => x.code === "forward-unpassed")
    expect(f).toMatchObject({ severity: "warning", kind: "port_forward", name: "nvr", source: at(10) })
    expect(f?.message).toContain("tcp → 10.30.0.20:443 on wan")
    // a rule for the translated traffic, or a forward that passes itself, is clean
    expect(
      Policy.lint(input([{ name: "nvr", spec: forwardSpec() }], [{ name: "r", spec: ruleSpec() }])).map((x) => x.code)
    ).not.toContain("forward-unpassed")
    for (const mode of ["pass", "register"] as const) {
      expect(Policy.lint(input([{ name: "nvr", spec: forwardSpec({ filterRule: mode }) }], [])).map((x) => x.code))
        .not.toContain("forward-unpassed")
    }
    // a rule for the untranslated address does not pass the translated traffic
    const wrong = Policy.lint(
      input([{ name: "nvr", spec: forwardSpec() }], [{
        name: "to-wan",
        spec: ruleSpec({ destination: ep(["wanip"], "7443") })
      }])
    )
    expect(wrong.map((x) => x.code)).toContain("forward-unpassed")
  })

  it("shadowed-forward: an earlier forward matching everything it matches", () => {
    const findings = Policy.lint(
      input(
        [
          { name: "all-tcp", spec: forwardSpec({ destination: ep(["wanip"]), localPort: "" }) },
          { name: "nvr", spec: forwardSpec() }
        ],
        [{ name: "r", spec: ruleSpec({ destination: ep(["10.30.0.20"]) }) }]
      )
    )
    const f = findings.find((x) => x.code === "shadowed-forward")
    expect(f).toMatchObject({ severity: "error", name: "nvr", source: at(11), related: ["all-tcp"] })
    // the other order is fine
    const ok = Policy.lint(
      input(
        [
          { name: "nvr", spec: forwardSpec() },
          { name: "all-tcp", spec: forwardSpec({ destination: ep(["wanip"]), localPort: "" }) }
        ],
        [{ name: "r", spec: ruleSpec({ destination: ep(["10.30.0.20"]) }) }]
      )
    )
    expect(ok.map((x) => x.code)).not.toContain("shadowed-forward")
  })
})

describe("the CLI and the MCP tool", () => {
  let sim: SimulatorHandle
  let dir: string
  let data: string
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.7" })
    dir = mkdtempSync(join(tmpdir(), "nat-explain-"))
    data = mkdtempSync(join(tmpdir(), "nat-explain-data-"))
    writeFileSync(
      join(dir, "sites.yaml"),
      [
        "sites:",
        "  - name: default",
        "    path: .",
        "    interfaces:",
        "      wan: { networks: [203.0.113.0/24], addresses: [203.0.113.2] }",
        ""
      ]
        .join("\n")
    )
    writeFileSync(
      join(dir, "nat.yaml"),
      [
        "port_forwards:",
        "  - name: nvr",
        "    interface: wan",
        "    protocol: tcp",
        "    destination: { address: wanip, port: 7443 }",
        "    target: 10.30.0.20",
        "    local_port: 443",
        "  - name: unpassed",
        "    interface: wan",
        "    protocol: tcp",
        "    destination: { address: wanip, port: 2222 }",
        "    target: 10.30.0.21",
        "    local_port: 22",
        "rules:",
        "  - name: wan-to-nvr",
        "    interface: wan",
        "    action: pass",
        "    protocol: tcp",
        "    destination: { address: 10.30.0.20, port: 443 }",
        "    log: true",
        ""
      ].join("\n")
    )
  })
  afterAll(async () => {
    await sim.close()
    rmSync(dir, { recursive: true, force: true })
    rmSync(data, { recursive: true, force: true })
  })

  const packet = [
    "--src",
    "198.51.100.7",
    "--dst",
    "203.0.113.2",
    "--proto",
    "tcp",
    "--port",
    "7443",
    "--interface",
    "wan"
  ]

  it("explain names the port forward and the deciding rule (text and JSON)", async () => {
    const text = await runCli(["explain", ...packet, "--dir", dir], { sim, dataDir: data, env: { NO_COLOR: "1" } })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain("translated by port forward \"nvr\" to 10.30.0.20:443")
    expect(text.stdout).toContain("decided by rule \"wan-to-nvr\"")
    const json = await runCli(["explain", ...packet, "--dir", dir, "--json"], { sim, dataDir: data })
    const e = JSON.parse(json.stdout) as Policy.Explanation
    expect(e.translation?.forward).toBe("nvr")
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "wan-to-nvr", source: { file: "nat.yaml", line: 15 } })
  })

  it("explain --live uses the firewall's port forwards (the sandbox's 8443 → 192.168.1.20:443)", async () => {
    const live = await runCli(
      ["explain", "--live", ...packet.slice(0, 7), "8443", "--interface", "wan", "--dir", dir, "--json"],
      { sim, dataDir: data }
    )
    expect(live.code, live.stderr).toBe(0)
    const e = JSON.parse(live.stdout) as Policy.Explanation
    expect(e.origin).toBe("live")
    expect(e.translation).toMatchObject({ outcome: "translated", destination: "192.168.1.20", destinationPort: 443 })
  })

  it("lint reports the unpassed forward at its file:line:col", async () => {
    const r = await runCli(["lint", "--dir", dir, "--format", "json"], { sim, dataDir: data })
    const out = JSON.parse(r.stdout) as { sites: ReadonlyArray<{ findings: ReadonlyArray<Policy.Finding> }> }
    const findings = out.sites.flatMap((s) => s.findings)
    expect(findings.find((f) => f.code === "forward-unpassed")).toMatchObject({
      name: "unpassed",
      source: { file: "nat.yaml", line: 8, column: 5 }
    })
    expect(findings.filter((f) => f.code === "forward-unpassed").map((f) => f.name)).toEqual(["unpassed"])
  })
})

/**
 * The lint and explain commands end to end: a desired-state folder on disk, and for --live and
 * --plan the embedded sandbox (the simulator over real HTTPS on 127.0.0.1, since OPNSENSE_URL is
 * unset in the child's environment).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll } from "vitest"

let dir = ""
let data = ""

const run = (...args: ReadonlyArray<string>) => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: data, NO_COLOR: "1", LOG_DIR: NodePath.join(data, "logs") }
  delete env["OPNSENSE_URL"]
  delete env["REDIS_URL"]
  const result = spawnSync(process.execPath, ["src/index.ts", ...args, "--dir", dir], {
    encoding: "utf8",
    env,
    timeout: 60_000
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

beforeAll(() => {
  dir = mkdtempSync(NodePath.join(tmpdir(), "policy-cli-"))
  data = mkdtempSync(NodePath.join(tmpdir(), "policy-cli-data-"))
  writeFileSync(
    NodePath.join(dir, "aliases.yaml"),
    ["aliases:", "  - name: web", "    type: host", "    content: [10.1.0.10]", ""].join("\n")
  )
  writeFileSync(
    NodePath.join(dir, "rules.yaml"),
    [
      "rules:",
      "  - name: block-web-net",
      "    interface: lan",
      "    action: block",
      "    destination: 10.1.0.0/24",
      "    log: true",
      "  - name: pass-web",
      "    interface: lan",
      "    action: pass",
      "    protocol: tcp",
      "    destination: { address: web, port: 443 }",
      "    log: true",
      ""
    ].join("\n")
  )
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

describe("opnsense-mcp lint", () => {
  it("reports the shadowed rule at its YAML line and exits 2", () => {
    const r = run("lint")
    expect(r.status).toBe(2)
    expect(r.stdout).toMatch(/rules\.yaml:7:\d+: error\[shadowed-rule\]: rule "pass-web" \(pass\) never matches/)
    expect(r.stdout).toContain("hint: move \"pass-web\" above \"block-web-net\"")
  })

  it("prints the findings as JSON alone on stdout with --json", () => {
    const r = run("lint", "--json")
    expect(r.status).toBe(2)
    const doc = JSON.parse(r.stdout) as {
      counts: { error: number }
      sites: Array<{ site: string; findings: Array<{ code: string; name: string }> }>
    }
    expect(doc.counts.error).toBe(1)
    expect(doc.sites[0]!.findings.map((f) => `${f.code}:${f.name}`)).toEqual(["shadowed-rule:pass-web"])
  })
})

describe("opnsense-mcp explain", () => {
  it("names the deciding rule and why the other did not decide", () => {
    const r = run(
      "explain",
      "--src",
      "10.0.0.5",
      "--dst",
      "10.1.0.10",
      "--proto",
      "tcp",
      "--port",
      "443",
      "--interface",
      "lan",
      "--json"
    )
    expect(r.status).toBe(0)
    const e = JSON.parse(r.stdout) as {
      decision: string
      decidedBy: { rule: string }
      steps: Array<{ rule: string; outcome: string }>
      notConsidered: number
    }
    expect(e.decision).toBe("block")
    expect(e.decidedBy.rule).toBe("block-web-net")
    expect(e.steps.map((s) => `${s.rule}:${s.outcome}`)).toEqual(["block-web-net:decides"])
    expect(e.notConsidered).toBe(1)
  })

  it("refuses a packet it cannot evaluate with exit 1 and says why", () => {
    const r = run("explain", "--src", "10.0.0.999", "--dst", "10.1.0.10", "--proto", "tcp")
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("source \"10.0.0.999\" is not an IPv4 or IPv6 address")
  })

  it("refuses an interface it does not know with exit 1, naming it and the known ones", () => {
    const packet = ["--src", "10.0.0.5", "--dst", "10.1.0.10", "--proto", "tcp", "--port", "443"]
    const typo = run("explain", ...packet, "--interface", "lann")
    expect(typo.status).toBe(1)
    expect(typo.stdout).toBe("")
    expect(typo.stderr).toContain(
      "unknown interface \"lann\" (did you mean \"lan\"?): the desired state knows lan, wan"
    )
    // against the firewall: its own list, descriptions shown and accepted
    const live = run("explain", "--live", ...packet, "--interface", "opt99")
    expect(live.status).toBe(1)
    expect(live.stderr).toMatch(
      /unknown interface "opt99": the firewall has lan \(LAN\), .*opt1 \(MGMT\), wan \(WAN\)/
    )
    const described = run("explain", "--live", ...packet, "--interface", "LAN", "--json")
    expect(described.status, described.stderr).toBe(0)
    const e = JSON.parse(described.stdout) as { packet: { interface: string }; notes: Array<string> }
    expect(e.packet.interface).toBe("lan")
    expect(e.notes).toContain("interface \"LAN\" is lan")
  })

  it("explains against the live sandbox and against the state a plan would leave", () => {
    const packet = [
      "--src",
      "10.0.0.5",
      "--dst",
      "198.51.100.80",
      "--proto",
      "tcp",
      "--port",
      "443",
      "--interface",
      "lan",
      "--json"
    ]
    const live = run("explain", "--live", ...packet)
    expect(live.status, live.stderr).toBe(0)
    const before = JSON.parse(live.stdout) as { origin: string; decidedBy: { rule: string } }
    expect(before.origin).toBe("live")
    expect(before.decidedBy.rule).not.toBe("what-if-block")

    const after = {
      action: "create",
      kind: "rule",
      name: "what-if-block",
      sequence: 1,
      after: {
        enabled: true,
        action: "block",
        quick: true,
        interfaces: ["lan"],
        interfaceInvert: false,
        direction: "in",
        ipVersion: "inet",
        protocol: "TCP",
        source: { addresses: [], invert: false, port: "" },
        destination: { addresses: ["198.51.100.80"], invert: false, port: "443" },
        log: true,
        gateway: "",
        description: "",
        categories: []
      }
    }
    const planFile = NodePath.join(data, "plan.json")
    writeFileSync(
      planFile,
      JSON.stringify({
        planId: "0".repeat(64),
        site: "default",
        createdAt: new Date(0).toISOString(),
        firewallVersion: "26.7.5",
        liveDigest: "x",
        changes: [after],
        summary: { create: 1, update: 0, delete: 0 },
        warnings: [],
        blocked: []
      })
    )
    const whatIf = run("explain", "--plan", planFile, ...packet)
    expect(whatIf.status, whatIf.stderr).toBe(0)
    const result = JSON.parse(whatIf.stdout) as { origin: string; decision: string; decidedBy: { rule: string } }
    expect(result).toMatchObject({ origin: "plan", decision: "block", decidedBy: { rule: "what-if-block" } })
  })
})

/**
 * Intents through destination NAT, hand-worked: a packet to the WAN address is checked after the
 * port forwards translate it, as pf does and as `explain` shows it. The filter rule that sees the
 * translated destination decides; a forward with filter_rule pass or register decides itself; a
 * no_rdr exemption leaves the packet alone; a forward that maps a port range onto a local range is
 * checked port class by port class after the shift. Then through the CLI against the simulator:
 * validate, plan (the port forward change that breaks an intent), apply's refusal, and the live
 * firewall's own port forward.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Intent } from "../../src/Domain/Intent.ts"
import type { Plan } from "../../src/Domain/Plan.ts"
import type { PortForwardSpec } from "../../src/Kinds/PortForward/Spec.ts"
import * as Policy from "../../src/Policy.ts"
import { evaluateIntent } from "../../src/Policy/Intents.ts"
import { planIntentResults } from "../../src/Policy/PlanIntents.ts"
import { renderExplanation } from "../../src/Policy/Render.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { snapshot } from "../reconciler/fixtures.ts"
import { runCli } from "../support/cli.ts"
import { oneToOne } from "../support/one-to-one.ts"
import { endpoint, forwardSpec } from "../support/port-forward.ts"
import { rule, spec } from "./build.ts"

const WAN = { networks: ["203.0.113.0/24"], addresses: ["203.0.113.2"] }

const wanRule = (name: string, destination: string, port: string, action: "pass" | "block" = "pass") =>
  rule(name, { interfaces: ["wan"], protocol: "TCP", dst: [destination], dstPort: port, action })

const input = (
  forwards: ReadonlyArray<{ readonly name: string; readonly spec: PortForwardSpec }>,
  rules: ReadonlyArray<Policy.PolicyRule>
): Policy.PolicyInput => ({
  site: "hq",
  origin: "desired",
  aliases: [],
  interfaces: { wan: WAN },
  rules: rules.map((r, i) => ({ ...r, sequence: i + 1 })),
  portForwards: forwards.map((f, i) => ({
    ...f,
    sequence: i + 1,
    origin: "mvc" as const,
    source: { file: "nat.yaml", line: 10 + i, column: 5 }
  }))
})

const binat = oneToOne

const withOneToOne = (
  input: Policy.PolicyInput,
  entries: ReadonlyArray<ReturnType<typeof binat>>
): Policy.PolicyInput => ({
  ...input,
  oneToOne: entries.map((e, i) => ({
    ...e,
    sequence: i + 1,
    origin: "mvc" as const,
    source: { file: "nat.yaml", line: 40 + i, column: 5 }
  }))
})

const intent = (over: Partial<Intent> & Pick<Intent, "expect">): Intent => ({
  name: "nat-intent",
  from: "any",
  to: "wanip",
  protocol: "tcp",
  interface: "wan",
  ...over
})

const evaluate = (i: Policy.PolicyInput, x: Intent) => {
  const e = evaluateIntent(Policy.compile(i), x)
  if (e._tag === "Invalid") throw new Error(e.problems.join("; "))
  return e.result
}

const nvr = { name: "nvr", spec: forwardSpec() }

/** a live firewall with the WAN address and the rule for the recorder, and no port forward */
const live = snapshot({
  rules: [{
    uuid: "r-1",
    origin: "mvc",
    owner: "wan-to-nvr",
    sequence: 1,
    spec: spec({ interfaces: ["wan"], protocol: "TCP", dst: ["10.30.0.20"], dstPort: "443" })
  }],
  interfaces: [{ identifier: "wan", description: "WAN", device: "igb0", addresses: ["203.0.113.2/24"] }]
})

const planOf = (changes: Plan["changes"]): Plan => ({
  planId: "p",
  site: "default",
  createdAt: "2026-01-01T00:00:00.000Z",
  firewallVersion: "26.7.2",
  liveDigest: "d",
  changes,
  summary: { create: changes.length, update: 0, delete: 0 },
  warnings: [],
  blocked: []
})

describe("intents after destination NAT", () => {
  it("a packet to the WAN address is translated first: the rule for the translated destination decides", () => {
    const held = evaluate(
      input([nvr], [wanRule("wan-to-nvr", "10.30.0.20", "443")]),
      intent({ port: "7443", expect: "pass" })
    )
    expect(held.verdict).toBe("held")

    // the same intent without the rule: the translated packet meets the default deny
    const violated = evaluate(input([nvr], []), intent({ port: "7443", expect: "pass" }))
    expect(violated).toMatchObject({
      verdict: "violated",
      decision: "block",
      decidedBy: { kind: "default" },
      translation: {
        forward: "nvr",
        destination: "10.30.0.20",
        destinationPort: 443,
        source: { file: "nat.yaml", line: 10 }
      }
    })
    expect(violated.message).toMatch(
      /tcp 0\.0\.0\.1:49152 → 203\.0\.113\.2:7443 on wan is translated by port forward "nvr" \(nat\.yaml:10:5\) to 10\.30\.0\.20:443 and blocked by the firewall's/
    )
  })

  it("a rule that passes the translated destination breaks a block intent on the WAN address", () => {
    const result = evaluate(
      input([nvr], [wanRule("wan-to-nvr", "10.30.0.20", "443")]),
      intent({ expect: "block" })
    )
    expect(result).toMatchObject({
      verdict: "violated",
      packet: { destination: "203.0.113.2", destinationPort: 7443, interface: "wan" },
      decidedBy: { kind: "rule", rule: "wan-to-nvr" },
      translation: { forward: "nvr" }
    })
    // the rule alone, with no forward, never sees a packet to the WAN address
    expect(evaluate(input([], [wanRule("wan-to-nvr", "10.30.0.20", "443")]), intent({ expect: "block" })).verdict)
      .toBe("held")
  })

  it("filter_rule pass and register decide for the port forward; a quick block rule still beats register", () => {
    const pass = evaluate(
      input([{ name: "nvr", spec: forwardSpec({ filterRule: "pass" }) }], []),
      intent({ expect: "block" })
    )
    expect(pass).toMatchObject({ verdict: "violated", decidedBy: { kind: "port-forward", rule: "nvr" } })
    expect(pass.message).toContain("passed by the port forward itself (filter_rule pass")

    const register = { name: "nvr", spec: forwardSpec({ filterRule: "register" }) }
    expect(evaluate(input([register], []), intent({ port: "7443", expect: "pass" })).verdict).toBe("held")
    const blocked = evaluate(
      input([register], [wanRule("no-nvr", "10.30.0.20", "443", "block")]),
      intent({ port: "7443", expect: "pass" })
    )
    expect(blocked).toMatchObject({ verdict: "violated", decidedBy: { kind: "rule", rule: "no-nvr" } })
  })

  it("a no_rdr exemption before the forward leaves the packet to the rules on its own destination", () => {
    const exempt = {
      name: "keep-7443",
      spec: forwardSpec({ noRdr: true, source: endpoint(["198.51.100.0/24"]), target: "" })
    }
    const result = evaluate(
      input([exempt, nvr], [wanRule("wan-to-nvr", "10.30.0.20", "443")]),
      intent({ from: "198.51.100.0/24", port: "7443", expect: "pass" })
    )
    expect(result).toMatchObject({ verdict: "violated", decidedBy: { kind: "default" } })
    expect(result.translation).toBeUndefined()
    // everyone else is translated and passed
    expect(
      evaluate(
        input([exempt, nvr], [wanRule("wan-to-nvr", "10.30.0.20", "443")]),
        intent({ from: "192.0.2.0/24", port: "7443", expect: "pass" })
      ).verdict
    ).toBe("held")
  })

  it("a port range shifted onto a local range is checked class by class after the shift", () => {
    // WAN 9000-9100 → 10.30.0.20:8000-8100; one rule passes only 8022, which is WAN port 9022
    const range = {
      name: "range",
      spec: forwardSpec({ destination: endpoint(["wanip"], "9000-9100"), localPort: "8000" })
    }
    const result = evaluate(
      input([range], [wanRule("only-8022", "10.30.0.20", "8022")]),
      intent({ port: "9000-9100", expect: "block" })
    )
    expect(result).toMatchObject({
      verdict: "violated",
      packet: { destinationPort: 9022 },
      translation: { destinationPort: 8022 },
      decidedBy: { rule: "only-8022" }
    })
  })

  it("a port forward that may match (a GeoIP source) leaves the intent unknown, not held", () => {
    const geo = { name: "geo", spec: forwardSpec({ source: endpoint(["geo_nl"]) }) }
    const withGeo: Policy.PolicyInput = {
      ...input([geo], []),
      aliases: [{
        name: "geo_nl",
        origin: "mvc",
        spec: {
          name: "geo_nl",
          type: "geoip",
          content: ["NL"],
          enabled: true,
          description: "",
          categories: [],
          updateFrequency: ""
        }
      }],
      rules: [{ ...wanRule("wan-to-nvr", "10.30.0.20", "443"), sequence: 1 }]
    }
    const result = evaluate(withGeo, intent({ port: "7443", expect: "block" }))
    expect(result.verdict).toBe("unknown")
    expect(result.message).toContain("NAT entry whose match cannot be decided offline")
  })

  it("on a plan, the port forward change that breaks the intent is named", () => {
    const plan = planOf([{
      action: "create",
      kind: "port_forward",
      name: "nvr",
      sequence: 1,
      after: forwardSpec(),
      diff: [],
      source: { file: "nat.yaml", line: 3, column: 5 }
    }])
    const [result] = planIntentResults(plan, live, [intent({ name: "wan-closed", expect: "block" })])
    expect(result).toMatchObject({
      verdict: "violated",
      origin: "plan",
      translation: { forward: "nvr" },
      change: "create port_forward nvr (nat.yaml:3:5)"
    })
    expect(result!.preexisting).toBeUndefined()
  })

  it("is not held for certain when the API key may not read the firewall's port forwards", () => {
    const unread = {
      ...live,
      unreadable: [{
        kind: "port_forward",
        endpoint: "POST firewall/d_nat/search_rule",
        message: "the API user lacks the privilege …"
      }]
    }
    const results = planIntentResults(planOf([]), unread, [
      intent({ name: "wan-closed", expect: "block" }),
      intent({ name: "wan-open", port: "7443", expect: "pass" })
    ])
    // held on what was read is not certain; a violation stands, saying what it was found without
    expect(results.map((r) => r.verdict)).toEqual(["unknown", "violated"])
    expect(results[0]!.message).toContain("but not certainly: port forwards were not read: the API key may not call")
    expect(results[1]!.message).toContain("found without what could not be read: port forwards were not read")
    // explain and lint say what they went without
    const input = Policy.fromLive(unread)
    const e = Policy.explain(input, {
      source: "198.51.100.7",
      destination: "203.0.113.2",
      protocol: "tcp",
      destinationPort: 7443,
      interface: "wan"
    })
    if (e._tag === "Failure") throw new Error(e.failure.message)
    expect(e.success.notes).toContainEqual(expect.stringContaining("port forwards were not read"))
    expect(Policy.lint(input)).toContainEqual(expect.objectContaining({ code: "kinds-not-read", severity: "info" }))
  })

  it("is not held for certain before 26.1, whose API has no port forwards to read", () => {
    const old = snapshot({ rules: live.rules, interfaces: live.interfaces }, {
      major: 25,
      minor: 7,
      patch: 9,
      raw: "25.7.9"
    })
    const [result] = planIntentResults(planOf([]), old, [intent({ name: "wan-closed", port: "22", expect: "block" })])
    expect(result).toMatchObject({ verdict: "unknown" })
    expect(result!.message).toContain("port forwards cannot be read: OPNsense 25.7.9: port forwards are not in the API")
  })

  it("on a plan that also creates the interface the packet arrives on, the breaking change is still named", () => {
    // opt2 is not on the firewall yet: the plan's own rule is the first to name it
    const plan = planOf([{
      action: "create",
      kind: "rule",
      name: "guest-ssh",
      sequence: 2,
      after: spec({ interfaces: ["opt2"], protocol: "TCP", dst: ["10.0.0.10"], dstPort: "22" }),
      diff: [],
      source: { file: "rules.yaml", line: 7, column: 5 }
    }])
    const [result] = planIntentResults(plan, live, [
      intent({
        name: "guests-no-ssh",
        from: "10.20.0.0/24",
        to: "10.0.0.10",
        port: "22",
        interface: "opt2",
        expect: "block"
      })
    ])
    expect(result).toMatchObject({ verdict: "violated", change: "create rule guest-ssh (rules.yaml:7:5)" })
  })
})

describe("intents after 1:1 NAT (binat)", () => {
  const sshToServer = wanRule("ssh-to-server", "10.0.0.10", "22")

  it("a packet to the external address is translated to the internal one before the rules decide", () => {
    const result = evaluate(
      withOneToOne(input([], [sshToServer]), [binat("server")]),
      intent({ to: "203.0.113.10", port: "22", expect: "block" })
    )
    expect(result).toMatchObject({
      verdict: "violated",
      decidedBy: { kind: "rule", rule: "ssh-to-server" },
      translation: { kind: "one_to_one_nat", forward: "server", destination: "10.0.0.10", destinationPort: 22 }
    })
    expect(result.message).toContain("translated by 1:1 NAT entry \"server\" (nat.yaml:40:5) to 10.0.0.10:22")
    // type nat translates outbound traffic only: the rule never sees a packet to 203.0.113.10
    expect(
      evaluate(
        withOneToOne(input([], [sshToServer]), [binat("server", { type: "nat" })]),
        intent({ to: "203.0.113.10", port: "22", expect: "block" })
      ).verdict
    ).toBe("held")
  })

  it("a subnet maps address for address: the one external address whose internal twin a rule passes is found", () => {
    const result = evaluate(
      withOneToOne(input([], [sshToServer]), [
        binat("servers", { internal: "10.0.0.0/28", external: "203.0.113.16/28" })
      ]),
      intent({ to: "203.0.113.16/28", port: "22", expect: "block" })
    )
    expect(result).toMatchObject({
      verdict: "violated",
      packet: { destination: "203.0.113.26" },
      translation: { destination: "10.0.0.10" }
    })
  })

  it("port forwards come first; a no_rdr exemption stops only them, and the binat still applies", () => {
    const toWeb = {
      name: "web",
      spec: forwardSpec({ destination: endpoint(["203.0.113.10"], "22"), target: "10.0.0.99" })
    }
    const first = evaluate(
      withOneToOne(input([toWeb], [sshToServer]), [binat("server")]),
      intent({ to: "203.0.113.10", port: "22", expect: "block" })
    )
    expect(first.verdict).toBe("held")
    const exempt = {
      name: "keep",
      spec: forwardSpec({ noRdr: true, destination: endpoint(["203.0.113.10"], "22"), target: "" })
    }
    const after = evaluate(
      withOneToOne(input([exempt, toWeb], [sshToServer]), [binat("server")]),
      intent({ to: "203.0.113.10", port: "22", expect: "block" })
    )
    expect(after).toMatchObject({ verdict: "violated", translation: { kind: "one_to_one_nat", forward: "server" } })
  })

  it("only from the entry's destination sources: others reach the external address untranslated", () => {
    const partners = withOneToOne(input([], [sshToServer]), [binat("server", { destination: "198.51.100.0/24" })])
    expect(
      evaluate(partners, intent({ from: "198.51.100.0/24", to: "203.0.113.10", port: "22", expect: "pass" })).verdict
    )
      .toBe("held")
    expect(
      evaluate(partners, intent({ from: "192.0.2.0/24", to: "203.0.113.10", port: "22", expect: "block" })).verdict
    )
      .toBe("held")
  })

  it("explain shows the 1:1 entry among the translations it considered", () => {
    const r = Policy.explain(withOneToOne(input([nvr], [sshToServer]), [binat("server")]), {
      source: "198.51.100.7",
      destination: "203.0.113.10",
      protocol: "tcp",
      destinationPort: 22,
      interface: "wan"
    })
    if (r._tag === "Failure") throw new Error(r.failure.message)
    expect(r.success.translation).toMatchObject({
      outcome: "translated",
      kind: "one_to_one_nat",
      forward: "server",
      destination: "10.0.0.10"
    })
    expect(r.success.translation?.steps.map((s) => [s.kind, s.forward, s.outcome])).toEqual([
      ["port_forward", "nvr", "no-match"],
      ["one_to_one_nat", "server", "translates"]
    ])
    expect(renderExplanation(r.success, { dir: ".", colour: false })).toContain(
      "translated by 1:1 NAT entry \"server\" to 10.0.0.10:22"
    )
  })
})

describe("NAT intents through the CLI", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator({ version: "26.7" })
  })
  afterAll(() => sim.close())

  // the sandbox's WAN is 203.0.113.2/24; sites.yaml says so for validate, which reads no firewall
  const tree = (forwardPort: string, root = mkdtempSync(join(tmpdir(), "nat-intents-"))) => {
    const dir = join(root, "desired")
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, "sites.yaml"),
      "sites:\n  - name: default\n    path: .\n    interfaces:\n      wan: { networks: [203.0.113.0/24], addresses: [203.0.113.2] }\n"
    )
    writeFileSync(
      join(dir, "50-nat.yaml"),
      `port_forwards:
  - name: nvr
    interface: wan
    protocol: tcp
    destination: { address: wanip, port: ${forwardPort} }
    target: 10.30.0.20
    local_port: 443
rules:
  - name: wan-to-nvr
    interface: wan
    action: pass
    protocol: tcp
    destination: { address: 10.30.0.20, port: 443 }
    log: true
`
    )
    writeFileSync(
      join(dir, "90-intents.yaml"),
      `intents:
  - name: nvr-reachable-on-7443
    from: any
    to: wanip
    protocol: tcp
    port: 7443
    interface: wan
    expect: pass
  - name: wan-ssh-closed
    from: any
    to: wanip
    protocol: tcp
    port: 22
    interface: wan
    expect: block
`
    )
    return { dir, dataDir: join(root, "data") }
  }

  it("validate holds them on the desired rules and fails the tree whose forward moves to port 22", async () => {
    const good = tree("7443")
    const ok = await runCli(["validate", "--dir", good.dir], { sim, dataDir: good.dataDir })
    expect(ok.code, ok.stdout).toBe(0)
    expect(ok.stdout).not.toMatch(/intent-|warning/)

    const bad = tree("22")
    const failed = await runCli(["validate", "--dir", bad.dir], { sim, dataDir: bad.dataDir })
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(
      /90-intents\.yaml:9:5: error\[intent-violated\]: intent "wan-ssh-closed" is violated: expects block, but tcp [\d.]+:49152 → 203\.0\.113\.2:22 on wan is translated by port forward "nvr" \(50-nat\.yaml:2:5\) to 10\.30\.0\.20:443 and passed by rule "wan-to-nvr"/
    )
    expect(failed.stdout).toContain("intent \"nvr-reachable-on-7443\" is violated")
  }, 60_000)

  it("plan names the port forward change; apply refuses it with exit 3 and writes nothing", async () => {
    const good = tree("7443")
    const applied = await runCli(["apply", "--dir", good.dir, "--auto-approve"], { sim, dataDir: good.dataDir })
    expect(applied.code, applied.stderr).toBe(0)
    // the same tree, the forward moved from 7443 to 22
    const { dataDir, dir } = tree("22", join(good.dir, ".."))
    const markdown = await runCli(["plan", "--dir", dir, "--format", "markdown"], { sim, dataDir })
    expect(markdown.code, markdown.stderr).toBe(0)
    expect(markdown.stdout).toContain("**Intents**: 0 held, 2 violated, 0 unknown")
    expect(markdown.stdout).toMatch(
      /\| wan-ssh-closed \| block \| ❌ violated \| .*translated by port forward .*broken by update port\\_forward nvr \(50-nat\.yaml:2:5\) \|/
    )
    expect(markdown.stdout).toMatch(
      /\| nvr-reachable-on-7443 \| pass \| ❌ violated \| .*broken by update port\\_forward nvr \(50-nat\.yaml:2:5\) \|/
    )
    sim.requests.clear()
    const refused = await runCli(["apply", "--dir", dir, "--auto-approve"], { sim, dataDir })
    expect(refused.code, refused.stderr).toBe(3)
    expect(refused.stderr).toContain("intent \"wan-ssh-closed\"")
    const writes = sim.requests.entries.filter((e) =>
      e.method === "POST" && /(add|set|del)_|reconfigure|apply|revert/.test(e.endpoint)
    )
    expect(writes).toEqual([])
  }, 60_000)

  it("drift checks them on the firewall's own port forwards: the sandbox's 8443 forward no rule passes", async () => {
    const { dataDir, dir } = tree("7443")
    writeFileSync(
      join(dir, "91-web.yaml"),
      "intents:\n  - name: web-server-published\n    from: any\n    to: wanip\n    protocol: tcp\n    port: 8443\n    interface: wan\n    expect: pass\n"
    )
    const applied = await runCli(["apply", "--dir", dir, "--auto-approve"], { sim, dataDir })
    expect(applied.code, applied.stderr).toBe(0)
    const drift = await runCli(["drift", "--dir", dir, "--json"], { sim, dataDir })
    const report = JSON.parse(drift.stdout) as {
      readonly intents?: ReadonlyArray<{ intent: Intent; verdict: string; translation?: unknown }>
    }
    const intents = report.intents ?? []
    expect(intents.find((r) => r.intent.name === "nvr-reachable-on-7443")?.verdict).toBe("held")
    expect(intents.find((r) => r.intent.name === "web-server-published")).toMatchObject({
      verdict: "violated",
      translation: { destination: "192.168.1.20", destinationPort: 443 }
    })
    expect(drift.code).toBe(2)
  }, 60_000)
})

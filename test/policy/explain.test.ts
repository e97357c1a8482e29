import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { explain, type Explanation, type Packet, type PolicyInput } from "../../src/Policy.ts"
import { renderExplanation } from "../../src/Policy/Render.ts"
import { alias, policy, rule } from "./build.ts"

const run = (input: PolicyInput, packet: Packet): Explanation => {
  const result = explain(input, packet)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

/** one line per considered rule: "name:match:outcome" */
const chain = (e: Explanation) => e.steps.map((s) => `${s.rule}:${s.match}:${s.outcome}`)

describe("explain: nested aliases, port ranges, inversion, opaque aliases", () => {
  const aliases = [
    alias("web_servers", "host", ["10.1.0.10", "10.1.0.11"]),
    alias("db_net", "network", ["10.2.0.0/24"]),
    alias("servers", "networkgroup", ["web_servers", "db_net"]),
    alias("web_ports", "port", ["80", "443", "8000:8080"]),
    alias("app_ports", "port", ["web_ports", "9000"]),
    alias("geo_block", "geoip", ["CN"])
  ]
  const input = policy([
    rule("block-geo", { action: "block", dst: ["geo_block"] }),
    rule("allow-web", { protocol: "TCP", dst: ["servers"], dstPort: "app_ports" }),
    rule("block-not-lan", { action: "block", src: ["lan"], srcNot: true }),
    rule("allow-dns", { protocol: "UDP", dst: ["10.0.0.53"], dstPort: "53" })
  ], aliases)

  it("passes through a host alias nested in a networkgroup, on a port range nested in a port alias", () => {
    const e = run(input, {
      source: "10.0.0.5",
      destination: "10.1.0.10",
      protocol: "tcp",
      destinationPort: 8080,
      interface: "lan"
    })
    expect(e.decision).toBe("pass")
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "allow-web", position: 2 })
    expect(chain(e)).toEqual(["block-geo:maybe:may-match", "allow-web:yes:decides"])
    // the geoip alias is opaque and blocks: the pass is not certain, and it says why
    expect(e.certain).toBe(false)
    expect(e.steps[0]!.reasons.join(" ")).toContain("geoip alias geo_block")
    expect(e.steps[1]!.reasons).toContain("destination 10.1.0.10 is in servers")
    expect(e.steps[1]!.reasons).toContain("destination port 8080 is in app_ports")
    expect(e.notConsidered).toBe(2)
  })

  it("matches the network member of the group and the nested plain port", () => {
    const e = run(input, {
      source: "10.0.0.5",
      destination: "10.2.0.7",
      protocol: "tcp",
      destinationPort: 9000,
      interface: "lan"
    })
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "allow-web" })
  })

  it("falls to the default deny when the port is just outside the range, and says which condition failed", () => {
    const e = run(input, {
      source: "10.0.0.5",
      destination: "10.2.0.7",
      protocol: "tcp",
      destinationPort: 8081,
      interface: "lan"
    })
    expect(e.decision).toBe("block")
    expect(e.decidedBy).toMatchObject({ kind: "default", rule: "Default deny rule" })
    // allow-dns (UDP) cannot apply to a tcp packet: counted, not listed
    expect(chain(e)).toEqual([
      "block-geo:maybe:may-match",
      "allow-web:no:no-match",
      "block-not-lan:no:no-match"
    ])
    expect(e.steps[1]!.reasons).toEqual(["destination port 8081 is not in app_ports"])
    expect(e.steps[2]!.reasons).toEqual(["source 10.0.0.5 is in lan, which the rule inverts"])
    expect(e.excluded).toEqual({ interface: 0, direction: 0, protocol: 1 })
    expect(e.notConsidered).toBe(0)
    expect(e.notes.join(" ")).toContain("default deny")
    // block-geo may match but blocks too: the block is certain
    expect(e.certain).toBe(true)
  })

  it("blocks a source outside the inverted interface net", () => {
    const e = run(input, {
      source: "172.16.0.9",
      destination: "10.2.0.7",
      protocol: "tcp",
      destinationPort: 22,
      interface: "lan"
    })
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "block-not-lan", position: 3 })
    expect(e.steps[2]!.reasons).toContain("source 172.16.0.9 is outside lan (inverted: matches)")
  })

  it("infers the interface from the source network when none is given", () => {
    const e = run(input, { source: "10.0.0.9", destination: "10.0.0.53", protocol: "udp", destinationPort: 53 })
    expect(e.interface).toBe("lan")
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "allow-dns" })
  })

  it("rejects packets it cannot evaluate, with every problem", () => {
    const result = explain(input, { source: "10.0.0.300", destination: "::1", protocol: "icmp", destinationPort: 1 })
    expect(Result.isFailure(result)).toBe(true)
    if (Result.isFailure(result)) {
      expect(result.failure.problems).toEqual([
        "source \"10.0.0.300\" is not an IPv4 or IPv6 address",
        "ports only apply to tcp and udp, not ICMP"
      ])
    }
  })

  it("refuses an unknown protocol with a suggestion instead of deciding BLOCK", () => {
    const result = explain(input, {
      source: "10.0.0.9",
      destination: "10.0.0.53",
      protocol: "udpp",
      destinationPort: 53
    })
    expect(Result.isFailure(result)).toBe(true)
    if (Result.isFailure(result)) {
      expect(result.failure.problems).toEqual(["unknown protocol \"udpp\": did you mean \"udp\"?"])
    }
  })
})

describe("explain: priority groups, non-quick rules, direction, interface inversion", () => {
  const input = policy([
    rule("lan-allow-all", { interfaces: ["lan"] }),
    rule("float-block-ssh", { action: "block", interfaces: [], protocol: "TCP", dstPort: "22" }),
    rule("nq-block-all", { action: "block", quick: false, interfaces: ["opt1"] }),
    rule("nq-pass-web", { quick: false, interfaces: ["opt1"], protocol: "TCP", dstPort: "443" }),
    rule("q-block-host", { action: "block", interfaces: ["opt1"], dst: ["10.5.0.5"] }),
    rule("not-wan-icmp", { interfaces: ["wan"], interfaceInvert: true, protocol: "ICMP", direction: "any" })
  ])

  it("evaluates a floating rule before interface rules written above it", () => {
    const e = run(input, {
      source: "10.0.0.5",
      destination: "10.9.1.1",
      protocol: "tcp",
      destinationPort: 22,
      interface: "lan"
    })
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "float-block-ssh", position: 1 })
    expect(e.steps[0]!.group).toBe("floating")
  })

  it("lets the interface rule decide once the floating rule does not match", () => {
    const e = run(input, {
      source: "10.0.0.5",
      destination: "10.9.1.1",
      protocol: "tcp",
      destinationPort: 80,
      interface: "lan"
    })
    expect(chain(e)).toEqual(["float-block-ssh:no:no-match", "lan-allow-all:yes:decides"])
    // not-wan-icmp (between the two) is ICMP only; the three opt1 rules come after the decision
    expect(e.excluded).toEqual({ interface: 0, direction: 0, protocol: 1 })
    expect(e.notConsidered).toBe(3)
  })

  it("takes the last matching non-quick rule", () => {
    const e = run(input, {
      source: "10.3.0.2",
      destination: "10.5.0.9",
      protocol: "tcp",
      destinationPort: 443,
      interface: "opt1"
    })
    expect(e.decision).toBe("pass")
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "nq-pass-web" })
    expect(chain(e)).toEqual([
      "float-block-ssh:no:no-match",
      "nq-block-all:yes:overridden",
      "nq-pass-web:yes:decides",
      "q-block-host:no:no-match"
    ])
    // not-wan-icmp (ICMP) and lan-allow-all (lan) cannot apply
    expect(e.excluded).toEqual({ interface: 1, direction: 0, protocol: 1 })
  })

  it("lets a later quick rule beat earlier non-quick matches", () => {
    const e = run(input, {
      source: "10.3.0.2",
      destination: "10.5.0.5",
      protocol: "tcp",
      destinationPort: 443,
      interface: "opt1"
    })
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "q-block-host" })
  })

  it("uses the only non-quick match when nothing later matches", () => {
    const e = run(input, {
      source: "10.3.0.2",
      destination: "10.5.0.9",
      protocol: "udp",
      destinationPort: 53,
      interface: "opt1"
    })
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "nq-block-all" })
    expect(e.decision).toBe("block")
  })

  it("passes outbound packets by OPNsense's automatic outbound rule when no rule matches", () => {
    const e = run(input, {
      source: "10.3.0.2",
      destination: "10.5.0.9",
      protocol: "udp",
      destinationPort: 53,
      interface: "opt1",
      direction: "out"
    })
    expect(e.decision).toBe("pass")
    expect(e.decidedBy).toMatchObject({ kind: "default", rule: "let out anything from firewall host itself" })
    // every rule but two is for inbound packets; lan-allow-all is on lan, not-wan-icmp is ICMP
    expect(e.steps).toEqual([])
    expect(e.excluded).toEqual({ interface: 1, direction: 4, protocol: 1 })
  })

  it("applies an inverted interface everywhere but there, in both directions", () => {
    const opt1 = run(input, {
      source: "10.3.0.2",
      destination: "10.5.0.9",
      protocol: "icmp",
      interface: "opt1",
      direction: "out"
    })
    expect(opt1.decidedBy).toMatchObject({ kind: "rule", rule: "not-wan-icmp" })
    const wan = run(input, { source: "198.51.100.7", destination: "192.0.2.1", protocol: "icmp", interface: "wan" })
    expect(wan.decidedBy).toMatchObject({ kind: "default" })
    // not-wan-icmp excludes wan; the lan and opt1 rules do not apply either; float-block-ssh is TCP
    expect(wan.steps).toEqual([])
    expect(wan.excluded).toEqual({ interface: 5, direction: 0, protocol: 1 })
    expect(renderExplanation(wan, { dir: ".", colour: false })).toContain(
      "not considered: 5 on other interfaces, 1 for another protocol (6 rules that cannot apply)"
    )
  })

  it("checks ip_version and disabled rules", () => {
    const v6 = policy([
      rule("v4-only", { interfaces: ["lan"] }),
      rule("off", { interfaces: ["lan"], ipVersion: "inet46", enabled: false }),
      rule("both", { interfaces: ["lan"], ipVersion: "inet46", dst: ["2001:db8::/32"] })
    ])
    const e = run(v6, {
      source: "2001:db8:1::5",
      destination: "2001:db8::1",
      protocol: "tcp",
      destinationPort: 443,
      interface: "lan"
    })
    expect(chain(e)).toEqual(["v4-only:no:no-match", "off:no:disabled", "both:yes:decides"])
    expect(e.steps[0]!.reasons).toEqual(["ip_version: the rule is inet, the packet is IPv6"])
  })

  it("orders live rules by priority group, MVC before legacy, then sequence", () => {
    const live = policy(
      [
        rule("legacy-pass", { origin: "legacy", sequence: 1, interfaces: ["lan"] }),
        rule("mvc-block", { action: "block", sequence: 500, interfaces: ["lan"] }),
        rule("group-pass", { sequence: 900, interfaces: ["trusted"] })
      ],
      [],
      { origin: "live", groups: { trusted: { members: ["lan", "opt1"], sequence: 10 } } }
    )
    const e = run(live, {
      source: "10.0.0.5",
      destination: "10.1.1.1",
      protocol: "tcp",
      destinationPort: 80,
      interface: "lan"
    })
    expect(e.steps.map((s) => `${s.rule}:${s.group}`)).toEqual(["group-pass:group"])
    expect(e.decidedBy).toMatchObject({ rule: "group-pass" })
    // an IPv6 packet walks all three (ip_version is not an index condition), showing their order
    const v6 = run(live, {
      source: "2001:db8::5",
      destination: "2001:db8::9",
      protocol: "udp",
      destinationPort: 80,
      interface: "lan"
    })
    expect(chain(v6)).toEqual(["group-pass:no:no-match", "mvc-block:no:no-match", "legacy-pass:no:no-match"])
  })
})

describe("explain: the packet's interface must be one the rule set knows", () => {
  const dns = { source: "10.0.0.5", destination: "10.0.0.53", protocol: "udp", destinationPort: 53 } as const
  const desired = policy([
    rule("guest-dns", { interfaces: ["opt2"], protocol: "UDP", dst: ["10.0.0.53"], dstPort: "53" }),
    rule("block-rest", { action: "block", interfaces: ["opt1", "opt2"] }),
    rule("floating-pass", { interfaces: [] })
  ])
  const problems = (input: PolicyInput, packet: Packet) => {
    const result = explain(input, packet)
    return Result.isFailure(result) ? result.failure.problems : []
  }

  it("refuses an unknown interface, naming it and the known ones, instead of deciding by floating rules", () => {
    // before: opt99 met only the floating rule and read as a plain PASS
    expect(problems(desired, { ...dns, interface: "opt99" })).toEqual([
      "unknown interface \"opt99\": the desired state knows lan, opt1, opt2, wan " +
      "(from its rules and sites.yaml; the live firewall may have more)"
    ])
    expect(problems(desired, { ...dns, interface: "opt22" })[0]).toMatch(
      /^unknown interface "opt22" \(did you mean "opt2"\?\)/
    )
    // out, too
    expect(problems(desired, { ...dns, interface: "opt99", direction: "out" })).toHaveLength(1)
  })

  it("knows sites.yaml interfaces and groups besides the rules' interfaces", () => {
    const withSite = policy(desired.rules, [], {
      interfaces: { lan: { networks: ["10.0.0.0/24"] }, opt7: { networks: ["10.7.0.0/24"] } },
      groups: { trusted: { members: ["opt8"] } }
    })
    for (const name of ["opt7", "trusted", "opt8", "wan"]) {
      expect(run(withSite, { ...dns, interface: name }).decidedBy).toMatchObject({ rule: "floating-pass" })
    }
  })

  it("on live input takes the firewall's descriptions and shows the identifier they stand for", () => {
    const live = {
      ...policy(desired.rules, [], { origin: "live" }),
      interfaceDescriptions: { lan: "LAN", wan: "WAN", opt1: "MGMT", opt2: "GUEST", opt3: "GUEST" }
    }
    const e = run(live, { ...dns, interface: "MGMT" })
    expect(e.packet.interface).toBe("opt1")
    expect(e.decidedBy).toMatchObject({ rule: "block-rest" })
    expect(e.notes).toContain("interface \"MGMT\" is opt1")
    expect(run(live, { ...dns, interface: "mgmt" }).packet.interface).toBe("opt1")
    expect(problems(live, { ...dns, interface: "GUEST" })).toEqual([
      "interface \"GUEST\" is the description of opt2 and opt3: name one by its identifier"
    ])
    expect(problems(live, { ...dns, interface: "MGMTT" })).toEqual([
      "unknown interface \"MGMTT\" (did you mean \"MGMT\"?): the firewall has lan (LAN), opt1 (MGMT), opt2 (GUEST), " +
      "opt3 (GUEST), wan (WAN)"
    ])
  })
})

describe("explain: policy routing", () => {
  const input = policy([
    rule("via-lab", { dst: ["10.50.0.0/16"], gateway: "LAB_GW" }),
    rule("drop-routed", { action: "block", dst: ["10.60.0.0/16"], gateway: "LAB_GW" }),
    rule("plain", { dst: ["10.70.0.0/16"] })
  ])

  it("names the gateway a deciding pass rule routes through, in the result and the rendering", () => {
    const e = run(input, { source: "192.168.1.5", destination: "10.50.1.1", protocol: "tcp", interface: "lan" })
    expect(e.decidedBy).toMatchObject({ kind: "rule", rule: "via-lab", gateway: "LAB_GW" })
    const text = renderExplanation(e, { dir: "/repo", colour: false })
    expect(text.split("\n")[1]).toMatch(
      /^decided by rule "via-lab" \(\/repo\/rules\.yaml:\d+\), routed through gateway "LAB_GW"$/
    )
  })

  it("names no gateway for a block rule or a rule without one", () => {
    const blocked = run(input, { source: "192.168.1.5", destination: "10.60.1.1", protocol: "tcp", interface: "lan" })
    expect(blocked.decidedBy).toMatchObject({ kind: "rule", rule: "drop-routed" })
    expect("gateway" in blocked.decidedBy).toBe(false)
    const plain = run(input, { source: "192.168.1.5", destination: "10.70.1.1", protocol: "tcp", interface: "lan" })
    expect("gateway" in plain.decidedBy).toBe(false)
    expect(renderExplanation(plain, { dir: "/repo", colour: false })).not.toContain("gateway")
  })
})

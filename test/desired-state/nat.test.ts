/**
 * Outbound NAT rules, 1:1 NAT entries and the outbound NAT mode in the desired state: every
 * problem at its file:line:col (positions worked out by hand from the YAML below).
 */
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { parseSites } from "../../src/DesiredState/Sites.ts"
import type { SiteConfig } from "../../src/Domain/Desired.ts"
import { lacking, toWire } from "../../src/Kinds/OutboundNat/Wire.ts"

const config: SiteConfig = { name: "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} }
const at = (issues: ReadonlyArray<{ file: string; line: number; column: number; code: string }>) =>
  issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.code}`)

describe("outbound_nat", () => {
  it("loads rules into canonical specs", () => {
    const { issues, site } = loadSite(config, [{
      path: "nat.yaml",
      text: "outbound_nat:\n  - name: smtp\n    interface: wan\n    protocol: TCP\n" +
        "    source: 192.168.1.25/32\n    destination: { port: smtp }\n    target: 203.0.113.25\n"
    }])
    expect(issues).toEqual([])
    expect(site?.outbound_nat[0]?.spec).toEqual({
      enabled: true,
      noNat: false,
      interface: "wan",
      ipVersion: "inet",
      protocol: "TCP",
      source: { address: "192.168.1.25", invert: false, port: "" },
      destination: { address: "", invert: false, port: "25" },
      target: "203.0.113.25",
      targetPort: "",
      staticPort: false,
      log: false,
      description: ""
    })
  })

  it("static_port: read into the spec; a warning where OPNsense ignores it; refused before 26.1.5", () => {
    const { issues, site } = loadSite(config, [{
      path: "nat.yaml",
      text: [
        "outbound_nat:", // 1
        "  - name: voice", // 2
        "    interface: wan", // 3
        "    source: 192.168.1.0/24", // 4
        "    static_port: true", // 5
        "  - name: both", // 6
        "    interface: wan", // 7
        "    protocol: udp", // 8
        "    target_port: 5060", // 9
        "    static_port: true", // 10
        ""
      ].join("\n")
    }])
    expect(site?.outbound_nat[0]?.spec.staticPort).toBe(true)
    expect(at(issues)).toEqual(["nat.yaml:10:5 static-port-ignored"])
    expect(issues[0]).toMatchObject({ severity: "warning" })
    const spec = site!.outbound_nat[0]!.spec
    const v = (raw: string) => {
      const [major, minor, patch] = raw.split(".").map(Number)
      return { major: major!, minor: minor!, patch: patch ?? 0, raw }
    }
    // opnsense/core Filter.xml has snatrules.rule.staticnatport from 26.1.5, not at 26.1.4
    expect(lacking(spec, v("26.1.4"))).toEqual(["static_port (snatrules.rule.staticnatport, 26.1.5+)"])
    expect(lacking(spec, v("26.1.5"))).toEqual([])
    expect(toWire(spec, "voice", 100, v("26.1.4")).rule).not.toHaveProperty("staticnatport")
    expect(toWire({ ...spec, staticPort: false }, "voice", 100, v("26.7.2")).rule).toMatchObject({ staticnatport: "0" })
  })

  it("reports bad references, ports without tcp/udp, an any target and an aliased target port", () => {
    const text = [
      "aliases:", // 1
      "  - name: office_net", // 2
      "    type: network", // 3
      "    content: [192.168.1.0/24]", // 4
      "outbound_nat:", // 5
      "  - name: lan-out", // 6
      "    interface: wan", // 7
      "    source: office_net", // 8
      "    target: wanip", // 9
      "  - name: bad", // 10
      "    interface: wan", // 11
      "    protocol: icmp", // 12
      "    source: { address: offce_net, port: 80 }", // 13: address at col 24, port at col 41
      "    target: any", // 14: value at col 13
      "    target_port: web_ports", // 15: value at col 18
      ""
    ].join("\n")
    const { issues } = loadSite(config, [{ path: "nat.yaml", text }])
    expect(at(issues)).toEqual([
      "nat.yaml:13:24 unknown-alias",
      "nat.yaml:13:41 port-needs-tcp-udp",
      "nat.yaml:14:13 invalid-address",
      "nat.yaml:15:18 invalid-port"
    ])
    expect(issues[0]?.hint).toContain("office_net")
  })

  it("warns, at the rule, when the site's mode is automatic: the firewall would not load the rule", () => {
    const text = "outbound_nat:\n  - name: lan-out\n    interface: wan\n    source: lan\n"
    const { issues, site } = loadSite({ ...config, outboundNatMode: "automatic" }, [{ path: "nat.yaml", text }])
    expect(at(issues)).toEqual(["nat.yaml:2:5 outbound-nat-unused"])
    expect(issues[0]?.severity).toBe("warning")
    expect(issues[0]?.message).toContain("automatic")
    expect(site?.outbound_nat_mode.map((d) => d.spec)).toEqual([{ mode: "automatic" }])
    // hybrid and advanced load configured rules
    expect(loadSite({ ...config, outboundNatMode: "hybrid" }, [{ path: "nat.yaml", text }]).issues).toEqual([])
  })
})

describe("one_to_one_nat", () => {
  it("reports prefix mismatches, mixed families and a non-literal binat side", () => {
    const text = [
      "one_to_one_nat:", // 1
      "  - name: web", // 2
      "    internal: 192.168.1.10", // 3
      "    external: 203.0.113.0/29", // 4: value at col 15
      "  - name: mixed", // 5
      "    internal: 192.168.1.20", // 6
      "    external: 2001:db8::1", // 7: value at col 15
      "  - name: alias-binat", // 8
      "    internal: office_net", // 9: value at col 15
      "    external: 203.0.113.9", // 10
      "  - name: ok", // 11
      "    type: nat", // 12
      "    internal: { address: 192.168.2.0/24, invert: true }", // 13
      "    external: 203.0.113.32/27", // 14
      ""
    ].join("\n")
    const { issues } = loadSite(config, [{ path: "nat.yaml", text }])
    expect(at(issues)).toEqual([
      "nat.yaml:4:15 binat-prefix",
      "nat.yaml:7:15 address-family",
      // Filter.php checks the prefix lengths too: /32 against /128
      "nat.yaml:7:15 binat-prefix",
      "nat.yaml:9:15 binat-address",
      "nat.yaml:9:15 unknown-alias"
    ])
  })

  it("normalises defaults: wan, binat, any destination, the default reflection", () => {
    const { site } = loadSite(config, [{
      path: "nat.yaml",
      text: "one_to_one_nat:\n  - name: web\n    internal: 192.168.1.10/32\n    external: 203.0.113.10\n"
    }])
    expect(site?.one_to_one_nat[0]?.spec).toEqual({
      enabled: true,
      interface: "wan",
      type: "binat",
      internal: "192.168.1.10",
      internalInvert: false,
      external: "203.0.113.10",
      destination: "",
      destinationInvert: false,
      natReflection: "",
      log: false,
      description: ""
    })
  })
})

describe("outbound_nat_mode", () => {
  it("is a site setting in sites.yaml; manual means advanced", () => {
    const { issues, sites } = parseSites("sites:\n  - name: hq\n    outbound_nat_mode: manual\n")
    expect(issues).toEqual([])
    expect(sites[0]?.outboundNatMode).toBe("advanced")
    const bad = parseSites("sites:\n  - name: hq\n    outbound_nat_mode: hybird\n")
    expect(at(bad.issues)).toEqual(["sites.yaml:3:24 invalid-value"])
  })

  it("is refused in a resource file, at the item", () => {
    const { issues } = loadSite(config, [{
      path: "nat.yaml",
      text: "outbound_nat_mode:\n  - name: mode\n    mode: hybrid\n"
    }])
    expect(at(issues)).toEqual(["nat.yaml:1:1 site-setting"])
    expect(issues[0]?.hint).toContain("sites.yaml")
  })
})

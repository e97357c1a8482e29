/**
 * Random rule sets and port forwards for property tests, drawn from a small universe (a few
 * overlapping networks, ports and interfaces, one opaque GeoIP alias) so that rules cover, shadow
 * and contradict each other often.
 */
import * as fc from "fast-check"
import type { OneToOneSpec } from "../../src/Kinds/OneToOne/Spec.ts"
import type { PortForwardSpec } from "../../src/Kinds/PortForward/Spec.ts"
import { oneToOneSpec } from "../support/one-to-one.ts"
import { endpoint, forwardSpec } from "../support/port-forward.ts"
import { alias, type RuleOptions } from "./build.ts"

export const aliases = [
  alias("hosts", "host", ["10.0.1.5", "10.0.2.7"]),
  alias("nets", "network", ["10.0.1.0/24"]),
  alias("group", "networkgroup", ["hosts", "nets"]),
  alias("low_ports", "port", ["1:1024"]),
  alias("ports", "port", ["low_ports", "8080"]),
  alias("geo", "geoip", ["NL"])
]

const address = fc.constantFrom<ReadonlyArray<string>>(
  ["10.0.0.0/8"],
  ["10.0.1.0/24", "10.0.9.0/24"],
  ["geo"],
  [],
  [],
  ["10.0.0.0/16"],
  ["10.0.1.0/24"],
  ["10.0.1.128/25"],
  ["10.0.2.0/24"],
  ["10.0.1.5"],
  ["10.0.2.7"],
  ["hosts"],
  ["nets"],
  ["group"],
  ["lan"],
  ["10.0.1.5", "10.0.2.0/24"]
)
const port = fc.constantFrom("", "", "22", "80", "443", "1-1024", "1000-2000", "8080", "low_ports", "ports")
const interfaces = fc.constantFrom<[ReadonlyArray<string>, boolean]>(
  [["lan"], false],
  [["lan"], false],
  [["opt1"], false],
  [[], false],
  [["lan", "opt1"], false],
  [["lan"], true]
)

export const ruleOptions: fc.Arbitrary<RuleOptions> = fc
  .record({
    action: fc.constantFrom("pass", "block", "reject" as const),
    quick: fc.boolean(),
    ifaces: interfaces,
    direction: fc.constantFrom("in", "in", "out", "any" as const),
    protocol: fc.constantFrom("any", "TCP", "UDP", "TCP/UDP", "ICMP"),
    src: address,
    srcNot: fc.boolean(),
    dst: address,
    dstNot: fc.boolean(),
    dstPort: port,
    srcPort: fc.constantFrom("", "", "", "1024-65535")
  })
  .map((r): RuleOptions => {
    const ports = r.protocol === "TCP" || r.protocol === "UDP" || r.protocol === "TCP/UDP"
    return {
      action: r.action,
      quick: r.quick,
      interfaces: r.ifaces[0],
      interfaceInvert: r.ifaces[1],
      direction: r.direction,
      protocol: r.protocol,
      src: r.src,
      // OPNsense allows inversion of a single value only
      srcNot: r.srcNot && r.src.length === 1,
      dst: r.dst,
      dstNot: r.dstNot && r.dst.length === 1,
      dstPort: ports ? r.dstPort : "",
      srcPort: ports ? r.srcPort : ""
    }
  })

/**
 * Random port forwards over the same universe: on the WAN (192.0.2.0/24, address 192.0.2.1) or the
 * LAN, to the interface address, a network or anything, with single ports, ranges that a local
 * port shifts, port aliases, targets that are one address or not (an alias of two hosts), and every
 * filter_rule mode; some are no_rdr exemptions, some are disabled, some only maybe match (GeoIP).
 */
export const forwardOptions: fc.Arbitrary<PortForwardSpec> = fc
  .record({
    enabled: fc.constantFrom(true, true, true, false),
    noRdr: fc.constantFrom(false, false, false, false, true),
    interfaces: fc.constantFrom<ReadonlyArray<string>>(["wan"], ["wan"], ["lan"], ["wan", "lan"]),
    protocol: fc.constantFrom("TCP", "TCP", "UDP", "TCP/UDP"),
    src: fc.constantFrom<ReadonlyArray<string>>([], [], [], ["10.0.1.0/24"], ["hosts"], ["geo"], ["192.0.2.0/28"]),
    srcPort: fc.constantFrom("", "", "", "1024-65535"),
    dst: fc.constantFrom<ReadonlyArray<string>>(["wanip"], ["wanip"], ["192.0.2.0/28"], ["lanip"], [], ["10.0.1.5"]),
    dstPort: fc.constantFrom("80", "22", "443", "1000-2000", "8080", "", "ports"),
    target: fc.constantFrom("10.0.1.5", "10.0.2.7", "10.0.1.200", "hosts"),
    localPort: fc.constantFrom("", "", "22", "443", "8000"),
    filterRule: fc.constantFrom("manual", "manual", "pass", "register" as const)
  })
  .map((f): PortForwardSpec =>
    forwardSpec({
      enabled: f.enabled,
      noRdr: f.noRdr,
      interfaces: f.interfaces,
      protocol: f.protocol,
      source: endpoint(f.src, f.srcPort),
      destination: endpoint(f.dst, f.dstPort),
      target: f.target,
      localPort: f.localPort,
      filterRule: f.filterRule
    })
  )

/**
 * Random 1:1 NAT entries over the same universe: a WAN address or /28 mapped onto a LAN host or
 * /28 (the same size: address for address; or not: the internal address is not known per
 * destination), from anywhere or only some sources, binat or outbound-only nat.
 */
export const oneToOneOptions: fc.Arbitrary<OneToOneSpec> = fc
  .record({
    enabled: fc.constantFrom(true, true, true, false),
    iface: fc.constantFrom("wan", "wan", "wan", "lan"),
    type: fc.constantFrom("binat", "binat", "binat", "nat" as const),
    mapping: fc.constantFrom(
      ["10.0.1.5", "192.0.2.10"],
      // the same host behind a second address: outbound the first entry takes it, inbound not
      ["10.0.1.5", "192.0.2.20"],
      ["10.0.1.16/28", "192.0.2.16"],
      ["10.0.1.16/28", "192.0.2.16/28"],
      ["10.0.2.0/24", "192.0.2.32/28"],
      ["hosts", "192.0.2.10"]
    ),
    destination: fc.constantFrom("", "", "", "198.51.100.0/24", "geo"),
    destinationInvert: fc.constantFrom(false, false, false, true)
  })
  .map((e): OneToOneSpec =>
    oneToOneSpec({
      enabled: e.enabled,
      interface: e.iface,
      type: e.type,
      internal: e.mapping[0]!,
      external: e.mapping[1]!,
      destination: e.destination,
      destinationInvert: e.destinationInvert && e.destination !== ""
    })
  )

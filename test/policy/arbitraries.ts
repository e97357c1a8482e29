/**
 * Random rule sets for property tests, drawn from a small universe (a few overlapping networks,
 * ports and interfaces, one opaque GeoIP alias) so that rules cover, shadow and contradict each
 * other often.
 */
import * as fc from "fast-check"
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

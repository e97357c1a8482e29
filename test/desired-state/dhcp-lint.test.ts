/**
 * DHCP subnet and reservation checks, worked by hand: each finding at its file:line:col with the
 * item's name and severity; a clean site normalises subnet names to CIDRs and MACs to one form.
 */
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"
import type { Issue } from "../../src/Domain/Desired.ts"

const where = (i: Issue) => [i.file, i.line, i.column, i.code, i.name, i.severity]

const SUBNET = `dhcp_subnets:
  - name: iot-dhcp
    subnet: 10.30.0.0/24
    pools: [10.30.0.100-10.30.0.199]
`

describe("DHCP lint", () => {
  it("reports a reservation outside its subnet, inside a pool, and a second reservation of one MAC or one address", () => {
    const text = `${SUBNET}
dhcp_reservations:
  - name: outside
    subnet: iot-dhcp
    mac: aa:bb:cc:00:00:01
    ip: 10.31.0.5
  - name: in-pool
    subnet: iot-dhcp
    mac: aa:bb:cc:00:00:02
    ip: 10.30.0.150
  - name: first
    subnet: iot-dhcp
    mac: aa:bb:cc:00:00:03
    ip: 10.30.0.10
  - name: same-mac
    subnet: 10.30.0.0/24
    mac: AA-BB-CC-00-00-03
    ip: 10.30.0.11
  - name: same-ip
    subnet: iot-dhcp
    mac: aa:bb:cc:00:00:04
    ip: 10.30.0.10
  - name: lost
    subnet: nowhere
    mac: aa:bb:cc:00:00:05
    ip: 10.30.0.12
`
    const result = loadSite(defaultSite, [{ path: "dhcp.yaml", text }])
    expect(result.site).toBeUndefined()
    expect(result.issues.map(where)).toEqual([
      // line 10 is "    ip: 10.31.0.5": the value starts at column 9
      ["dhcp.yaml", 10, 9, "reservation-outside-subnet", "outside", "error"],
      ["dhcp.yaml", 14, 9, "reservation-in-pool", "in-pool", "warning"],
      // "AA-BB-CC-00-00-03" is aa:bb:cc:00:00:03 of "first", in the same subnet named by CIDR
      ["dhcp.yaml", 21, 10, "duplicate-reservation-mac", "same-mac", "error"],
      ["dhcp.yaml", 26, 9, "duplicate-reservation-address", "same-ip", "error"],
      ["dhcp.yaml", 28, 13, "unknown-subnet", "lost", "error"]
    ])
    expect(result.issues[0]?.message).toBe("10.31.0.5 is not inside subnet 10.30.0.0/24 (\"iot-dhcp\")")
    expect(result.issues[2]?.message).toBe(
      "aa:bb:cc:00:00:03 already has a reservation in subnet 10.30.0.0/24: \"first\" (dhcp.yaml:15)"
    )
  })

  it("allows one MAC in two subnets, and checks subnets: host bits, pools outside, duplicate CIDRs, domain names", () => {
    const text = `dhcp_subnets:
  - name: a
    subnet: 10.30.0.1/24
  - name: b
    subnet: 10.40.0.0/24
    pools: 10.41.0.10-10.41.0.20
  - name: c
    subnet: 10.40.0.0/24
    domain_name: not a domain
dhcp_reservations:
  - name: one
    subnet: b
    mac: aa:bb:cc:00:00:01
    ip: 10.40.0.5
  - name: two
    subnet: 10.50.0.0/24
    mac: aa:bb:cc:00:00:01
    ip: 10.50.0.5
`
    const result = loadSite(defaultSite, [{ path: "s.yaml", text }])
    expect(result.issues.map(where)).toEqual([
      ["s.yaml", 3, 13, "invalid-subnet", "a", "error"],
      ["s.yaml", 6, 12, "pool-outside-subnet", "b", "error"],
      ["s.yaml", 8, 13, "duplicate-subnet", "c", "error"],
      ["s.yaml", 9, 18, "invalid-hostname", "c", "error"]
    ])
  })

  it("normalises a clean site: subnet names become CIDRs, MACs one lower-case colon form", () => {
    const text = `${SUBNET}
dhcp_reservations:
  - name: printer
    subnet: iot-dhcp
    mac: AA-BB-CC-00-00-01
    ip: 10.30.0.10
`
    const result = loadSite(defaultSite, [{ path: "dhcp.yaml", text }])
    expect(result.issues).toEqual([])
    expect(result.site?.dhcp_reservations.map((r) => r.spec)).toEqual([
      { subnet: "10.30.0.0/24", mac: "aa:bb:cc:00:00:01", ip: "10.30.0.10", hostname: "", description: "" }
    ])
    expect(result.site?.dhcp_subnets.map((s) => s.spec)).toEqual([{
      subnet: "10.30.0.0/24",
      pools: ["10.30.0.100-10.30.0.199"],
      autoOptions: true,
      routers: [],
      dnsServers: [],
      domainName: "",
      description: ""
    }])
  })
})

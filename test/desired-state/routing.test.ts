/**
 * Gateway and route checks, worked by hand: each finding at the file, line and column of the
 * value it is about.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"

const text = [
  "gateways:", //                  1
  "  - name: LAB_GW", //           2
  "    interface: opt9", //        3
  "    address: 192.168.1.254", // 4
  "routes:", //                    5
  "  - name: lab-net", //          6
  "    network: 10.50.0.0/16", //  7
  "    gateway: LAB_GW", //        8  gateway on an interface the site does not know
  "  - name: typo-net", //         9
  "    network: 10.60.0.0/16", // 10
  "    gateway: LAB-GW", //       11  not a gateway of the site
  "  - name: no-mask", //         12
  "    network: 10.70.0.0", //    13  no prefix
  "    gateway: LAB_GW", //       14  (again on opt9)
  "  - name: v6-net", //          15
  "    network: 2001:db8::/32", // 16
  "    gateway: LAB_GW" //        17  IPv6 network through an IPv4 gateway
].join("\n")

const found = (site = defaultSite, files = [{ path: "routing.yaml", text }]) =>
  loadSite(site, files).issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.severity} ${i.code} ${i.name ?? ""}`)

describe("routes and gateways: validate", () => {
  it("reports a route through a gateway on an interface the site does not know, an undefined gateway, a bad network", () => {
    const site = { ...defaultSite, interfaces: { lan: {}, wan: {} } }
    expect(found(site)).toEqual([
      "routing.yaml:8:14 warning route-gateway-no-interface lab-net",
      "routing.yaml:11:14 warning route-gateway-undefined typo-net",
      "routing.yaml:13:14 error invalid-route-network no-mask",
      "routing.yaml:14:14 warning route-gateway-no-interface no-mask",
      "routing.yaml:17:14 error route-family-mismatch v6-net",
      "routing.yaml:17:14 warning route-gateway-no-interface v6-net"
    ])
  })

  it("checks interfaces only when the site declares them", () => {
    expect(found()).toEqual([
      "routing.yaml:11:14 warning route-gateway-undefined typo-net",
      "routing.yaml:13:14 error invalid-route-network no-mask",
      "routing.yaml:17:14 error route-family-mismatch v6-net"
    ])
  })

  it("names the gateway and where it is declared in the no-interface message", () => {
    const site = { ...defaultSite, interfaces: { lan: {}, wan: {} } }
    const issue = loadSite(site, [{ path: "routing.yaml", text }]).issues[0]
    expect(issue?.message).toBe(
      "gateway \"LAB_GW\" is on interface \"opt9\", which this site does not know (lan, wan)"
    )
    expect(issue?.hint).toContain("routing.yaml:2")
  })

  it("reports gateway names, addresses of the wrong family and duplicate addresses", () => {
    const gateways = [
      "gateways:", //                 1
      "  - name: bad name", //        2
      "    interface: lan", //        3
      "    address: 10.0.0.1", //     4
      "  - name: V6_GW", //           5
      "    interface: lan", //        6
      "    address: 10.0.0.2", //     7
      "    ip_version: ipv6", //      8
      "  - name: SAME", //            9
      "    interface: lan", //       10
      "    address: 10.0.0.1" //     11
    ].join("\n")
    expect(found(defaultSite, [{ path: "gw.yaml", text: gateways }])).toEqual([
      "gw.yaml:2:11 error invalid-gateway-name bad name",
      "gw.yaml:2:11 error invalid-name bad name",
      "gw.yaml:7:14 error invalid-gateway-address V6_GW",
      "gw.yaml:11:14 error duplicate-gateway-address SAME"
    ])
  })

  it("loads a route through a gateway of the site into canonical specs", () => {
    const ok = "gateways:\n  - name: LAB_GW\n    interface: lan\n    address: 192.168.1.254\n" +
      "routes:\n  - name: lab-net\n    network: 10.50.0.0/16\n    gateway: LAB_GW\n"
    const { site, issues } = loadSite({ ...defaultSite, interfaces: { lan: {} } }, [{ path: "a.yaml", text: ok }])
    expect(issues).toEqual([])
    expect(site?.routes.map((r) => r.spec)).toEqual([
      { network: "10.50.0.0/16", gateway: "LAB_GW", description: "", enabled: true }
    ])
    expect(site?.gateways[0]?.spec).toMatchObject({ name: "LAB_GW", interface: "lan", ipVersion: "inet" })
  })
})

describe("routes and gateways: validate --json", () => {
  it("reports the findings with file, line and column, warnings only: exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-routing-"))
    writeFileSync(
      join(dir, "routing.yaml"),
      "routes:\n  - name: lab-net\n    network: 10.50.0.0/16\n    gateway: LAB_GW\n"
    )
    const { stdout } = await promisify(execFile)(process.execPath, ["src/index.ts", "validate", "--dir", dir, "--json"])
    const report = JSON.parse(stdout) as { valid: boolean; issues: ReadonlyArray<Record<string, unknown>> }
    expect(report.valid).toBe(true)
    expect(report.issues).toEqual([
      expect.objectContaining({
        file: "routing.yaml",
        line: 4,
        column: 14,
        severity: "warning",
        code: "route-gateway-undefined",
        name: "lab-net",
        kind: "route"
      })
    ])
  })
})

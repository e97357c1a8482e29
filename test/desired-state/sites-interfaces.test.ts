import { describe, expect, it } from "vitest"
import { parseSites } from "../../src/DesiredState/Sites.ts"

describe("sites.yaml: interfaces and sensitive interfaces for policy analysis", () => {
  it("reads interface networks/addresses and the sensitive interfaces into the site config", () => {
    const { issues, sites } = parseSites(
      [
        "sites:",
        "  - name: hq",
        "    interfaces:",
        "      lan: { networks: [192.168.1.0/24], addresses: [192.168.1.1] }",
        "      opt2: { networks: [10.20.0.0/24] }",
        "    sensitive_interfaces: [wan, opt2]",
        ""
      ].join("\n")
    )
    expect(issues).toEqual([])
    expect(sites[0]?.interfaces).toEqual({
      lan: { networks: ["192.168.1.0/24"], addresses: ["192.168.1.1"] },
      opt2: { networks: ["10.20.0.0/24"] }
    })
    expect(sites[0]?.sensitiveInterfaces).toEqual(["wan", "opt2"])
  })

  it("reports a misspelt field with a did-you-mean", () => {
    const { issues } = parseSites("sites:\n  - name: hq\n    sensitive_interface: [wan]\n")
    expect(issues[0]).toMatchObject({ code: "unknown-field", line: 3 })
    expect(issues[0]?.hint).toContain("sensitive_interfaces")
  })
})

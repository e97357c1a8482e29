/**
 * The MCP tools with an API key that lacks the Kea privilege (the simulator's ACL, as opnsense/core
 * 26.7.2: src/opnsense/mvc/app/models/OPNsense/Kea/ACL/ACL.xml): list_live of a DHCP kind answers
 * the permission problem instead of an empty list, plan of a site without DHCP warns, and
 * drift_report says DHCP was not compared.
 */
import { describe, expect, it } from "vitest"
import { PRIVILEGES } from "../../src/Simulator/Acl.ts"
import { callOk, callTool, resultText, useHttpStack } from "./harness.ts"

const KEA = "page-dhcp-kea-v4 (Services: DHCP: Kea(v4))"

const mcp = useHttpStack({ readOnly: true }, (stack) => {
  // the server's key loses the Kea privilege
  const keys = stack.sim.state.apiKeys
  const i = keys.findIndex((k) => k.key === stack.sim.apiKey)
  const key = keys[i]
  if (key === undefined) throw new Error("the simulator's own key is missing")
  keys.splice(i, 1, { ...key, privileges: Object.keys(PRIVILEGES).filter((p) => !p.startsWith("page-dhcp-kea")) })
})

describe("MCP tools with a key that may not read Kea", () => {
  it("list_live of DHCP subnets is an error naming the privilege; VLANs list as before", async () => {
    const result = await callTool(mcp.client, "list_live", { kind: "dhcp_subnet", fresh: true })
    expect(result.isError).toBe(true)
    const text = resultText(result)
    expect(text).toContain(`PermissionError: the API user lacks the privilege ${KEA}`)
    expect(text).toContain("Grant the API user the named privilege")
    const vlans = await callOk(mcp.client, "list_live", { kind: "vlan" })
    expect(vlans).toMatchObject({ kind: "vlan", stale: false })
  })

  it("plan of a site without DHCP warns that DHCP was not read; drift_report says it was not compared", async () => {
    const plan = await callOk(mcp.client, "plan", {})
    expect(plan["warnings"]).toContain(
      `DHCP subnets were not read: the API key lacks the privilege "${KEA}"; the site declares none, so none are ` +
        "planned and none on the firewall are touched"
    )
    const drift = await callTool(mcp.client, "drift_report", {})
    expect(resultText(drift)).toContain(
      `Not compared: DHCP reservations were not read: the API key lacks the privilege "${KEA}".`
    )
  })
})

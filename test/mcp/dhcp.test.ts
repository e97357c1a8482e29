/**
 * DHCP subnets and reservations through the MCP tools: list_live shows Kea subnets and
 * reservations as flat rows, propose_change upserts a reservation ("give this host a fixed
 * address") as a commit whose YAML loads.
 */
import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"
import { callOk, git, useHttpStack } from "./harness.ts"

const SUBNET = "4b0c1d62-8c33-4a4e-9a0e-2f3e7c1a5b6d"

const mcp = useHttpStack({ readOnly: false }, (stack) => {
  // an unmanaged subnet with one reservation, as made by hand in the GUI
  stack.sim.state.keaSubnets.put(SUBNET, {
    subnet: "10.30.0.0/24",
    pools: "10.30.0.100-10.30.0.199",
    option_data_autocollect: "1",
    description: "IoT"
  })
  stack.sim.state.keaReservations.put("5c1d2e73-9d44-4b5f-8b1f-3a4f8d2b6c7e", {
    subnet: SUBNET,
    ip_address: "10.30.0.10",
    hw_address: "aa:bb:cc:00:30:10",
    hostname: "printer",
    description: "Printer"
  })
})

describe("DHCP kinds over MCP", () => {
  it("list_live lists subnets and reservations, the reservation's subnet by CIDR", async () => {
    const subnets = await callOk(mcp.client, "list_live", { kind: "dhcp_subnet" })
    expect(subnets["matching"]).toBe(1)
    expect(JSON.stringify(subnets)).toContain("10.30.0.100-10.30.0.199")
    const reservations = await callOk(mcp.client, "list_live", { kind: "dhcp_reservation" })
    expect(reservations["matching"]).toBe(1)
    const text = JSON.stringify(reservations)
    expect(text).toContain("\"subnet\":\"10.30.0.0/24\"")
    expect(text).toContain("\"mac\":\"aa:bb:cc:00:30:10\"")
    expect(text).toContain("\"managed\":false")
  })

  it("propose_change upserts a reservation: a commit with a dhcp_reservations item", async () => {
    const result = await callOk(mcp.client, "propose_change", {
      summary: "Give the TV a fixed address",
      reason: "the meeting room rules name it",
      edits: [{
        op: "upsert",
        kind: "dhcp_reservation",
        name: "iot-tv",
        value: { subnet: "10.30.0.0/24", mac: "aa:bb:cc:00:30:11", ip: "10.30.0.11", hostname: "tv" }
      }]
    })
    const commit = String(result["commit"])
    const diff = git(mcp.stack.root, "show", "--format=", commit)
    expect(diff).toContain("+dhcp_reservations:")
    expect(diff).toContain("+    name: iot-tv")
    expect(diff).toContain("+    ip: 10.30.0.11")
    const text = git(mcp.stack.root, "show", `${commit}:desired-state/dhcp_reservations.yaml`)
    const loaded = loadSite(defaultSite, [{ path: "dhcp_reservations.yaml", text }])
    expect(loaded.issues).toEqual([])
    expect(loaded.site?.dhcp_reservations.map((r) => r.spec)).toEqual([
      { subnet: "10.30.0.0/24", mac: "aa:bb:cc:00:30:11", ip: "10.30.0.11", hostname: "tv", description: "" }
    ])
  })

  it("the fixed_address prompt walks the agent through list_live and a dhcp_reservation upsert", async () => {
    const prompt = await mcp.client.getPrompt({
      name: "fixed_address",
      arguments: { mac: "aa:bb:cc:00:30:12", ip: "10.30.0.12" }
    })
    const first = prompt.messages[0]?.content
    const text = first !== undefined && first.type === "text" ? first.text : ""
    expect(text).toContain("MAC aa:bb:cc:00:30:12 a fixed address (10.30.0.12)")
    expect(text).toContain("list_live (kind dhcp_subnet)")
    expect(text).toContain("upsert of kind dhcp_reservation")
    expect(text).not.toContain("host_override")
  })

  it("with a host name and a domain, the prompt adds the host override for its DNS name", async () => {
    const prompt = await mcp.client.getPrompt({
      name: "fixed_address",
      arguments: { mac: "aa:bb:cc:00:30:12", ip: "10.30.0.12", hostname: "tv", domain: "office.lan" }
    })
    const first = prompt.messages[0]?.content
    const text = first !== undefined && first.type === "text" ? first.text : ""
    expect(text).toContain(`upsert of kind host_override: host "tv", domain "office.lan"`)
  })
})

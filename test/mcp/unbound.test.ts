/**
 * Host overrides through the MCP tools: propose_change upserts one by kind (a commit on a branch
 * whose plan creates it), and list_live shows the firewall's rows with their aliases.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { callOk, git, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: false })
const ok = (name: string, args: Record<string, unknown>) => callOk(mcp.client, name, args)

describe("host overrides over MCP", () => {
  it("propose_change upserts a host override with an alias; its plan creates it", async () => {
    const proposal = (await ok("propose_change", {
      summary: "Give the NAS a DNS name",
      reason: "people type nas.office.lan",
      edits: [{
        op: "upsert",
        kind: "host_override",
        name: "nas",
        value: { host: "nas", domain: "office.lan", address: "192.168.1.20", aliases: ["files"] }
      }]
    })) as { branch: string; plan?: { changes: ReadonlyArray<{ action: string; kind: string; name: string }> } }
    expect(proposal.plan?.changes).toContainEqual(expect.objectContaining({
      action: "create",
      kind: "host_override",
      name: "nas"
    }))
    const file = git(mcp.stack.root, "show", `${proposal.branch}:desired-state/host_overrides.yaml`)
    expect(file).toContain("host: nas")
    expect(file).toContain("- files")
    // the checkout is left alone
    expect(fs.existsSync(path.join(mcp.stack.dir, "host_overrides.yaml"))).toBe(false)
  })

  it("list_live shows host overrides with their aliases, unmanaged ones marked", async () => {
    // an override made by hand on the firewall (the simulator's model, as add_host_override stores it)
    mcp.stack.sim.state.unboundHosts.put("9d0c1f36-7d6b-4f51-9f0e-2a4c56a1b7e3", {
      enabled: "1",
      hostname: "printer",
      domain: "office.lan",
      rr: "A",
      server: "192.168.1.30",
      mxprio: "",
      mx: "",
      ttl: "",
      txtdata: "",
      addptr: "1",
      description: ""
    })
    mcp.stack.sim.state.unboundAliases.put("4b7d2c1e-0a3f-4e5d-8c6b-1f2e3d4c5b6a", {
      enabled: "1",
      host: "9d0c1f36-7d6b-4f51-9f0e-2a4c56a1b7e3",
      hostname: "lp",
      domain: "",
      description: ""
    })
    const live = await ok("list_live", { kind: "host_override", fresh: true })
    const rows = live["items"] as ReadonlyArray<Record<string, unknown>>
    expect(rows).toContainEqual(
      expect.objectContaining({ name: "printer.office.lan", managed: false, aliases: ["lp"] })
    )
  })
})

/**
 * Port forwards through the MCP tools: list_live rows (Kind.listing) of the simulator's port
 * forwards, and propose_change upserting one by kind, whose branch plans it as a create.
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { endpoint, forwardSpec } from "../support/port-forward.ts"
import { callOk, git, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: false })

describe("port forwards over MCP", () => {
  it("list_live shows the firewall's port forwards, one flat row each", async () => {
    await Effect.runPromise(Effect.provide(
      Opnsense.use((c) =>
        c.port_forwards.create(
          forwardSpec({
            destination: endpoint(["wanip"], "8443"),
            target: "192.168.1.20",
            filterRule: "manual",
            description: "Web server"
          }),
          "",
          { sequence: 10 }
        )
      ),
      layerSimulator(mcp.stack.sim, { cacheTtlSeconds: 0 }).pipe(Layer.provide(NodeServices.layer))
    ))
    const live = await callOk(mcp.client, "list_live", { kind: "port_forward" })
    expect(live["matching"]).toBe(1)
    const [row] = live["items"] as ReadonlyArray<Record<string, unknown>>
    expect(row).toMatchObject({
      name: "Web server",
      managed: false,
      origin: "mvc",
      sequence: 10,
      enabled: true,
      interfaces: ["wan"],
      protocol: "TCP",
      target: "192.168.1.20",
      localPort: "443"
    })
  })

  it("propose_change upserts a port forward by kind; the branch plans it as a create", async () => {
    const proposal = await callOk(mcp.client, "propose_change", {
      summary: "Forward the camera recorder",
      reason: "remote viewing",
      edits: [{
        op: "upsert",
        kind: "port_forward",
        name: "nvr",
        value: {
          interface: "wan",
          protocol: "tcp",
          destination: { address: "wanip", port: 7443 },
          target: "10.30.0.20",
          local_port: 443
        }
      }]
    }) as { branch: string; plan?: { changes: ReadonlyArray<{ action: string; kind: string; name: string }> } }
    const files = git(mcp.stack.root, "show", "--name-only", "--format=", proposal.branch)
    expect(files).toContain("desired-state/")
    const changed = files.split("\n").find((f) => f.endsWith(".yaml")) ?? ""
    const yaml = git(mcp.stack.root, "show", `${proposal.branch}:${changed}`)
    expect(yaml).toContain("port_forwards:")
    expect(yaml).toContain("name: nvr")
    expect(proposal.plan?.changes.filter((c) => c.kind === "port_forward").map((c) => `${c.action} ${c.name}`))
      .toEqual(["create nvr"])
  })
})

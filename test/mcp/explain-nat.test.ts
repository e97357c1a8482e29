/**
 * explain_traffic through destination NAT over MCP HTTP: an inbound packet to the WAN address
 * names the port forward that translates it and the rule that decides the translated packet, on
 * the desired state and on the live firewall (the simulator's port forwards over real HTTP).
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { Opnsense } from "../../src/Opnsense.ts"
import { layerSimulator } from "../../src/Opnsense/Layer.ts"
import { endpoint, forwardSpec } from "../support/port-forward.ts"
import { callTool, resultText, structuredOf, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: true }, (stack) => {
  fs.writeFileSync(
    path.join(stack.dir, "nat.yaml"),
    [
      "port_forwards:",
      "  - name: nvr",
      "    interface: wan",
      "    protocol: tcp",
      "    destination: { address: 203.0.113.2, port: 7443 }",
      "    target: 10.30.0.20",
      "    local_port: 443",
      "rules:",
      "  - name: wan-to-nvr",
      "    interface: wan",
      "    action: pass",
      "    protocol: tcp",
      "    destination: { address: 10.30.0.20, port: 443 }",
      "    log: true",
      ""
    ].join("\n")
  )
})

const packet = { src: "198.51.100.7", dst: "203.0.113.2", proto: "tcp", port: 7443, interface: "wan" }

describe("explain_traffic through port forwards", () => {
  it("names the port forward and the deciding rule on the desired state", async () => {
    const result = await callTool(mcp.client, "explain_traffic", packet)
    const e = structuredOf(result)
    expect(e["translation"]).toMatchObject({
      outcome: "translated",
      forward: "nvr",
      destination: "10.30.0.20",
      destinationPort: 443,
      source: { file: "nat.yaml", line: 2 }
    })
    expect(e["decision"]).toBe("pass")
    expect(e["decidedBy"]).toMatchObject({ kind: "rule", rule: "wan-to-nvr", source: { file: "nat.yaml", line: 9 } })
    const text = resultText(result)
    expect(text).toContain("translated by port forward \"nvr\" to 10.30.0.20:443")
    expect(text).toContain("PASS by wan-to-nvr")
  })

  it("reads the live firewall's port forwards (origin live)", async () => {
    // the stack's simulator starts without unmanaged objects: put one port forward on it
    await Effect.runPromise(Effect.provide(
      Opnsense.use((c) =>
        c.port_forwards.create(
          forwardSpec({
            destination: endpoint(["wanip"], "7443"),
            target: "192.168.1.20",
            filterRule: "pass",
            description: "Web server"
          }),
          "",
          { sequence: 1 }
        )
      ),
      layerSimulator(mcp.stack.sim, { cacheTtlSeconds: 0 }).pipe(Layer.provide(NodeServices.layer))
    ))
    const e = structuredOf(await callTool(mcp.client, "explain_traffic", { ...packet, origin: "live" }))
    expect(e["translation"]).toMatchObject({ outcome: "translated", destination: "192.168.1.20", filterRule: "pass" })
    expect(e["decision"]).toBe("pass")
    expect(e["decidedBy"]).toMatchObject({ kind: "port-forward", rule: "Web server" })
  })
})

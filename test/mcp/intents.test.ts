/**
 * Intents over MCP: `check_intents` checks the site's intents (or ad-hoc ones) against the desired
 * rules, a plan and the live rules; `lint` and `plan` carry the intents' results in their structured
 * content.
 */
import type { Client } from "@modelcontextprotocol/client"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  callTool,
  connectHttp,
  type HttpServer,
  resultText,
  type Stack,
  startHttp,
  startStack,
  structuredOf
} from "./harness.ts"

let stack: Stack
let server: HttpServer
let client: Client

const INTENTS = `intents:
  - name: staff-reach-dns
    from: staff_net
    to: dns_resolvers
    protocol: udp
    port: 53
    interface: lan
    expect: pass
  - name: staff-no-ssh
    from: staff_net
    to: 10.0.0.0/24
    protocol: tcp
    port: 22
    interface: lan
    expect: block
`

// a port forward no rule passes: its translated traffic meets the default deny
const FORWARD = `port_forwards:
  - name: nvr
    interface: wan
    protocol: tcp
    destination: { address: wanip, port: 7443 }
    target: 10.30.0.20
    local_port: 443
`

beforeAll(async () => {
  stack = await startStack()
  fs.writeFileSync(path.join(stack.dir, "intents.yaml"), INTENTS)
  fs.writeFileSync(path.join(stack.dir, "nat.yaml"), FORWARD)
  server = await startHttp(stack)
  client = await connectHttp(server, { era: "modern" })
})

afterAll(async () => {
  await client?.close()
  await server?.close()
  await stack?.close()
})

interface Result {
  readonly intent: { readonly name: string }
  readonly verdict: string
  readonly message: string
  readonly decidedBy?: { readonly rule: string }
}

const ok = async (name: string, args: Record<string, unknown>) => {
  const result = await callTool(client, name, args)
  return { structured: structuredOf(result), text: resultText(result) }
}

const verdicts = (results: unknown) => (results as ReadonlyArray<Result>).map((r) => [r.intent.name, r.verdict])

describe("check_intents", () => {
  it("checks the site's intents against the desired rules by default", async () => {
    const { structured, text } = await ok("check_intents", {})
    expect(structured["against"]).toBe("desired")
    expect(structured["counts"]).toEqual({ held: 2, violated: 0, unknown: 0 })
    expect(verdicts(structured["results"])).toEqual([["staff-reach-dns", "held"], ["staff-no-ssh", "held"]])
    expect(text).toContain("2 held, 0 violated, 0 unknown")
  })

  it("answers ad-hoc intents, naming the rule that breaks one", async () => {
    const { structured, text } = await ok("check_intents", {
      intents: [{
        name: "staff-web",
        from: "staff_net",
        to: "198.51.100.1",
        protocol: "tcp",
        port: 443,
        interface: "lan",
        expect: "pass"
      }]
    })
    const [result] = structured["results"] as ReadonlyArray<Result>
    expect(result).toMatchObject({ verdict: "violated", decidedBy: { rule: "staff-block-rest" } })
    expect(text).toContain("intent staff-web violated")
  })

  it("checks a plan (fresh, or stored by planId) and the live rules", async () => {
    const planned = await ok("check_intents", { against: "plan" })
    expect(planned.structured["planId"]).toMatch(/^[0-9a-f]{64}$/)
    expect(planned.structured["counts"]).toEqual({ held: 2, violated: 0, unknown: 0 })
    const again = await ok("check_intents", { against: "plan", planId: planned.structured["planId"] })
    expect(again.structured["counts"]).toEqual({ held: 2, violated: 0, unknown: 0 })
    const live = await ok("check_intents", { against: "live" })
    expect(live.structured["against"]).toBe("live")
    // nothing is applied yet: the staff rules are not on the firewall, so DNS is not passed there
    expect(verdicts(live.structured["results"])).toContainEqual(["staff-reach-dns", "violated"])
  })

  it("checks a packet to the WAN address after the port forward translates it", async () => {
    // against the plan: the firewall's interface list says what wanip is
    const { structured, text } = await ok("check_intents", {
      against: "plan",
      intents: [{
        name: "nvr-published",
        from: "any",
        to: "wanip",
        protocol: "tcp",
        port: 7443,
        interface: "wan",
        expect: "pass"
      }]
    })
    const [result] = structured["results"] as ReadonlyArray<Result & { readonly translation?: unknown }>
    expect(result).toMatchObject({
      verdict: "violated",
      packet: { destination: "203.0.113.2", destinationPort: 7443 },
      translation: { kind: "port_forward", forward: "nvr", destination: "10.30.0.20", destinationPort: 443 }
    })
    expect(text).toContain("translated by port forward")
  })

  it("lint and plan carry the intents' results", async () => {
    const lint = await ok("lint", {})
    expect(verdicts(lint.structured["intents"])).toEqual([["staff-reach-dns", "held"], ["staff-no-ssh", "held"]])
    const liveLint = await ok("lint", { origin: "live" })
    expect(liveLint.structured["findings"] as ReadonlyArray<{ code: string; name?: string }>).toContainEqual(
      expect.objectContaining({ code: "intent-violated", name: "staff-reach-dns" })
    )
    const plan = await ok("plan", {})
    expect(verdicts(plan.structured["intents"])).toEqual([["staff-reach-dns", "held"], ["staff-no-ssh", "held"]])
    expect(plan.text).toContain("Intents: 2 held, 0 violated, 0 unknown.")
  })
})

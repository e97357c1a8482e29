/**
 * The agent's GitOps loop over HTTP (read-write server), against the simulator and a temporary git
 * repository: propose a change → commit on a branch → a person merges → plan → apply with
 * confirmation; and the refusals on the way (path escape, missing confirmation, stale and blocked
 * plans, a declined elicitation).
 */
import type { Client } from "@modelcontextprotocol/client"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { callOk, callTool, connectHttp, git, resultText, useHttpStack } from "./harness.ts"

const mcp = useHttpStack({ readOnly: false })

const text = resultText
const call = (name: string, args: Record<string, unknown>, via: Client = mcp.client) => callTool(via, name, args)
const ok = (name: string, args: Record<string, unknown>, via: Client = mcp.client) => callOk(via, name, args)

interface PlanLike {
  readonly planId: string
  readonly summary: { readonly create: number; readonly update: number; readonly delete: number }
  readonly changes: ReadonlyArray<unknown>
}

const writes = () => mcp.stack.sim.requests.count((e) => e.method === "POST" && !/search|get|status/.test(e.endpoint))

describe("propose → merge → plan → apply", () => {
  let proposal: { branch: string; commit: string; plan?: PlanLike }

  it("proposes a change as a commit on a new branch, leaving the checkout alone", async () => {
    const before = writes()
    proposal = (await ok("propose_change", {
      summary: "Add the iot VLAN with DNS access",
      reason: "IoT devices move to their own segment; they only need DNS.",
      edits: [
        { op: "upsert", kind: "vlan", name: "iot", value: { parent: "igb1", tag: 30, description: "IoT devices" } },
        { op: "upsert", kind: "alias", name: "iot_net", value: { type: "network", content: ["10.30.0.0/24"] } },
        {
          op: "upsert",
          kind: "rule",
          name: "iot-dns",
          before: "staff-block-rest",
          value: {
            interface: "lan",
            action: "pass",
            protocol: "udp",
            source: "iot_net",
            destination: { address: "dns_resolvers", port: 53 }
          }
        }
      ]
    })) as typeof proposal
    expect(proposal.branch).toMatch(/^mcp\/add-the-iot-vlan-with-dns-access-\d{14}$/)
    expect(git(mcp.stack.root, "rev-parse", proposal.branch)).toBe(proposal.commit)
    const message = git(mcp.stack.root, "log", "-1", "--format=%an|%B", proposal.branch)
    expect(message).toContain("MCP Agent|Add the iot VLAN with DNS access")
    expect(message).toContain("they only need DNS")
    // comments and formatting of untouched lines survive; the new rule sits where it was asked
    const vlans = git(mcp.stack.root, "show", `${proposal.branch}:desired-state/vlans.yaml`)
    expect(vlans).toContain("# VLANs on the switch uplink. Keep tags in sync with the switch config!")
    expect(vlans).toContain("description: Staff workstations # the office floor")
    expect(vlans).toContain("name: iot")
    const rules = git(mcp.stack.root, "show", `${proposal.branch}:desired-state/rules.yaml`)
    expect(rules.indexOf("iot-dns")).toBeLessThan(rules.indexOf("staff-block-rest"))
    expect(rules).toContain("# everything else from staff is logged")
    // the plan the branch would produce; nothing written to the firewall, the checkout untouched
    expect(proposal.plan?.summary).toEqual({ create: 8, update: 0, delete: 0 })
    expect(writes()).toBe(before)
    expect(git(mcp.stack.root, "symbolic-ref", "--short", "HEAD")).toBe("main")
    expect(git(mcp.stack.root, "status", "--porcelain")).toBe("")
    expect(fs.readFileSync(path.join(mcp.stack.dir, "vlans.yaml"), "utf8")).not.toContain("iot")
  })

  it("plan://latest shows the checkout's newest plan, not a proposal branch's made after it", async () => {
    const checkout = { planId: (await ok("plan", {}))["planId"] }
    const branch = (await ok("propose_change", {
      summary: "Add the lab alias",
      reason: "the lab hosts",
      edits: [{ op: "upsert", kind: "alias", name: "lab_hosts", value: { type: "host", content: ["10.40.0.5"] } }]
    })) as { plan?: PlanLike }
    expect(branch.plan?.planId).toBeDefined()
    expect(branch.plan?.planId).not.toBe(checkout.planId)
    const resource = await mcp.client.readResource({ uri: "plan://latest/default" })
    const shown = JSON.parse(String((resource.contents[0] as { text?: string }).text)) as PlanLike
    expect(shown.planId).toBe(checkout.planId)
  })

  it("refuses edits whose paths escape the desired state, and leaves no branch behind", async () => {
    const branches = git(mcp.stack.root, "branch", "--list")
    for (const file of ["../../outside.yaml", "/etc/passwd.yaml", "sub/../../../x.yaml"]) {
      const result = await call("propose_change", {
        summary: "Sneaky write",
        reason: "testing the path guard",
        edits: [{ op: "patch", file, path: ["vlans"], value: [] }]
      })
      expect(result.isError, file).toBe(true)
      expect(text(result)).toMatch(/PathEscape: path ".*" (escapes|is absolute)/)
    }
    expect(git(mcp.stack.root, "branch", "--list")).toBe(branches)
    expect(fs.existsSync(path.join(mcp.stack.root, "outside.yaml"))).toBe(false)
  })

  it("refuses a change that does not validate, with the errors", async () => {
    const result = await call("propose_change", {
      summary: "Broken VLAN",
      reason: "tag out of range",
      edits: [{ op: "upsert", kind: "vlan", name: "bad", value: { parent: "igb1", tag: 9999 } }]
    })
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/does not validate.*\n.*vlans\.yaml:\d+/)
  })

  it("applies the merged proposal's plan only with confirmation", async () => {
    git(mcp.stack.root, "merge", "--quiet", "--ff-only", proposal.branch)
    const plan = (await ok("plan", {})) as unknown as PlanLike
    // same desired state and live firewall → the plan the proposal announced
    expect(plan.planId).toBe(proposal.plan?.planId)

    const unconfirmed = await call("apply_plan", { planId: plan.planId })
    expect(unconfirmed.isError).toBe(true)
    expect(text(unconfirmed)).toContain(`"confirm": true, "summary": "create 8, update 0, delete 0"`)
    const wrongSummary = await call("apply_plan", {
      planId: plan.planId,
      confirm: true,
      summary: "create 1, update 0, delete 0"
    })
    expect(wrongSummary.isError).toBe(true)
    expect(writes()).toBe(0)

    const report = await ok("apply_plan", {
      planId: plan.planId,
      confirm: true,
      summary: "create 8, update 0, delete 0"
    })
    expect(report["result"]).toBe("applied")
    expect(writes()).toBeGreaterThan(0)
    const again = (await ok("plan", {})) as unknown as PlanLike
    expect(again.changes).toHaveLength(0)

    const live = await ok("list_live", { kind: "vlan", filter: { managed: true } })
    expect(live["matching"]).toBe(2)
  })

  it("refuses a stale plan", async () => {
    fs.appendFileSync(
      path.join(mcp.stack.dir, "aliases.yaml"),
      "  - name: printers\n    type: host\n    content: [10.10.0.9]\n"
    )
    const stalePlan = (await ok("plan", {})) as unknown as PlanLike
    fs.appendFileSync(
      path.join(mcp.stack.dir, "aliases.yaml"),
      "  - name: scanners\n    type: host\n    content: [10.10.0.10]\n"
    )
    const result = await call("apply_plan", {
      planId: stalePlan.planId,
      confirm: true,
      summary: "create 1, update 0, delete 0"
    })
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/is stale: the firewall or the desired state changed/)
    git(mcp.stack.root, "checkout", "--quiet", "--", "desired-state/aliases.yaml")
  })

  it("refuses a plan with blocked changes", async () => {
    fs.appendFileSync(
      path.join(mcp.stack.dir, "aliases.yaml"),
      "  - name: printers\n    type: host\n    content: [10.10.0.9]\n"
    )
    const plan = (await ok("plan", {})) as unknown as PlanLike & Record<string, unknown>
    // a stored plan the lockout guard marked: refused before anyone is asked
    const file = path.join(mcp.stack.dataDir, "plans", `${plan.planId}.json`)
    const stored = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...stored,
        blocked: [{ kind: "rule", name: "mgmt", action: "delete", reason: "removes management access" }]
      })
    )
    const result = await call("apply_plan", {
      planId: plan.planId,
      confirm: true,
      summary: "create 1, update 0, delete 0"
    })
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/has blocked changes \(delete rule mgmt: removes management access\)/)
    git(mcp.stack.root, "checkout", "--quiet", "--", "desired-state/aliases.yaml")
  })

  it("asks the user through elicitation when the client can, and stops when they decline", async () => {
    fs.appendFileSync(
      path.join(mcp.stack.dir, "aliases.yaml"),
      "  - name: printers\n    type: host\n    content: [10.10.0.9]\n"
    )
    const asked: Array<string> = []
    const decliner = await connectHttp(mcp.server, {
      era: "modern",
      elicit: (m) => (asked.push(m), { action: "decline" })
    })
    const accepter = await connectHttp(mcp.server, {
      era: "modern",
      elicit: (m) => (asked.push(m), { action: "accept", content: { confirm: true } })
    })
    try {
      const plan = (await ok("plan", {}, decliner)) as unknown as PlanLike
      const declined = await call("apply_plan", { planId: plan.planId }, decliner)
      expect(declined.isError).toBe(true)
      expect(text(declined)).toContain("the user did not confirm")
      const applied = await ok("apply_plan", { planId: plan.planId }, accepter)
      expect(applied["result"]).toBe("applied")
      expect(asked).toHaveLength(2)
      expect(asked[0]).toContain("create 1, update 0, delete 0")
      expect(asked[0]).toContain("+ alias printers")
    } finally {
      await decliner.close()
      await accepter.close()
      git(mcp.stack.root, "checkout", "--quiet", "--", "desired-state/aliases.yaml")
    }
  })

  it("records every write-tool call in the audit log", async () => {
    const log = await ok("audit_log", { limit: 50 })
    const mcp = log["mcp"] as ReadonlyArray<{ tool: string; outcome: string; detail: string }>
    expect(mcp.filter((e) => e.tool === "propose_change" && e.outcome === "ok")).toHaveLength(2)
    expect(mcp.some((e) => e.tool === "propose_change" && e.outcome === "error" && e.detail.includes("PathEscape")))
      .toBe(true)
    expect(mcp.filter((e) => e.tool === "apply_plan" && e.outcome === "ok")).toHaveLength(2)
    expect(mcp.some((e) => e.tool === "apply_plan" && e.outcome === "refused")).toBe(true)
    const applies = log["applies"] as ReadonlyArray<{ action: string; actor: string }>
    expect(applies.filter((e) => e.action === "apply")).toHaveLength(2)
    expect(applies[0]?.actor).toBe("test-agent")
  })
})

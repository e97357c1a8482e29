/**
 * Rules someone made on the firewall with an ownership marker they have no right to: a copy of a
 * managed rule's marker, and a marker naming a rule we never managed. The plan deletes both (as
 * orphans of the identity); drift must report the same objects, and exit 2, instead of "No drift".
 * A rule we created and whose item then left the desired state is a pending delete, not drift.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DriftReport } from "../../src/Domain/Reports.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"
import { createMarkedRuleOutOfBand } from "../support/firewall.ts"
import { TREE } from "./harness.ts"

let sim: SimulatorHandle
let root: string
const rulesFile = () => join(root, "desired-state", "20-rules.yaml")

const cli = (...args: ReadonlyArray<string>) =>
  runCli([...args, "--dir", join(root, "desired-state")], { sim, dataDir: join(root, "data") })

/** A copy of the managed rule `copyOf`, made through the API with the marker `owner`. */
const forgeRule = (copyOf: string, owner: string) =>
  createMarkedRuleOutOfBand(sim, { copyOf, description: "allow all" }, owner)

beforeAll(async () => {
  sim = await startSimulator({ version: "26.7" })
  root = mkdtempSync(join(tmpdir(), "forged-markers-"))
  cpSync(TREE, join(root, "desired-state"), { recursive: true })
})
afterAll(async () => {
  await sim.close()
  rmSync(root, { recursive: true, force: true })
})

describe("forged ownership markers", () => {
  let duplicate: string
  let ghost: string

  it("start from an applied, drift-free firewall", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0)
    expect((await cli("drift")).code).toBe(0)
  })

  it("drift lists the objects plan deletes, as forged, and exits 2", async () => {
    duplicate = await forgeRule("iot-web", "iot-web")
    ghost = await forgeRule("iot-web", "vpn-admin-bypass")
    const plan = await cli("plan", "--json")
    const deletes = (JSON.parse(plan.stdout) as { changes: Array<{ action: string; uuid?: string }> }).changes
      .filter((c) => c.action === "delete").map((c) => c.uuid).sort()
    expect(deletes).toEqual([duplicate, ghost].sort())

    const json = await cli("drift", "--json")
    expect(json.code).toBe(2)
    const [report] = [JSON.parse(json.stdout)].flat() as Array<DriftReport>
    expect(report?.hasDrift).toBe(true)
    expect(report?.unclaimed.map((u) => u.uuid).sort()).toEqual(deletes)
    expect(report?.unclaimed.find((u) => u.uuid === duplicate)).toMatchObject({
      kind: "rule",
      name: "iot-web",
      label: "allow all",
      forged: true,
      why: expect.stringContaining("same ownership marker")
    })
    expect(report?.unclaimed.find((u) => u.uuid === ghost)).toMatchObject({ name: "vpn-admin-bypass", forged: true })

    const text = await cli("drift")
    expect(text.code).toBe(2)
    expect(text.stdout).toContain(`rule allow all ${duplicate} carries a forged ownership marker [gitops:iot-web]`)
    expect(text.stdout).toContain(`carries a forged ownership marker [gitops:vpn-admin-bypass]`)
    expect(text.stdout).not.toContain("No drift")
  })

  it("a managed rule removed from the desired state is a pending delete, not drift", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0)
    expect((await cli("drift")).code).toBe(0)
    // drop icmp-everywhere (the last rule of the file) from the YAML
    const yaml = readFileSync(rulesFile(), "utf8")
    writeFileSync(rulesFile(), yaml.slice(0, yaml.indexOf("  - name: icmp-everywhere")))
    const drift = await cli("drift", "--json")
    expect(drift.code).toBe(0)
    const [report] = [JSON.parse(drift.stdout)].flat() as Array<DriftReport>
    expect(report?.unclaimed).toMatchObject([{ kind: "rule", name: "icmp-everywhere", forged: false }])
    expect((await cli("drift")).stdout).toContain("(pending delete, not drift)")
  })
})

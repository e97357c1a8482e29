/**
 * An empty or wrong desired-state directory plans to delete everything the site manages; apply
 * refuses that plan unless destroying is asked for (--allow-destroy), as Terraform separates destroy.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"

let sim: SimulatorHandle
let root: string

beforeAll(async () => {
  sim = await startSimulator({ version: "26.7", unmanaged: false })
  root = mkdtempSync(join(tmpdir(), "destroy-"))
  mkdirSync(join(root, "full"))
  mkdirSync(join(root, "empty"))
  writeFileSync(
    join(root, "full", "aliases.yaml"),
    "aliases:\n  - { name: web, type: host, content: [10.0.0.1] }\n  - { name: db, type: host, content: [10.0.0.2] }\n"
  )
})
afterAll(async () => {
  await sim.close()
})

const cli = (dir: string, ...args: ReadonlyArray<string>) =>
  runCli([...args, "--dir", join(root, dir)], { sim, dataDir: join(root, "data") })

const writes = () => sim.requests.count((e) => e.method === "POST" && /(add|set|del)_item|import/.test(e.endpoint))

describe("a plan that deletes everything the site manages", () => {
  it("is flagged, names the directory read, and is refused without --allow-destroy", async () => {
    expect((await cli("full", "apply", "--auto-approve")).code).toBe(0)

    const plan = await cli("empty", "plan", "--json")
    expect(plan.code).toBe(0)
    const document = JSON.parse(plan.stdout) as { destroysAll?: boolean; warnings: ReadonlyArray<string> }
    expect(document.destroysAll).toBe(true)
    expect(document.warnings.join("\n")).toContain("deletes all 2 objects")
    expect(plan.stderr).toContain(`read from ${join(root, "empty")}`)

    const before = writes()
    const refused = await cli("empty", "apply", "--auto-approve")
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain("--allow-destroy")
    expect(writes()).toBe(before)

    const allowed = await cli("empty", "apply", "--auto-approve", "--allow-destroy")
    expect(allowed.code).toBe(0)
    expect([...sim.state.aliases.entries()].some(([, a]) => a["name"] === "web")).toBe(false)
  })

  it("is not flagged when the desired state keeps something", async () => {
    expect((await cli("full", "apply", "--auto-approve")).code).toBe(0)
    writeFileSync(join(root, "full", "aliases.yaml"), "aliases:\n  - { name: web, type: host, content: [10.0.0.1] }\n")
    const plan = await cli("full", "plan", "--json")
    expect((JSON.parse(plan.stdout) as { destroysAll?: boolean }).destroysAll).toBeUndefined()
    expect((await cli("full", "apply", "--auto-approve")).code).toBe(0)
  })
})

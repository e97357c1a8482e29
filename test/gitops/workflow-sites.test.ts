/**
 * Several sites through the workflow steps: `plan --out` writes an array for more than one site,
 * which `apply --plan` cannot read; the plan job's `split-plan` step writes one file per site and
 * each site's apply job applies its own. Two simulators over HTTPS stand in for two firewalls.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { main } from "../../.github/scripts/gitops.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { runCli } from "../support/cli.ts"
import { makeRepo, type Repo } from "./repo.ts"

let edge: SimulatorHandle
let core: SimulatorHandle
let repo: Repo

const site = (name: string, sim: SimulatorHandle) =>
  [
    `  - name: ${name}`,
    `    url: ${sim.url}`,
    `    api_key_env: ${name.toUpperCase()}_KEY`,
    `    api_secret_env: ${name.toUpperCase()}_SECRET`,
    ...(sim.caFile === undefined ? [] : [`    ca_file: ${sim.caFile}`])
  ].join("\n")

const alias = (name: string, address: string) =>
  `aliases:\n  - name: ${name}\n    type: host\n    content: [${address}]\n`

beforeAll(async () => {
  edge = await startSimulator({ version: "26.7" })
  core = await startSimulator({ version: "26.7" })
  repo = makeRepo(edge)
  repo.write("desired-state/sites.yaml", `sites:\n${site("edge", edge)}\n${site("core", core)}\n`)
  repo.write("desired-state/edge/aliases.yaml", alias("edge_ntp", "10.1.0.123"))
  repo.write("desired-state/core/aliases.yaml", alias("core_ntp", "10.2.0.123"))
}, 60_000)
afterAll(async () => {
  await edge.close()
  await core.close()
  repo.close()
})

const keys = () => ({
  EDGE_KEY: edge.apiKey,
  EDGE_SECRET: edge.apiSecret,
  CORE_KEY: core.apiKey,
  CORE_SECRET: core.apiSecret
})
/** one CI job in the repository root with a DATA_DIR of its own and every site's key variables */
const job = (name: string) => (...args: ReadonlyArray<string>) =>
  runCli(args, { sim: edge, dataDir: join(repo.root, ".data", name), cwd: repo.root, env: keys() })
const aliasNames = (sim: SimulatorHandle) => [...sim.state.aliases.values()].map((a) => a["name"])

describe("several sites: one plan file and one apply per site", () => {
  it("plan --out holds both sites; split-plan writes plans/<site>.json that apply --plan accepts", async () => {
    const plan1 = job("plan")
    const plan = await plan1("plan", "--out", "plan.json", "--detailed-exitcode")
    expect(plan.code, plan.stderr).toBe(2)
    const document: unknown = JSON.parse(repo.read("plan.json"))
    expect(Array.isArray(document)).toBe(true)

    // the array as it is cannot be applied: the reason for the split
    const whole = await job("apply-whole")("apply", "--plan", "plan.json", "--auto-approve")
    expect(whole.code).not.toBe(0)
    expect(aliasNames(edge)).not.toContain("edge_ntp")

    const out = mkdtempSync(join(tmpdir(), "split-output-"))
    writeFileSync(join(out, "o"), "")
    const saved = process.env["GITHUB_OUTPUT"]
    process.env["GITHUB_OUTPUT"] = join(out, "o")
    try {
      expect(main(["split-plan", join(repo.root, "plan.json"), join(repo.root, "plans")])).toBe(0)
    } finally {
      if (saved === undefined) delete process.env["GITHUB_OUTPUT"]
      else process.env["GITHUB_OUTPUT"] = saved
    }
    expect(readFileSync(join(out, "o"), "utf8")).toContain("sites=[\"edge\",\"core\"]")
    rmSync(out, { recursive: true, force: true })

    // one apply job per site, each with its own plan file
    for (const name of ["edge", "core"]) {
      const r = await job(`apply-${name}`)("apply", "--plan", `plans/${name}.json`, "--auto-approve")
      expect(r.code, r.stderr).toBe(0)
    }
    expect(aliasNames(edge)).toContain("edge_ntp")
    expect(aliasNames(edge)).not.toContain("core_ntp")
    expect(aliasNames(core)).toContain("core_ntp")
    expect((await job("after")("plan", "--detailed-exitcode")).code).toBe(0)
  })
})

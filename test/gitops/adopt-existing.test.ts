/**
 * Import into a desired state that already holds some of the firewall's objects, in files of its
 * own naming (network.yaml, filter.yaml) with comments: only the missing objects are written, into
 * those files beside their kind, existing items and comments untouched, rules at their live place;
 * the tree validates and the plan after it only adopts (ownership markers), through the CLI
 * (`import --out`, `import --commit`) and MCP `import_live`.
 */
import type { Client } from "@modelcontextprotocol/client"
import { Schema } from "effect"
import * as fs from "node:fs"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Document, isMap, isSeq, parseDocument } from "yaml"
import { type Plan, Plan as PlanSchema } from "../../src/Domain/Plan.ts"
import type { ImportResult } from "../../src/Domain/Reports.ts"
import { kindNames } from "../../src/Kinds/Registry.ts"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import {
  callTool,
  connectHttp,
  git as mcpGit,
  type HttpServer,
  resultText,
  type Stack,
  startHttp,
  startStack,
  structuredOf
} from "../mcp/harness.ts"
import { post } from "../simulator/helpers.ts"
import { runCli } from "../support/cli.ts"
import { makeRepo, type Repo } from "./repo.ts"

/**
 * The kinds these tests adopt: the sandbox's other objects (its WAN gateway, interface
 * assignments and port forward) are imported by the tests of their own kinds.
 */
const CORE_KINDS = ["--kind", "vlan,alias,rule"] as const

/** Objects made by hand on the firewall; rules in this (sequence) order. */
const populate = async (sim: SimulatorHandle) => {
  const ok = (r: { body: unknown }) => expect(JSON.stringify(r.body)).toContain("saved")
  for (const [tag, description] of [["201", "guest wifi"], ["202", "cameras"]] as const) {
    ok(await post(sim, "/api/interfaces/vlan_settings/add_item", { vlan: { if: "igb1", tag, descr: description } }))
  }
  for (
    const [name, address] of [["web_servers", "192.0.2.10"], ["mail_servers", "192.0.2.25"], [
      "dns_servers",
      "192.0.2.53"
    ]] as const
  ) {
    ok(await post(sim, "/api/firewall/alias/add_item", { alias: { name, type: "host", content: address } }))
  }
  const rules = [
    { sequence: "10", protocol: "TCP", destination_port: "443", description: "https out" },
    { sequence: "20", protocol: "UDP", destination_port: "53", description: "dns out" },
    { sequence: "30", action: "block", protocol: "TCP", destination_port: "23", description: "no telnet" },
    { sequence: "40", protocol: "ICMP", description: "ping" },
    { sequence: "50", action: "block", description: "block the rest" }
  ]
  for (const rule of rules) {
    ok(await post(sim, "/api/firewall/filter/add_rule", { rule: { interface: "lan", ...rule } }))
  }
}

interface Items {
  readonly vlans: ReadonlyArray<Record<string, unknown>>
  readonly aliases: ReadonlyArray<Record<string, unknown>>
  readonly rules: ReadonlyArray<Record<string, unknown>>
}

/** The items of every file of an import, by kind, in file order. */
const itemsOf = (files: ReadonlyArray<{ readonly content: string }>): Items => {
  const all: Record<keyof Items, Array<Record<string, unknown>>> = { vlans: [], aliases: [], rules: [] }
  for (const file of files) {
    const content: unknown = parseDocument(file.content).toJS()
    for (const kind of ["vlans", "aliases", "rules"] as const) {
      const list: unknown = typeof content === "object" && content !== null ? Reflect.get(content, kind) : undefined
      if (Array.isArray(list)) all[kind].push(...list.filter((i): i is Record<string, unknown> => isRecord(i)))
    }
  }
  return all
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const names = (items: ReadonlyArray<Record<string, unknown>>) => items.map((i) => String(i["name"]))

/**
 * A hand-kept tree holding some of the live objects: the first VLAN, two of the three aliases and
 * the 2nd and 4th rule, with comments. Missing: a VLAN, an alias, the first rule (no desired rule
 * before it), the 3rd (between two desired ones) and the last.
 */
const partialTree = (full: Items) => {
  const pick = <A>(list: ReadonlyArray<A>, indexes: ReadonlyArray<number>) =>
    indexes.flatMap((i) => (list[i] === undefined ? [] : [list[i]]))
  const network = new Document({
    vlans: pick(full.vlans, [0]),
    aliases: full.aliases.filter((a) => a["name"] !== "mail_servers")
  })
  network.commentBefore = " Network objects, kept by hand"
  const vlans = network.get("vlans", true)
  const first = isSeq(vlans) ? vlans.items[0] : undefined
  if (isMap(first)) first.commentBefore = " the guest network"
  const filter = new Document({ rules: pick(full.rules, [1, 3]) })
  filter.commentBefore = " Evaluated in this order"
  return {
    "network.yaml": network.toString().replace("tag: 201", "tag: 201 # switch port 7"),
    "filter.yaml": filter.toString()
  }
}

const expectAdoptedInto = (
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
  full: Items
) => {
  // every line of the hand-kept files is still there, comments included
  for (const [path, text] of Object.entries(before)) {
    const lines = new Set(after[path]?.split("\n"))
    for (const line of text.split("\n")) expect(lines.has(line), `${path}: ${line}`).toBe(true)
  }
  expect(after["network.yaml"]).toContain("tag: 201 # switch port 7")
  const items = itemsOf(Object.values(after).map((content) => ({ content })))
  expect(names(items.vlans).sort()).toEqual(names(full.vlans).sort())
  expect(names(items.aliases).sort()).toEqual(names(full.aliases).sort())
  // rules in live order, each imported one at its place between the hand-kept ones
  expect(names(items.rules)).toEqual(names(full.rules))
  expect(items.rules).toEqual(full.rules)
}

/** Every change of the plan only adds an ownership marker to an object the tree already held. */
const expectAdoptionOnly = (plan: Plan, count: number) => {
  expect(plan.summary).toEqual({ create: 0, update: count, delete: 0 })
  expect(plan.changes.every((c) => c.reason?.startsWith("adopt") === true)).toBe(true)
  expect(plan.changes.every((c) => c.diff?.every((d) => d.path === "owner") === true)).toBe(true)
}

describe("import into an existing desired state (CLI)", () => {
  let sim: SimulatorHandle
  let repo: Repo
  let full: Items
  let before: Record<string, string>

  beforeAll(async () => {
    sim = await startSimulator({ version: "26.7", unmanaged: false })
    await populate(sim)
    repo = makeRepo(sim)
    const listed = await repo.job("look")("import", "--json", ...CORE_KINDS)
    expect(listed.code, listed.stderr).toBe(0)
    const result: ImportResult = JSON.parse(listed.stdout)
    full = itemsOf(result.files)
    expect([full.vlans.length, full.aliases.length, full.rules.length]).toEqual([2, 3, 5])
    before = partialTree(full)
    for (const [path, text] of Object.entries(before)) repo.write(`desired-state/${path}`, text)
    repo.git("add", "--all")
    repo.git("commit", "--quiet", "-m", "Hand-kept desired state")
  })
  afterAll(async () => {
    await sim.close()
    repo.close()
  })

  it("import --out the desired state writes only the missing objects, into the files holding their kind", async () => {
    const local = repo.job("workstation")
    const r = await local("import", "--out", "desired-state", ...CORE_KINDS)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain("imported 1 vlans, 1 aliases, 3 rules")
    expect(r.stderr).toContain("already in the desired state")
    expect(readdirSync(join(repo.root, "desired-state")).sort()).toEqual(["filter.yaml", "network.yaml"])
    const after = {
      "network.yaml": repo.read("desired-state/network.yaml"),
      "filter.yaml": repo.read("desired-state/filter.yaml")
    }
    expectAdoptedInto(before, after, full)
    expect((await local("validate")).code).toBe(0)
    // the imported objects are recorded; the hand-kept ones are adopted by key, as before the import
    const planned = await local("plan", "--json")
    expect(planned.code, planned.stderr).toBe(0)
    const plan: Plan = JSON.parse(planned.stdout)
    expectAdoptionOnly(plan, 1 + 2 + 2)
    expect(plan.changes.map((c) => c.name).sort()).toEqual(
      [
        ...names(full.vlans.slice(0, 1)),
        "web_servers",
        "dns_servers",
        ...names([full.rules[1] ?? {}, full.rules[3] ?? {}])
      ]
        .sort()
    )
    repo.git("checkout", "--quiet", "--", ".")
  })

  it("refuses a desired state with errors, since what it holds is unclear, and writes nothing", async () => {
    const broken = `${before["network.yaml"]}\n`.replace(
      "aliases:",
      "aliases:\n  - name: web_servers\n    type: host\n    content: [192.0.2.1]"
    )
    repo.write("desired-state/network.yaml", broken)
    const r = await repo.job("broken")("import", "--out", "desired-state", ...CORE_KINDS)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("fix them before importing into it")
    expect(repo.read("desired-state/network.yaml")).toBe(broken)
    expect(readdirSync(join(repo.root, "desired-state")).sort()).toEqual(["filter.yaml", "network.yaml"])
    repo.git("checkout", "--quiet", "--", ".")
  })

  it("import --commit adopts into the branch's tree; merged, its plan only adds markers", async () => {
    const job = repo.job("adopt-branch")
    const r = await job("import", "--branch", "adopt-existing", ...CORE_KINDS)
    expect(r.code, r.stderr).toBe(0)
    expect(repo.git("status", "--porcelain").trim()).toBe("")
    expect(repo.git("diff", "--name-only", "main", "adopt-existing").trim().split("\n").sort()).toEqual([
      "desired-state/filter.yaml",
      "desired-state/network.yaml"
    ])
    const after = {
      "network.yaml": repo.git("show", "adopt-existing:desired-state/network.yaml"),
      "filter.yaml": repo.git("show", "adopt-existing:desired-state/filter.yaml")
    }
    expectAdoptedInto(before, after, full)
    repo.git("merge", "--quiet", "--ff-only", "adopt-existing")
    const pr = repo.job("adoption-pr")
    expect((await pr("validate")).code).toBe(0)
    const planned = await pr("plan", "--json")
    expectAdoptionOnly(JSON.parse(planned.stdout), 2 + 3 + 5)
  })
})

describe("import_live into an existing desired state (MCP)", () => {
  let stack: Stack
  let server: HttpServer
  let client: Client
  let full: Items
  let before: Record<string, string>

  beforeAll(async () => {
    stack = await startStack()
    await populate(stack.sim)
    const listed = await runCli(["import", "--json", ...CORE_KINDS], {
      sim: stack.sim,
      dataDir: join(stack.dataDir, "look")
    })
    expect(listed.code, listed.stderr).toBe(0)
    const result: ImportResult = JSON.parse(listed.stdout)
    full = itemsOf(result.files)
    before = partialTree(full)
    for (const file of fs.readdirSync(stack.dir)) fs.rmSync(join(stack.dir, file))
    for (const [path, text] of Object.entries(before)) fs.writeFileSync(join(stack.dir, path), text)
    mcpGit(stack.root, "add", "--all")
    mcpGit(stack.root, "commit", "--quiet", "-m", "Hand-kept desired state")
    server = await startHttp(stack, { readOnly: false })
    client = await connectHttp(server)
  })
  afterAll(async () => {
    await client?.close()
    await server?.close()
    await stack?.close()
  })

  it("commits only the missing objects beside their kind; merged, the plan only adopts", async () => {
    const reply = await callTool(client, "import_live", {
      branch: "mcp/adopt-existing",
      kinds: ["vlan", "alias", "rule"]
    })
    const imported = structuredOf(reply)
    // every other kind imports nothing from this sandbox
    expect(imported["counts"]).toEqual({
      ...Object.fromEntries(kindNames.map((k) => [k, 0])),
      vlan: 1,
      alias: 1,
      rule: 3
    })
    expect(imported["files"]).toEqual(["desired-state/filter.yaml", "desired-state/network.yaml"])
    expect(resultText(reply)).toContain("already in the desired state")
    const after = {
      "network.yaml": mcpGit(stack.root, "show", "mcp/adopt-existing:desired-state/network.yaml") + "\n",
      "filter.yaml": mcpGit(stack.root, "show", "mcp/adopt-existing:desired-state/filter.yaml") + "\n"
    }
    expectAdoptedInto(before, after, full)
    mcpGit(stack.root, "merge", "--quiet", "--ff-only", "mcp/adopt-existing")
    const planned = await callTool(client, "plan", {})
    structuredOf(planned)
    expectAdoptionOnly(Schema.decodeUnknownSync(PlanSchema)(planned.structuredContent), 2 + 3 + 5)
  })
})

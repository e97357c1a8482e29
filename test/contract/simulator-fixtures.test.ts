/**
 * The simulator against recorded real responses: for every file in shared/opnsense-api/fixtures,
 * make the same request to the simulator emulating the same version, and compare the SHAPE of the
 * two bodies (keys, value types, wrappers), not the values. Box-specific option lists (interfaces,
 * gateways, aliases) are compared by entry shape, not by their keys.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post, type Res } from "../simulator/helpers.ts"
import { fixturesDir } from "./fixtures-dir.ts"

const dir = fixturesDir
const haveFixtures = existsSync(dir)

const listFixtures = (): Array<string> =>
  haveFixtures
    ? readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json")).map((f) =>
      f.replace(/\\/g, "/")
    ).sort()
    : []

const load = (name: string): unknown => JSON.parse(readFileSync(join(dir, name), "utf8"))

// --- shape comparison ---------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
const kind = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v)
const isOptionMap = (v: Record<string, unknown>): boolean => {
  const values = Object.values(v)
  return values.length > 0 && values.every((x) => typeof x === "object" && x !== null && "selected" in x)
}
const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Differences between the shape of `real` and `sim`, as readable paths. */
export const shapeDiff = (real: unknown, sim: unknown, path = "$"): Array<string> => {
  const kr = kind(real)
  const ks = kind(sim)
  // PHP encodes an empty map as [] (§1.3): an empty list and an object are the same shape there
  const emptyMap = (v: unknown) => Array.isArray(v) && v.length === 0
  if (kr !== ks) {
    if ((kr === "array" && emptyMap(real) && ks === "object") || (ks === "array" && emptyMap(sim) && kr === "object")) {
      return []
    }
    return [`${path}: ${kr} in the recording, ${ks} from the simulator`]
  }
  if (Array.isArray(real) && Array.isArray(sim)) {
    const r: Array<unknown> = real
    const s: Array<unknown> = sim
    if (r.length > 0 && s.length === 0) return [`${path}: empty from the simulator, so its elements cannot be compared`]
    return r.length > 0 ? shapeDiff(r[0], s[0], `${path}[0]`) : []
  }
  if (!isObject(real) || !isObject(sim)) return []
  const r = real
  const s = sim
  if (isOptionMap(r) || isOptionMap(s)) {
    const rk = Object.keys(r)[0]
    const entry = rk !== undefined && rk in s ? rk : Object.keys(s)[0]
    if (rk === undefined || entry === undefined) return []
    return shapeDiff(r[rk], s[entry], `${path}.<option>`).filter((d) =>
      !d.includes("optgroup") && !d.includes("description")
    )
  }
  const rKeys = Object.keys(r)
  if (rKeys.length > 0 && rKeys.every((k) => UUIDISH.test(k))) {
    const sk = Object.keys(s)[0]
    return sk === undefined ? [] : shapeDiff(r[rKeys[0] ?? ""], s[sk], `${path}.<uuid>`)
  }
  const out: Array<string> = []
  for (const k of rKeys) {
    if (!(k in s)) out.push(`${path}.${k}: missing from the simulator`)
    else out.push(...shapeDiff(r[k], s[k], `${path}.${k}`))
  }
  for (const k of Object.keys(s)) if (!(k in r)) out.push(`${path}.${k}: only in the simulator`)
  return out
}

// --- the request for each recording -------------------------------------------------------------

type Series = "26.7" | "26.1"
interface Case {
  readonly version: Series
  readonly run: (sim: SimulatorHandle) => Promise<Res>
  /** keys the simulator may add (documented supersets), by path */
  readonly extra?: ReadonlyArray<string>
  readonly status?: number
}

const UNKNOWN = "0f8fad5b-d9cb-469f-a165-70867728950e"
const aliasUuid = (sim: SimulatorHandle, name: string) => sim.state.aliases.find("name", name) ?? ""
const ruleUuid = (sim: SimulatorHandle) => [...sim.state.rules.keys()][0] ?? ""

const cases: Readonly<Record<string, Case | string>> = {
  "common/auth-failed-401__ha-core-issue-105093.json": {
    version: "26.7",
    status: 401,
    run: (sim) => call(sim, "/api/core/system/status", { auth: { key: sim.apiKey, secret: "wrong" } })
  },
  "core/firmware_status__ha-core-issue-97522.json": "24.1 (status before any update check) is not an emulated version",
  "core/firmware_status__lib-opnsense-26.1.5.json": {
    version: "26.1",
    run: (sim) => call(sim, "/api/core/firmware/status")
  },
  "core/firmware_status__lib-opnsense-26.7.5.json": {
    version: "26.7",
    run: (sim) => call(sim, "/api/core/firmware/status")
  },
  "core/system_status__lib-opnsense-26.7.5.json": {
    version: "26.7",
    run: (sim) => call(sim, "/api/core/system/status")
  },
  "firewall/alias_addItem-validation-failed__opnsense-operator.json": {
    version: "26.1",
    run: (sim) =>
      post(sim, "/api/firewall/alias/addItem", { alias: { name: "web_hosts", type: "host", content: "192.0.2.1" } })
  },
  "firewall/alias_addItem__opnsense-operator.json": {
    version: "26.1",
    run: (sim) =>
      post(sim, "/api/firewall/alias/addItem", { alias: { name: "new_hosts", type: "host", content: "192.0.2.1" } })
  },
  "firewall/alias_delItem-not-found__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, `/api/firewall/alias/delItem/${UNKNOWN}`)
  },
  "firewall/alias_delItem__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, `/api/firewall/alias/delItem/${aliasUuid(sim, "unused_hosts")}`)
  },
  "firewall/alias_getAliasUUID-not-found__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => call(sim, "/api/firewall/alias/getAliasUUID/no_such_alias")
  },
  "firewall/alias_getAliasUUID__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => call(sim, "/api/firewall/alias/getAliasUUID/web_hosts")
  },
  "firewall/alias_getItem-nouuid__lib-opnsense-26.1.5.json": {
    version: "26.1",
    run: (sim) => call(sim, "/api/firewall/alias/get_item")
  },
  "firewall/alias_reconfigure__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/alias/reconfigure")
  },
  "firewall/alias_searchItem__lib-opnsense-26.1.5.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/alias/search_item", { current: 1, rowCount: 5 })
  },
  "firewall/alias_setItem-unknown-uuid__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/alias/setItem/not-a-uuid", { alias: { description: "x" } })
  },
  "firewall/alias_setItem__opnsense-operator.json": {
    version: "26.1",
    run: (sim) =>
      post(sim, `/api/firewall/alias/setItem/${aliasUuid(sim, "web_hosts")}`, { alias: { description: "x" } })
  },
  "firewall/filter_addRule-no-wrapper__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/addRule", {})
  },
  "firewall/filter_addRule-validation-failed__opn-cli-mock.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/addRule", { rule: { source_net: "alias_not_exists" } })
  },
  "firewall/filter_addRule-validation-failed__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/addRule", { rule: { action: "" } })
  },
  "firewall/filter_addRule__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/addRule", { rule: { interface: "lan", description: "x" } })
  },
  "firewall/filter_apply__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/apply")
  },
  "firewall/filter_cancelRollback__opn-cli-mock.json": {
    version: "26.1",
    run: async (sim) => {
      const sp = await post(sim, "/api/firewall/filter/savepoint")
      await post(sim, `/api/firewall/filter/apply/${sp.body.revision}`)
      return post(sim, `/api/firewall/filter/cancelRollback/${sp.body.revision}`)
    }
  },
  "firewall/filter_delRule-not-found__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, `/api/firewall/filter/delRule/${UNKNOWN}`)
  },
  "firewall/filter_delRule__opnsense-operator.json": {
    version: "26.1",
    run: async (sim) => {
      const added = await post(sim, "/api/firewall/filter/addRule", { rule: { description: "to delete" } })
      return post(sim, `/api/firewall/filter/delRule/${added.body.uuid}`)
    }
  },
  "firewall/filter_getRule-nouuid__lib-opnsense-26.1.5.json": {
    version: "26.1",
    run: (sim) => call(sim, "/api/firewall/filter/get_rule")
  },
  "firewall/filter_getRule-unknown-uuid__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => call(sim, `/api/firewall/filter/getRule/${UNKNOWN}`)
  },
  "firewall/filter_savepoint__opn-cli-mock.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/savepoint")
  },
  "firewall/filter_searchRule-no-match__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/searchRule", { searchPhrase: "no-such-rule-anywhere" })
  },
  "firewall/filter_searchRule__lib-opnsense-26.1.5.json": {
    version: "26.1",
    run: (sim) => post(sim, "/api/firewall/filter/search_rule", { searchPhrase: "WireGuard" })
  },
  "firewall/filter_setRule__opnsense-operator.json": {
    version: "26.1",
    run: (sim) => post(sim, `/api/firewall/filter/setRule/${ruleUuid(sim)}`, { rule: { description: "y" } })
  },
  "interfaces/vlan_settings_getItem-nouuid__lib-opnsense-26.1.5.json": {
    version: "26.1",
    run: (sim) => call(sim, "/api/interfaces/vlan_settings/get_item")
  },
  "interfaces/vlan_settings_getItem-nouuid__lib-opnsense-26.7.5.json": {
    version: "26.7",
    run: (sim) => call(sim, "/api/interfaces/vlan_settings/get_item")
  },
  "interfaces/vlan_settings_searchItem__lib-opnsense-25.1.12.json":
    "25.1 (labels in search rows, no % twins) is not an emulated version",
  "interfaces/vlan_settings_searchItem__lib-opnsense-26.7.5.json": {
    version: "26.7",
    run: (sim) => post(sim, "/api/interfaces/vlan_settings/search_item", { searchPhrase: "SCRATCH" })
  }
}

/** The same kind of objects the recordings were made against. */
const seed = {
  vlans: [{ if: "igb1", tag: "2999", pcp: "1", descr: "SCRATCH" }],
  aliases: [
    { name: "web_hosts", type: "host", content: "192.0.2.10", description: "web" },
    { name: "unused_hosts", type: "host", content: "192.0.2.11" }
  ],
  rules: [{
    interface: "wan",
    protocol: "UDP",
    destination_port: "51820",
    sequence: "1",
    description: "WireGuard VPN inbound"
  }]
}

// like the client's contract test: a missing fixtures folder is a failure, not a quiet skip
it("finds the recorded fixtures beside the repository", () => {
  expect(haveFixtures, `no fixtures at ${dir}`).toBe(true)
})

describe.skipIf(!haveFixtures)("simulator responses have the recorded shapes", () => {
  const sims = new Map<Series, SimulatorHandle>()
  beforeAll(async () => {
    for (const version of ["26.7", "26.1"] as const) {
      const sim = await startSimulator({ version, unmanaged: false, seed })
      // the 26.7.5 recording shows an assigned VLAN (decorated `vlanif` in search rows)
      sim.state.interfaces.push({
        identifier: "opt1",
        device: [...sim.state.vlans.values()][0]?.["vlanif"] ?? "",
        description: "SCRATCH"
      })
      sims.set(version, sim)
    }
  })
  afterAll(async () => {
    for (const sim of sims.values()) await sim.close()
  })

  it("the comparison itself notices a different shape", () => {
    expect(shapeDiff({ rows: [{ uuid: "a", tag: "1" }] }, { rows: [{ uuid: "a", tag: 1, extra: "" }] })).toEqual([
      "$.rows[0].tag: string in the recording, number from the simulator",
      "$.rows[0].extra: only in the simulator"
    ])
    expect(shapeDiff({ rows: [{ uuid: "a" }] }, { rows: [] })).toHaveLength(1)
  })

  it("has a case for every recording", () => {
    expect(listFixtures().filter((f) => !(f in cases))).toEqual([])
  })

  for (const name of listFixtures()) {
    const c = cases[name]
    if (typeof c === "string" || c === undefined) {
      it.skip(`${name}: ${c ?? "no case"}`, () => undefined)
      continue
    }
    it(`${name} (${c.version})`, async () => {
      const sim = sims.get(c.version)
      if (sim === undefined) throw new Error("simulator not started")
      const res = await c.run(sim)
      expect(res.status).toBe(c.status ?? 200)
      expect(shapeDiff(load(name), res.body)).toEqual([])
    })
  }
})

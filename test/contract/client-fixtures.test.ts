/**
 * Contract tests on recorded OPNsense responses (fixtures-dir.ts: ../shared/opnsense-api/fixtures or
 * the repository's copy; SOURCES.md):
 * every fixture decodes through the client's own wire schemas and adapters, and the canonical
 * model is asserted for at least one object per kind.
 */
import { Effect, Exit, Option, Schema } from "effect"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import * as Aliases from "../../src/Kinds/Alias/Wire.ts"
import * as Rules from "../../src/Kinds/Rule/Wire.ts"
import * as Vlans from "../../src/Kinds/Vlan/Wire.ts"
import { StatusBody, SystemStatus } from "../../src/Opnsense/Client.ts"
import * as Response from "../../src/Opnsense/Response.ts"
import * as Version from "../../src/Opnsense/Version.ts"

import { fixturesDir } from "./fixtures-dir.ts"

const walk = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : name.endsWith(".json") ? [relative(fixturesDir, path)] : []
  })

const load = (name: string): unknown => JSON.parse(readFileSync(join(fixturesDir, name), "utf8"))

const ctx = (path: string): Response.Context => ({
  site: "fixture",
  baseUrl: "https://fixture",
  endpoint: `GET ${path}`,
  path
})

/** Decode with the client's own path (Response.decode), failing the test with its message. */
const decode = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, name: string): S["Type"] => {
  const exit = Effect.runSyncExit(Response.decode(schema)(ctx(name), 200)(load(name)))
  if (Exit.isFailure(exit)) throw new Error(`${name}: ${String(exit.cause)}`)
  return exit.value
}

const writeResult = (name: string, wrapper: string) =>
  Effect.runSyncExit(Response.checkWrite(ctx(name), wrapper, decode(Response.WriteResult, name)))

const noCategories = new Map<string, string>()

/** Each fixture file → what it must decode to. Every file in the folder must be listed here. */
const checks: Record<string, (name: string) => void> = {
  "common/auth-failed-401__ha-core-issue-105093.json": (name) => {
    const raw = readFileSync(join(fixturesDir, name), "utf8")
    const exit = Effect.runSyncExit(
      Response.checkStatus(ctx("firewall/filter/get"), { status: 401, body: raw, bytes: raw.length })
    )
    expect(Exit.isFailure(exit) && Option.getOrUndefined(Exit.findErrorOption(exit))?._tag).toBe("AuthenticationError")
  },
  "core/firmware_status__ha-core-issue-97522.json": (name) => {
    // 24.1 before any update check: only product_abi is there
    expect(Option.getOrThrow(Version.versionFromStatus(decode(Version.FirmwareStatus, name)))).toMatchObject({
      major: 24,
      minor: 1,
      patch: 0
    })
  },
  "core/firmware_status__lib-opnsense-26.1.5.json": (name) => {
    const v = Option.getOrThrow(Version.versionFromStatus(decode(Version.FirmwareStatus, name)))
    expect(v).toEqual({ major: 26, minor: 1, patch: 5, raw: "26.1.5" })
    const caps = Version.capabilities(v)
    expect(caps).toMatchObject({
      ruleListing: "search",
      savepoint: true,
      uploadRules: true,
      maxSequence: 999_999,
      searchIncludesLegacy: false,
      ruleDeleteLists: true
    })
  },
  "core/firmware_status__lib-opnsense-26.7.5.json": (name) => {
    const v = Option.getOrThrow(Version.versionFromStatus(decode(Version.FirmwareStatus, name)))
    expect(v).toEqual({ major: 26, minor: 7, patch: 5, raw: "26.7.5" })
    expect(Version.capabilities(v)).toMatchObject({
      savepoint: false,
      searchIncludesLegacy: true,
      ruleDeleteLists: true,
      aliasImport: true
    })
  },
  "core/system_status__lib-opnsense-26.7.5.json": (name) => {
    expect(decode(SystemStatus, name).metadata).toMatchObject({ system: { status: 2 } })
  },
  "firewall/alias_addItem-validation-failed__opnsense-operator.json": (name) => {
    const error = Option.getOrThrow(Exit.findErrorOption(writeResult(name, "alias")))
    expect(error.validations).toEqual({ "alias.name": "An alias with this name already exists." })
    expect(error.message).toContain("name: An alias with this name already exists.")
  },
  "firewall/alias_addItem__opnsense-operator.json": (name) => {
    expect(decode(Response.WriteResult, name)).toEqual({
      result: "saved",
      uuid: "514ae60a-a270-47df-afdd-b9cdc6fb5c7f"
    })
  },
  "firewall/alias_delItem-not-found__opnsense-operator.json": (name) => {
    expect(decode(Response.WriteResult, name).result).toBe("not found")
  },
  "firewall/alias_delItem__opnsense-operator.json": (name) => {
    expect(decode(Response.WriteResult, name).result).toBe("deleted")
  },
  "firewall/alias_getAliasUUID-not-found__opnsense-operator.json": (name) => {
    expect(Aliases.uuidOf(decode(Aliases.UuidResponse, name))).toBeUndefined()
  },
  "firewall/alias_getAliasUUID__opnsense-operator.json": (name) => {
    expect(Aliases.uuidOf(decode(Aliases.UuidResponse, name))).toBe("c6b50d57-b441-4217-a2d1-b81313887fdc")
  },
  "firewall/alias_getItem-nouuid__lib-opnsense-26.1.5.json": (name) => {
    // the template of a new alias: no type selected; content map lists every alias, none selected
    const alias = Aliases.fromGet("new", decode(Aliases.GetResponse, name), noCategories)
    expect(alias?.spec).toMatchObject({ name: "", content: [], enabled: true, categories: [], description: "" })
  },
  "firewall/alias_reconfigure__opnsense-operator.json": (name) => {
    expect(decode(StatusBody, name).status).toBe("ok")
  },
  "firewall/alias_searchItem__lib-opnsense-26.1.5.json": (name) => {
    const aliases = Aliases.fromSearch(decode(Aliases.SearchResponse, name), noCategories)
    expect(aliases.find((a) => a.uuid === "bogons")).toMatchObject({
      origin: "builtin",
      spec: { name: "bogons", type: "external" }
    })
    expect(aliases.find((a) => a.spec.name === "net_dmz")).toEqual({
      uuid: "6a0d7dc3-aab2-49a2-aabb-ba9f12798852",
      origin: "mvc",
      spec: {
        name: "net_dmz",
        type: "network",
        content: ["10.1.2.0/24"],
        enabled: true,
        description: "DMZ zone \u2014 VLAN 320",
        categories: [],
        updateFrequency: ""
      }
    })
  },
  "firewall/alias_setItem-unknown-uuid__opnsense-operator.json": (name) => {
    const error = Option.getOrThrow(Exit.findErrorOption(writeResult(name, "alias")))
    expect(error._tag).toBe("ValidationError")
    expect(error.message).toContain("uuid is malformed")
  },
  "firewall/alias_setItem__opnsense-operator.json": (name) => {
    expect(Exit.isSuccess(writeResult(name, "alias"))).toBe(true)
  },
  "firewall/filter_addRule-no-wrapper__opnsense-operator.json": (name) => {
    expect(Option.getOrThrow(Exit.findErrorOption(writeResult(name, "rule"))).validations).toEqual({})
  },
  "firewall/filter_addRule-validation-failed__opn-cli-mock.json": (name) => {
    expect(Option.getOrThrow(Exit.findErrorOption(writeResult(name, "rule"))).validations).toEqual({
      "rule.source_net": "alias_not_exists is not a valid source IP address or alias."
    })
  },
  "firewall/filter_addRule-validation-failed__opnsense-operator.json": (name) => {
    expect(Option.getOrThrow(Exit.findErrorOption(writeResult(name, "rule"))).validations).toEqual({
      "rule.action": "Option [] not in list."
    })
  },
  "firewall/filter_addRule__opnsense-operator.json": (name) => {
    expect(decode(Response.WriteResult, name).uuid).toBe("eb3c7d1b-4348-4b93-8a94-1efabf9225d2")
  },
  "firewall/filter_apply__opnsense-operator.json": (name) => {
    expect(decode(StatusBody, name).status.trim().toLowerCase()).toBe("ok")
  },
  "firewall/filter_cancelRollback__opn-cli-mock.json": (name) => {
    expect(decode(StatusBody, name).status.trim()).toBe("")
  },
  "firewall/filter_delRule-not-found__opnsense-operator.json": (name) => {
    expect(decode(Response.WriteResult, name).result).toBe("not found")
  },
  "firewall/filter_delRule__opnsense-operator.json": (name) => {
    expect(decode(Response.WriteResult, name).result).toBe("deleted")
  },
  "firewall/filter_getRule-nouuid__lib-opnsense-26.1.5.json": (name) => {
    const rule = Rules.fromGet("new", decode(Rules.GetResponse, name), noCategories)
    expect(rule).toEqual({
      uuid: "new",
      origin: "mvc",
      sequence: 101,
      spec: {
        enabled: true,
        action: "pass",
        quick: true,
        interfaces: [],
        interfaceInvert: false,
        direction: "in",
        ipVersion: "inet",
        protocol: "any",
        source: { addresses: [], invert: false, port: "" },
        destination: { addresses: [], invert: false, port: "" },
        log: false,
        gateway: "",
        description: "",
        categories: []
      }
    })
  },
  "firewall/filter_getRule-unknown-uuid__opnsense-operator.json": (name) => {
    expect(Rules.fromGet("x", decode(Rules.GetResponse, name), noCategories)).toBeUndefined()
  },
  "firewall/filter_savepoint__opn-cli-mock.json": (name) => {
    expect(decode(Rules.SavepointResponse, name)).toEqual({
      status: "ok",
      retention: "60",
      revision: "1626265654.2136"
    })
  },
  "firewall/filter_searchRule-no-match__opnsense-operator.json": (name) => {
    expect(Rules.fromSearch(decode(Rules.SearchResponse, name), noCategories)).toEqual([])
  },
  "firewall/filter_searchRule__lib-opnsense-26.1.5.json": (name) => {
    const [rule] = Rules.fromSearch(decode(Rules.SearchResponse, name), noCategories)
    expect(rule).toEqual({
      uuid: "257cac22-bb53-4b98-9c37-c912b0870371",
      origin: "mvc",
      sequence: 1,
      spec: {
        enabled: true,
        action: "pass",
        quick: true,
        interfaces: ["wan"],
        interfaceInvert: false,
        direction: "in",
        ipVersion: "inet",
        protocol: "UDP",
        source: { addresses: [], invert: false, port: "" },
        destination: { addresses: [], invert: false, port: "51820" },
        log: false,
        gateway: "",
        description: "WireGuard VPN inbound (wg-byresearch-01)",
        categories: []
      }
    })
  },
  "firewall/filter_setRule__opnsense-operator.json": (name) => {
    expect(Exit.isSuccess(writeResult(name, "rule"))).toBe(true)
  },
  "interfaces/vlan_settings_getItem-nouuid__lib-opnsense-26.1.5.json": (name) => {
    expect(Vlans.fromGet("new", decode(Vlans.GetResponse, name))?.spec).toEqual({
      parent: "",
      tag: 0,
      priority: 0,
      proto: "",
      description: ""
    })
  },
  "interfaces/vlan_settings_getItem-nouuid__lib-opnsense-26.7.5.json": (name) => {
    expect(Vlans.fromGet("new", decode(Vlans.GetResponse, name))).toMatchObject({
      origin: "mvc",
      device: "",
      spec: { priority: 0, proto: "" }
    })
  },
  "interfaces/vlan_settings_searchItem__lib-opnsense-25.1.12.json": (name) => {
    // 25.1 search rows carry labels instead of raw values
    const vlans = Vlans.fromSearch(decode(Vlans.SearchResponse, name))
    expect(vlans).toHaveLength(3)
    expect(vlans[0]).toEqual({
      uuid: "96888927-4ca3-4b3d-948c-1d21098b61cb",
      origin: "mvc",
      device: "vlan01",
      spec: { parent: "vtnet1", tag: 310, priority: 0, proto: "", description: "MGMT" }
    })
  },
  "interfaces/vlan_settings_searchItem__lib-opnsense-26.7.5.json": (name) => {
    expect(Vlans.fromSearch(decode(Vlans.SearchResponse, name))).toEqual([
      {
        uuid: "a12270c0-346c-4ac8-ba9b-fefbd5c1b67f",
        origin: "mvc",
        // the search row decorates an assigned device: "vlan2999 [SCRATCH]"
        device: "vlan2999",
        spec: { parent: "vtnet0", tag: 2999, priority: 1, proto: "", description: "SCRATCH" }
      }
    ])
  }
}

describe("recorded OPNsense responses", () => {
  const files = walk(fixturesDir)

  it("finds the fixtures beside the repository", () => {
    expect(files.length).toBeGreaterThan(30)
  })

  it("has a check for every fixture file", () => {
    expect(files.filter((f) => checks[f] === undefined)).toEqual([])
  })

  for (const [name, check] of Object.entries(checks)) {
    it(`decodes ${name}`, () => check(name))
  }
})

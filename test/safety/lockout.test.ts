/**
 * The lockout guard on hand-built live snapshots and plans: which change gets blocked when the
 * management path (tcp 192.168.1.10 → 192.168.1.1:443 in on lan) would be cut, and which plans pass.
 */
import { describe, expect, it } from "@effect/vitest"
import type { SiteConfig } from "../../src/Domain/Desired.ts"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import type { Change, Plan } from "../../src/Domain/Plan.ts"
import type { AliasSpec } from "../../src/Kinds/Alias/Spec.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import { guardPlan, managementPackets } from "../../src/Safety/Lockout.ts"
import { ruleSpec } from "../reconciler/fixtures.ts"

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`
const rule = ruleSpec
const admins = (content: ReadonlyArray<string>): AliasSpec => ({
  name: "admin_hosts",
  type: "host",
  content,
  enabled: true,
  description: "",
  categories: [],
  updateFrequency: ""
})
const adminIn = rule({
  protocol: "TCP",
  source: { addresses: ["admin_hosts"], invert: false, port: "" },
  destination: { addresses: ["192.168.1.1"], invert: false, port: "443" }
})
const blockRest = rule({ action: "block" })

const live: LiveSnapshot = {
  ...emptyCollections(),
  site: "default",
  version: { major: 26, minor: 7, patch: 5, raw: "26.7.5" },
  fetchedAt: "2026-01-01T00:00:00.000Z",
  vlans: [],
  aliases: [{ uuid: uuid(1), origin: "mvc", owner: "admin_hosts", spec: admins(["192.168.1.10"]) }],
  rules: [
    { uuid: uuid(2), origin: "mvc", owner: "admin-in", sequence: 100, spec: adminIn },
    { uuid: uuid(3), origin: "mvc", owner: "block-rest", sequence: 200, spec: blockRest }
  ],
  stale: false
}

const config = (over: Partial<NonNullable<SiteConfig["management"]>> = {}): SiteConfig => ({
  name: "default",
  path: ".",
  pruneUnmanaged: false,
  probes: [],
  lint: {},
  management: { interface: "lan", address: "192.168.1.1", port: 443, source: "192.168.1.10", ...over }
})

const plan = (changes: ReadonlyArray<Change>): Plan => ({
  planId: "p",
  site: "default",
  createdAt: "",
  firewallVersion: "26.7.5",
  liveDigest: "d",
  changes,
  summary: { create: 0, update: 0, delete: 0 },
  warnings: [],
  blocked: []
})

const brief = (p: Plan, c: SiteConfig = config()) =>
  guardPlan(p, live, c, "https://192.168.1.1").blocked.map((b) => `${b.action} ${b.kind} ${b.name}`)

describe("lockout guard", () => {
  it("checks the path on what the key could read: an unread kind does not make every plan 'at risk'", () => {
    const unread: LiveSnapshot = {
      ...live,
      unreadable: [{ kind: "port_forward", endpoint: "POST firewall/d_nat/search_rule", message: "403" }]
    }
    const dns = plan([{
      action: "create",
      kind: "rule",
      name: "dns",
      sequence: 150,
      after: rule({ protocol: "UDP" }),
      diff: []
    }])
    expect(guardPlan(dns, unread, config(), undefined)).toEqual({ blocked: [], warnings: [] })
  })

  it("blocks deleting the rule that passes the management path", () => {
    const p = plan([{ action: "delete", kind: "rule", name: "admin-in", uuid: uuid(2), before: adminIn }])
    expect(brief(p)).toEqual(["delete rule admin-in"])
    expect(guardPlan(p, live, config(), undefined).blocked[0]?.reason).toContain("rule \"block-rest\"")
  })

  it("blocks disabling it, and narrowing the alias it passes", () => {
    expect(
      brief(
        plan([{
          action: "update",
          kind: "rule",
          name: "admin-in",
          uuid: uuid(2),
          sequence: 100,
          before: adminIn,
          after: { ...adminIn, enabled: false }
        }])
      )
    )
      .toEqual(["update rule admin-in"])
    expect(
      brief(
        plan([{
          action: "update",
          kind: "alias",
          name: "admin_hosts",
          uuid: uuid(1),
          before: admins(["192.168.1.10"]),
          after: admins(["192.168.1.99"])
        }])
      )
    )
      .toEqual(["update alias admin_hosts"])
  })

  it("blocks a new block rule placed before the pass, and nothing else of the plan", () => {
    const p = plan([
      {
        action: "create",
        kind: "rule",
        name: "deny-https",
        sequence: 50,
        after: rule({ action: "block", protocol: "TCP", destination: { addresses: [], invert: false, port: "443" } })
      },
      {
        action: "create",
        kind: "rule",
        name: "dns",
        sequence: 150,
        after: rule({ protocol: "UDP", destination: { addresses: ["10.0.0.53"], invert: false, port: "53" } })
      }
    ])
    expect(brief(p)).toEqual(["create rule deny-https"])
  })

  it("lets through plans that keep the path open", () => {
    expect(
      brief(plan([{ action: "create", kind: "rule", name: "dns", sequence: 150, after: rule({ protocol: "UDP" }) }]))
    ).toEqual([])
    // another rule still passes it for certain: deleting this one is fine
    const widened = plan([
      {
        action: "create",
        kind: "rule",
        name: "admin-any",
        sequence: 90,
        after: rule({ protocol: "TCP", destination: { addresses: [], invert: false, port: "443" } })
      },
      { action: "delete", kind: "rule", name: "admin-in", uuid: uuid(2), before: adminIn }
    ])
    expect(brief(widened)).toEqual([])
    // the anti-lockout rule is trusted
    expect(
      brief(
        plan([{ action: "delete", kind: "rule", name: "admin-in", uuid: uuid(2), before: adminIn }]),
        config({ antiLockout: true })
      )
    ).toEqual([])
  })

  it("takes an address of the alias the management source names, as validate does", () => {
    const byAlias = config({ source: "admin_hosts" })
    const dns = plan([{ action: "create", kind: "rule", name: "dns", sequence: 150, after: rule({ protocol: "UDP" }) }])
    // 192.168.1.10 stands for admin_hosts: the path is passed for certain, nothing to warn about
    expect(guardPlan(dns, live, byAlias, undefined)).toEqual({ blocked: [], warnings: [] })
    const cut = plan([{ action: "delete", kind: "rule", name: "admin-in", uuid: uuid(2), before: adminIn }])
    expect(guardPlan(cut, live, byAlias, undefined).blocked.map((b) => b.name)).toEqual(["admin-in"])
  })

  it("takes the API URL's address and port as a management path too", () => {
    const packets = managementPackets({ ...config(), management: { interface: "lan" } }, "https://192.168.1.1:8443")
    expect(packets.map((p) => p.label)).toEqual(["tcp any source → 192.168.1.1:8443 in on lan"])
    expect(managementPackets(config(), "https://192.168.1.1:8443").map((p) => p.packet.destinationPort)).toEqual([
      443,
      8443
    ])
    expect(managementPackets({ ...config(), management: undefined }, "https://fw.example.net")).toEqual([])
    // the embedded sandbox on loopback is not a path through the filter
    expect(managementPackets({ ...config(), management: undefined }, "https://127.0.0.1:8443")).toEqual([])
  })
})

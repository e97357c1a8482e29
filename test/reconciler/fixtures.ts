import type { DesiredAlias, DesiredRule, DesiredSite, DesiredVlan, SiteConfig } from "../../src/Domain/Desired.ts"
import type { LiveSnapshot } from "../../src/Domain/Model.ts"
import type { AliasSpec, LiveAlias } from "../../src/Kinds/Alias/Spec.ts"
import { emptyCollections } from "../../src/Kinds/Registry.ts"
import type { LiveRule, RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
import type { LiveVlan, VlanSpec } from "../../src/Kinds/Vlan/Spec.ts"

export const UUID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`

export const vlanSpec = (over: Partial<VlanSpec> = {}): VlanSpec => ({
  parent: "igb1",
  tag: 30,
  priority: 0,
  proto: "",
  description: "",
  ...over
})
export const aliasSpec = (name: string, over: Partial<AliasSpec> = {}): AliasSpec => ({
  name,
  type: "network",
  content: ["10.0.0.0/24"],
  enabled: true,
  description: "",
  categories: [],
  updateFrequency: "",
  ...over
})
export const ruleSpec = (over: Partial<RuleSpec> = {}): RuleSpec => ({
  enabled: true,
  action: "pass",
  quick: true,
  interfaces: ["lan"],
  interfaceInvert: false,
  direction: "in",
  ipVersion: "inet",
  protocol: "any",
  source: { addresses: [], invert: false, port: "" },
  destination: { addresses: [], invert: false, port: "" },
  log: false,
  gateway: "",
  description: "",
  categories: [],
  ...over
})

const source = (line: number) => ({ file: "desired-state/main.yaml", line, column: 5 })
export const dVlan = (name: string, spec: VlanSpec, line = 1): DesiredVlan => ({ name, spec, source: source(line) })
export const dAlias = (spec: AliasSpec, line = 1): DesiredAlias => ({ name: spec.name, spec, source: source(line) })
export const dRule = (name: string, spec: RuleSpec, line = 1): DesiredRule => ({ name, spec, source: source(line) })

export const config = (over: Partial<SiteConfig> = {}): SiteConfig => ({
  name: "default",
  path: ".",
  pruneUnmanaged: false,
  probes: [],
  lint: {},
  ...over
})

export const site = (
  parts: Partial<Omit<DesiredSite, "config" | "digest">> & { readonly config?: SiteConfig } = {}
): DesiredSite => ({
  ...emptyCollections(),
  ...parts,
  config: parts.config ?? config(),
  digest: "d".repeat(64)
})

export const lVlan = (uuid: string, spec: VlanSpec, owner?: string, device = "vlan01"): LiveVlan => ({
  uuid,
  origin: "mvc",
  device,
  spec,
  ...(owner === undefined ? {} : { owner })
})
export const lAlias = (
  uuid: string,
  spec: AliasSpec,
  owner?: string,
  origin: LiveAlias["origin"] = "mvc"
): LiveAlias => ({ uuid, origin, spec, ...(owner === undefined ? {} : { owner }) })
export const lRule = (
  uuid: string,
  spec: RuleSpec,
  sequence: number,
  owner?: string,
  origin: LiveRule["origin"] = "mvc"
): LiveRule => ({ uuid, origin, sequence, spec, ...(owner === undefined ? {} : { owner }) })

export const snapshot = (
  parts: Partial<Omit<LiveSnapshot, "site" | "version" | "fetchedAt" | "stale">> = {},
  version = { major: 26, minor: 7, patch: 5, raw: "26.7.5" }
): LiveSnapshot => ({
  ...emptyCollections(),
  ...parts,
  site: "default",
  version,
  fetchedAt: "2026-01-01T00:00:00.000Z",
  stale: false
})

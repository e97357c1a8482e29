/** Small builders for hand-worked rule sets: canonical specs with the OPNsense defaults filled in. */
import type { AliasSpec, AliasType } from "../../src/Kinds/Alias/Spec.ts"
import type { RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
import type { PolicyAlias, PolicyInput, PolicyRule } from "../../src/Policy.ts"

export interface RuleOptions {
  readonly action?: RuleSpec["action"]
  readonly quick?: boolean
  readonly interfaces?: ReadonlyArray<string>
  readonly interfaceInvert?: boolean
  readonly direction?: RuleSpec["direction"]
  readonly ipVersion?: RuleSpec["ipVersion"]
  readonly protocol?: string
  readonly src?: ReadonlyArray<string>
  readonly srcNot?: boolean
  readonly srcPort?: string
  readonly dst?: ReadonlyArray<string>
  readonly dstNot?: boolean
  readonly dstPort?: string
  readonly log?: boolean
  readonly enabled?: boolean
  readonly origin?: PolicyRule["origin"]
  readonly sequence?: number
  readonly gateway?: string
}

export const spec = (o: RuleOptions = {}): RuleSpec => ({
  enabled: o.enabled ?? true,
  action: o.action ?? "pass",
  quick: o.quick ?? true,
  interfaces: o.interfaces ?? ["lan"],
  interfaceInvert: o.interfaceInvert ?? false,
  direction: o.direction ?? "in",
  ipVersion: o.ipVersion ?? "inet",
  protocol: o.protocol ?? "any",
  source: { addresses: o.src ?? [], invert: o.srcNot ?? false, port: o.srcPort ?? "" },
  destination: { addresses: o.dst ?? [], invert: o.dstNot ?? false, port: o.dstPort ?? "" },
  log: o.log ?? true,
  gateway: o.gateway ?? "",
  description: "",
  categories: []
})

let line = 0

/** a rule declared at rules.yaml:<n>; its sequence is its position unless given */
export const rule = (name: string, o: RuleOptions = {}): PolicyRule => {
  line += 1
  return {
    name,
    spec: spec(o),
    sequence: o.sequence ?? line,
    origin: o.origin ?? "mvc",
    source: { file: "rules.yaml", line, column: 5 }
  }
}

export const aliasSpec = (
  name: string,
  type: AliasType,
  content: ReadonlyArray<string>,
  enabled = true
): AliasSpec => ({
  name,
  type,
  content: [...content].sort(),
  enabled,
  description: "",
  categories: [],
  updateFrequency: ""
})

export const alias = (name: string, type: AliasType, content: ReadonlyArray<string>, enabled = true): PolicyAlias => {
  line += 1
  return {
    name,
    spec: aliasSpec(name, type, content, enabled),
    origin: "mvc",
    source: { file: "aliases.yaml", line, column: 5 }
  }
}

export const policy = (
  rules: ReadonlyArray<PolicyRule>,
  aliases: ReadonlyArray<PolicyAlias> = [],
  extra: Partial<PolicyInput> = {}
): PolicyInput => ({
  site: "default",
  origin: "desired",
  // desired rules: their order in the list is their sequence; live tests give sequences explicitly
  rules: extra.origin === "live" ? rules : rules.map((r, i) => ({ ...r, sequence: i + 1 })),
  aliases,
  interfaces: {
    lan: { networks: ["10.0.0.0/24"], addresses: ["10.0.0.1"] },
    wan: { networks: ["192.0.2.0/24"], addresses: ["192.0.2.1"] }
  },
  sensitiveInterfaces: [],
  ...extra
})

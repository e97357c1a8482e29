/**
 * Where a PolicyInput comes from: the desired state of a site (rule order = file order), a live
 * snapshot (sequence and origin as read; legacy and automatic rules included, read-only), or the
 * state a plan would leave behind (the live snapshot with the plan's changes applied).
 */
import { Option, Schema } from "effect"
import type { DesiredSite, SiteConfig } from "../Domain/Desired.ts"
import { AliasSpec, type LiveAlias, type LiveRule, type LiveSnapshot, RuleSpec } from "../Domain/Model.ts"
import type { Plan } from "../Domain/Plan.ts"
import type { PolicyInput, PolicyRule } from "./Domain.ts"

const siteSettings = (config: SiteConfig | undefined) => ({
  ...(config?.management !== undefined ? { management: config.management } : {}),
  ...(config?.interfaces !== undefined ? { interfaces: config.interfaces } : {}),
  ...(config?.sensitiveInterfaces !== undefined ? { sensitiveInterfaces: config.sensitiveInterfaces } : {}),
  ...(config !== undefined ? { severities: config.lint } : {})
})

export const fromDesired = (site: DesiredSite): PolicyInput => ({
  site: site.config.name,
  origin: "desired",
  rules: site.rules.map((r, index) => ({ name: r.name, spec: r.spec, sequence: index + 1, origin: "mvc", source: r.source })),
  aliases: site.aliases.map((a) => ({ name: a.name, spec: a.spec, origin: "mvc", source: a.source })),
  // site-level findings (management path) point at sites.yaml, at the root of the desired state
  siteFile: "sites.yaml",
  ...siteSettings(site.config)
})

const liveRuleName = (rule: LiveRule): string =>
  rule.owner ?? (rule.spec.description !== "" ? rule.spec.description : rule.uuid)

const liveRule = (rule: LiveRule): PolicyRule => ({
  name: liveRuleName(rule),
  spec: rule.spec,
  sequence: rule.sequence,
  origin: rule.origin,
  uuid: rule.uuid
})

const liveAlias = (alias: LiveAlias) => ({ name: alias.spec.name, spec: alias.spec, origin: alias.origin })

export const fromLive = (snapshot: LiveSnapshot, config?: SiteConfig): PolicyInput => ({
  site: snapshot.site,
  origin: "live",
  rules: snapshot.rules.map(liveRule),
  aliases: snapshot.aliases.map(liveAlias),
  ...siteSettings(config)
})

const decodeRule = Schema.decodeUnknownOption(RuleSpec)
const decodeAlias = Schema.decodeUnknownOption(AliasSpec)

/**
 * The live snapshot with a plan's rule and alias changes applied. Changes whose `after` does not
 * decode as a canonical spec are reported in `skipped` rather than guessed at.
 */
export const fromPlan = (
  snapshot: LiveSnapshot,
  plan: Plan,
  config?: SiteConfig
): { readonly input: PolicyInput; readonly skipped: ReadonlyArray<string> } => {
  const rules = new Map<string, PolicyRule>(snapshot.rules.map((r) => [r.uuid, liveRule(r)]))
  const aliases = new Map(snapshot.aliases.map((a) => [a.uuid, liveAlias(a)]))
  const skipped: Array<string> = []
  const findRule = (name: string, uuid: string | undefined) =>
    uuid !== undefined && rules.has(uuid) ? uuid : [...rules].find(([, r]) => r.name === name)?.[0]
  const findAlias = (name: string, uuid: string | undefined) =>
    uuid !== undefined && aliases.has(uuid) ? uuid : [...aliases].find(([, a]) => a.name === name)?.[0]
  for (const change of plan.changes) {
    if (change.kind === "rule") {
      const key = findRule(change.name, change.uuid) ?? `plan:${change.name}`
      if (change.action === "delete") {
        rules.delete(key)
        continue
      }
      const spec = decodeRule(change.after)
      const previous = rules.get(key)
      const sequence = change.sequence ?? previous?.sequence
      if (Option.isNone(spec) || sequence === undefined) {
        skipped.push(`rule ${change.name}: the plan does not carry its full spec and sequence`)
        continue
      }
      rules.set(key, { name: change.name, spec: spec.value, sequence, origin: "mvc", ...(change.source !== undefined ? { source: change.source } : {}) })
    } else if (change.kind === "alias") {
      const key = findAlias(change.name, change.uuid) ?? `plan:${change.name}`
      if (change.action === "delete") {
        aliases.delete(key)
        continue
      }
      const spec = decodeAlias(change.after)
      if (Option.isNone(spec)) {
        skipped.push(`alias ${change.name}: the plan does not carry its full spec`)
        continue
      }
      aliases.set(key, { name: spec.value.name, spec: spec.value, origin: "mvc" })
    }
  }
  return {
    input: {
      site: snapshot.site,
      origin: "plan",
      rules: [...rules.values()],
      aliases: [...aliases.values()],
      ...siteSettings(config)
    },
    skipped
  }
}

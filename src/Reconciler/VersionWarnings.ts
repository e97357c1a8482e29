/**
 * What apply will refuse on the firewall's version, said at plan time: the client refuses every
 * write before 25.7 and rule values the version's filter model lacks (Opnsense/Version.ts, read
 * from opnsense/core's Filter.xml per tag).
 */
import type { DesiredSite } from "../Domain/Desired.ts"
import type { LiveSnapshot } from "../Domain/Model.ts"
import type { Change } from "../Domain/Plan.ts"
import { desiredOf, kindOf } from "../Kinds/Registry.ts"
import { capabilities, ruleFeaturesOf, ruleFeatureText } from "../Opnsense/Version.ts"

export const versionWarnings = (
  desired: DesiredSite,
  live: LiveSnapshot,
  changes: ReadonlyArray<Change>
): ReadonlyArray<string> => {
  if (changes.length === 0) return []
  const { raw } = live.version
  const caps = capabilities(live.version)
  if (!caps.writes) {
    return [
      `OPNsense ${raw} is read-only for opnsense-mcp (writes need 25.7 or later): apply will refuse these ${changes.length} changes; its filter model has ${
        caps.missingRuleFeatures.map((f) => ruleFeatureText[f]).join(", ")
      }`
    ]
  }
  const specs = new Map(desired.rules.map((r) => [r.name, r.spec]))
  // kinds that say what their specs need of the version (Kind.unsupported)
  const byKind = changes.flatMap((change) => {
    const kind = kindOf(change.kind)
    if (kind.unsupported === undefined || change.action === "delete") return []
    const spec = desiredOf(desired, kind).find((d) => d.name === change.name)?.spec
    const lacking = spec === undefined ? [] : kind.unsupported(spec, live.version)
    return lacking.length === 0
      ? []
      : [`${kind.name} "${change.name}": OPNsense ${raw} lacks ${lacking.join(", ")}; apply will refuse it`]
  })
  return [
    ...byKind,
    ...changes.flatMap((change) => {
      const spec = change.kind === "rule" && change.action !== "delete" ? specs.get(change.name) : undefined
      if (spec === undefined) return []
      const lacking = ruleFeaturesOf(spec).filter((f) => caps.missingRuleFeatures.includes(f))
      return lacking.length === 0
        ? []
        : [
          `rule "${change.name}": OPNsense ${raw} has ${
            lacking.map((f) => ruleFeatureText[f]).join(", ")
          }; apply will refuse it`
        ]
    })
  ]
}

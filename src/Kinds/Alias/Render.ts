/** A canonical alias back to the YAML people write (defaults left out). */
import type { FriendlyItem } from "../../DesiredState/Render.ts"
import { numeric } from "../../DesiredState/Render.ts"
import type { AliasSpec } from "./Spec.ts"

export const friendlyAlias = (spec: AliasSpec): FriendlyItem => {
  const frequency = Number(spec.updateFrequency)
  return {
    name: spec.name,
    type: spec.type,
    ...(spec.content.length > 0
      ? { content: spec.content.map((c) => (spec.type === "port" || spec.type === "asn" ? numeric(c) : c)) }
      : {}),
    ...(spec.updateFrequency !== "" && Number.isFinite(frequency) ? { update_frequency: frequency } : {}),
    ...(!spec.enabled ? { enabled: false } : {}),
    ...(spec.description !== "" ? { description: spec.description } : {}),
    ...(spec.categories.length > 0 ? { categories: [...spec.categories] } : {})
  }
}

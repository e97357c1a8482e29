/**
 * Firewall categories (`firewall/category`). Rules and aliases reference them by
 * uuid on the wire while the canonical model names them, so a snapshot reads them once (one
 * request) and writes resolve names to uuids, creating a missing category first.
 */
import * as Schema from "effect/Schema"
import { Field, searchEnvelope, text } from "./Wire.ts"

export const base = "firewall/category"
export const wrapper = "category"

const CategoryRow = Schema.Struct({ uuid: Schema.String, name: Field })
export const SearchResponse = searchEnvelope(CategoryRow)

export interface CategoryIndex {
  readonly byId: ReadonlyMap<string, string>
  readonly byName: ReadonlyMap<string, string>
}

export const index = (response: typeof SearchResponse.Type): CategoryIndex => {
  const byId = new Map<string, string>()
  const byName = new Map<string, string>()
  for (const row of response.rows) {
    const name = text(row.name)
    byId.set(row.uuid, name)
    byName.set(name, row.uuid)
  }
  return { byId, byName }
}

/** The index with one category added (one just created). */
export const withCategory = (index: CategoryIndex, name: string, uuid: string): CategoryIndex => ({
  byId: new Map(index.byId).set(uuid, name),
  byName: new Map(index.byName).set(name, uuid)
})

export const toWire = (name: string) => ({ [wrapper]: { name, auto: "0", color: "" } })

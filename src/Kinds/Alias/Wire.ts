/**
 * Aliases (`firewall/alias`): wire rows → LiveAlias, AliasSpec → wire body.
 * 25.7+ lists with search_item (raw values); older versions with `export` (raw JSON dump). Both
 * include the built-in aliases (bogons, __lan_network, ...) whose uuid is their name: they are kept
 * and marked origin "builtin" (read-only), never dropped.
 */
import * as Schema from "effect/Schema"
import { type Origin } from "../../Domain/Model.ts"
import { lineSet, sortedSet } from "../../Domain/Normalize.ts"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import {
  bool,
  Field,
  isUuid,
  itemEntries,
  ItemMap,
  searchEnvelope,
  selectedKeys,
  single,
  text
} from "../../Opnsense/Wire.ts"
import { type AliasSpec, AliasType, type LiveAlias } from "./Spec.ts"

export const base = "firewall/alias"
export const wrapper = "alias"

const AliasFields = {
  enabled: Schema.optional(Field),
  name: Field,
  type: Field,
  content: Schema.optional(Field),
  description: Schema.optional(Field),
  categories: Schema.optional(Field),
  categories_uuid: Schema.optional(Schema.Array(Schema.String)),
  updatefreq: Schema.optional(Field)
}
const AliasRow = Schema.Struct({ uuid: Schema.String, ...AliasFields })
export const SearchResponse = searchEnvelope(AliasRow)

const AliasItem = Schema.Struct(AliasFields)
export const ExportResponse = Schema.Struct({
  aliases: Schema.Struct({ alias: ItemMap(AliasItem) })
})

const BUILTIN_NAMES: ReadonlySet<string> = new Set(["bogons", "bogonsv6", "virusprot", "sshlockout"])

const origin = (uuid: string, name: string, type: string): Origin =>
  !isUuid(uuid) || name.startsWith("__") || BUILTIN_NAMES.has(name) || type === "internal" ? "builtin" : "mvc"

const aliasType = (raw: string): AliasSpec["type"] => {
  const decoded = Schema.decodeUnknownOption(AliasType)(raw)
  return decoded._tag === "Some" ? decoded.value : "external"
}

/** Content is newline-separated raw; a get-encoded map lists every alias with selected flags. */
const content = (field: Field | undefined): ReadonlyArray<string> =>
  typeof field === "object" && field !== null ? sortedSet(selectedKeys(field)) : lineSet(text(field))

const toLive = (uuid: string, item: typeof AliasItem.Type, categoryNames: ReadonlyMap<string, string>): LiveAlias => {
  const name = text(item.name)
  const type = single(item.type)
  const marked = parseMarker(text(item.description))
  const categoryIds = item.categories_uuid ?? selectedKeys(item.categories)
  return {
    uuid,
    origin: origin(uuid, name, type),
    ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
    spec: {
      name,
      type: aliasType(type),
      content: content(item.content),
      enabled: bool(item.enabled, true),
      description: marked.description,
      categories: sortedSet(categoryIds.map((id) => categoryNames.get(id) ?? id)),
      updateFrequency: text(item.updatefreq)
    }
  }
}

export const fromSearch = (
  response: typeof SearchResponse.Type,
  categoryNames: ReadonlyMap<string, string>
): ReadonlyArray<LiveAlias> => response.rows.map((row) => toLive(row.uuid, row, categoryNames))

/**
 * The uuids of authgroup aliases in search rows. Their `content` there is not what was written: the
 * controller maps the gids to group names after splitting the raw, newline-separated content on
 * ",", so one group comes back as its name and several as "" (opnsense/core 25.7, 26.1, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasController.php searchItemAction).
 * Writes take gids (AliasContentField validateGroups), so the content is read from `export`.
 */
export const authgroupUuids = (response: typeof SearchResponse.Type): ReadonlyArray<string> =>
  response.rows.filter((row) => single(row.type) === "authgroup").map((row) => row.uuid)

/** Replace the content of the aliases found in an `export?ids=` answer with their raw content. */
export const withExportedContent = (
  aliases: ReadonlyArray<LiveAlias>,
  exported: typeof ExportResponse.Type
): ReadonlyArray<LiveAlias> => {
  const raw = new Map(itemEntries(exported.aliases.alias))
  return aliases.map((alias) => {
    const item = raw.get(alias.uuid)
    return item === undefined ? alias : { ...alias, spec: { ...alias.spec, content: content(item.content) } }
  })
}

export const fromExport = (
  response: typeof ExportResponse.Type,
  categoryNames: ReadonlyMap<string, string>
): ReadonlyArray<LiveAlias> =>
  itemEntries(response.aliases.alias).map(([uuid, item]) => toLive(uuid, item, categoryNames))

/**
 * get_item/{uuid}: `{"alias":{...}}`. An unknown uuid is `{"alias":{"content":{...}}}` on 26.1.11+
 * (no name/type) or a 500 before; both mean "not found".
 */
export const GetResponse = Schema.Union([
  Schema.Struct({
    alias: Schema.Struct({ ...AliasFields, name: Schema.optional(Field), type: Schema.optional(Field) })
  }),
  Schema.Array(Schema.Unknown)
])

export const fromGet = (
  uuid: string,
  response: typeof GetResponse.Type,
  categoryNames: ReadonlyMap<string, string>
): LiveAlias | undefined => {
  if (!("alias" in response)) return undefined
  const { name, type, ...rest } = response.alias
  if (name === undefined || type === undefined) return undefined
  return toLive(uuid, { ...rest, name, type }, categoryNames)
}

/** get_alias_u_u_i_d/{name}: `{"uuid":"..."}`, or `[]` when no alias has that name. */
export const UuidResponse = Schema.Union([Schema.Struct({ uuid: Schema.String }), Schema.Array(Schema.Unknown)])
export const uuidOf = (
  response: typeof UuidResponse.Type
): string | undefined => ("uuid" in response ? response.uuid : undefined)

export const toWire = (spec: AliasSpec, owner: string, categoryIds: ReadonlyArray<string>) => ({
  [wrapper]: {
    enabled: spec.enabled ? "1" : "0",
    name: spec.name,
    type: spec.type,
    content: spec.content.join("\n"),
    description: withMarker(spec.description, owner),
    categories: categoryIds.join(","),
    updatefreq: spec.updateFrequency
  }
})

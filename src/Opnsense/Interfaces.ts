/**
 * The firewall's interfaces (`interfaces/overview/interfaces_info`, the same shape from 24.7 to
 * 26.7): one row per device ifconfig lists; assigned ones carry the config identifier, the
 * description (or the identifier in upper case) and the addresses with prefix length.
 * opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/OverviewController.php parseIfInfo
 *
 * The same description is what search_rule shows instead of the identifier in the `interface` of
 * legacy and automatic rows (getLegacyFieldMap, 26.1+), so this list also maps those back.
 */
import * as Schema from "effect/Schema"
import type { LiveInterface } from "../Domain/Model.ts"
import { searchEnvelope } from "./Wire.ts"

export const path = "interfaces/overview/interfaces_info"

const Address = Schema.Struct({ ipaddr: Schema.optional(Schema.String) })
const OverviewRow = Schema.Struct({
  device: Schema.optional(Schema.String),
  identifier: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  ipv4: Schema.optional(Schema.Array(Address)),
  ipv6: Schema.optional(Schema.Array(Address))
})
export const OverviewResponse = searchEnvelope(OverviewRow)

/** The assigned interfaces of an overview (unassigned devices have identifier ""). */
export const fromOverview = (response: typeof OverviewResponse.Type): ReadonlyArray<LiveInterface> =>
  response.rows.flatMap((row) => {
    const identifier = row.identifier ?? ""
    if (identifier === "") return []
    const addresses = [...(row.ipv4 ?? []), ...(row.ipv6 ?? [])].flatMap((a) =>
      a.ipaddr === undefined || a.ipaddr === "" ? [] : [a.ipaddr]
    )
    return [{
      identifier,
      description: row.description !== undefined && row.description !== "" ? row.description : identifier.toUpperCase(),
      device: row.device ?? "",
      addresses
    }]
  })

/**
 * firewall/filter/get_interface_list (25.7+): sections of `{value, label, type}` items, built from
 * every interface of config.xml (lo0 left out; 25.7 takes groups from the group model), so it also
 * has interfaces whose device does not exist yet, which the overview cannot show.
 * opnsense/core 25.7 and 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php getInterfaceListAction
 */
const ListItem = Schema.Struct({ value: Schema.String, label: Schema.String })
export const ListResponse = Schema.Record(
  Schema.String,
  Schema.Struct({ items: Schema.optional(Schema.Array(ListItem)) })
)
export const listPath = "firewall/filter/get_interface_list"

/**
 * The interfaces of the list (groups included), with device and addresses from the overview where
 * it has them; interfaces only the overview shows (lo0) are kept.
 */
export const merged = (
  list: typeof ListResponse.Type,
  overview: ReadonlyArray<LiveInterface>
): ReadonlyArray<LiveInterface> => {
  const named = ["groups", "interfaces"].flatMap((section) => list[section]?.items ?? [])
    .filter((item) => item.value !== "" && !item.value.startsWith("__"))
  const out: Array<LiveInterface> = named.map((item) => {
    const seen = overview.find((i) => i.identifier === item.value)
    return {
      identifier: item.value,
      description: item.label,
      device: seen?.device ?? "",
      addresses: seen?.addresses ?? []
    }
  })
  for (const i of overview) if (!out.some((o) => o.identifier === i.identifier)) out.push(i)
  return out
}

export type InterfaceName =
  | { readonly _tag: "Identifier"; readonly identifier: string }
  | { readonly _tag: "Description"; readonly identifier: string }
  | { readonly _tag: "Ambiguous"; readonly identifiers: ReadonlyArray<string> }
  | { readonly _tag: "Unknown" }

/**
 * What a name means among the interfaces: an identifier ("opt2") first, else a description
 * ("GUEST", compared as written, then without regard to case when that is unique).
 */
export const resolveInterface = (interfaces: ReadonlyArray<LiveInterface>, name: string): InterfaceName => {
  if (interfaces.some((i) => i.identifier === name)) return { _tag: "Identifier", identifier: name }
  const exact = interfaces.filter((i) => i.description === name)
  const matches = exact.length > 0
    ? exact
    : interfaces.filter((i) => i.description.toLowerCase() === name.toLowerCase())
  const [only] = matches
  if (only !== undefined && matches.length === 1) return { _tag: "Description", identifier: only.identifier }
  if (matches.length > 1) return { _tag: "Ambiguous", identifiers: matches.map((i) => i.identifier).sort() }
  return { _tag: "Unknown" }
}

/**
 * Interface descriptions back to identifiers (legacy rows, where every item is a description as
 * getLegacyFieldMap wrote it, so descriptions win over identifiers); a name without exactly one
 * match is kept as it is.
 */
export const toIdentifiers = (
  interfaces: ReadonlyArray<LiveInterface> | undefined,
  names: ReadonlyArray<string>
): ReadonlyArray<string> => {
  if (interfaces === undefined || names.length === 0) return names
  const mapped = names.map((name) => {
    const described = interfaces.filter((i) => i.description === name)
    const [only] = described
    if (only !== undefined && described.length === 1) return only.identifier
    return name
  })
  return [...new Set(mapped)].sort()
}

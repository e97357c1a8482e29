/**
 * VLANs (`interfaces/vlan_settings`): wire rows → LiveVlan, VlanSpec → wire body.
 * 25.7+ lists with search_item (raw values, one request); older versions return labels in search
 * rows, so they list with the whole-model `get` instead.
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { Field, itemEntries, ItemMap, searchEnvelope, single, text } from "../../Opnsense/Wire.ts"
import type { LiveVlan, VlanProto, VlanSpec } from "./Spec.ts"

export const base = "interfaces/vlan_settings"
export const wrapper = "vlan"

const VlanFields = {
  if: Field,
  tag: Field,
  pcp: Schema.optional(Field),
  proto: Schema.optional(Field),
  descr: Schema.optional(Field),
  vlanif: Schema.optional(Field)
}

const VlanRow = Schema.Struct({ uuid: Schema.String, ...VlanFields })
export const SearchResponse = searchEnvelope(VlanRow)

const VlanItem = Schema.Struct(VlanFields)
export const ModelResponse = Schema.Struct({ vlan: Schema.Struct({ vlan: ItemMap(VlanItem) }) })

/** Raw key, or the ≤25.1 search label ("Auto", "802.1Q"). */
const proto = (raw: string): VlanProto => {
  const lower = raw.toLowerCase()
  return lower === "802.1q" || lower === "802.1ad" ? lower : ""
}

/**
 * Search rows decorate an assigned device: "vlan2999 [SCRATCH]" (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php).
 */
const device = (raw: string): string => raw.replace(/\s*\[.*\]\s*$/, "")

/** Raw device name, or the ≤25.1 label "vtnet1 (00:00:5e:00:53:01) [LAN]". */
const parent = (raw: string): string => raw.split(" ")[0] ?? ""

/** Raw "0".."7", or the ≤25.1 label "Best Effort (0, default)". */
const priority = (raw: string): number => {
  const n = Number(raw === "" ? "0" : raw)
  if (Number.isInteger(n)) return n
  const match = /\((\d)/.exec(raw)
  return match !== null ? Number(match[1]) : 0
}

const toLive = (uuid: string, item: typeof VlanItem.Type): LiveVlan => {
  const marked = parseMarker(text(item.descr))
  const tag = Number(text(item.tag))
  return {
    uuid,
    origin: "mvc",
    ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
    device: device(text(item.vlanif)),
    spec: {
      parent: parent(single(item.if)),
      tag: Number.isFinite(tag) ? tag : 0,
      priority: priority(single(item.pcp)),
      proto: proto(single(item.proto)),
      description: marked.description
    }
  }
}

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LiveVlan> =>
  response.rows.map((row) => toLive(row.uuid, row))

export const fromModel = (response: typeof ModelResponse.Type): ReadonlyArray<LiveVlan> =>
  itemEntries(response.vlan.vlan).map(([uuid, item]) => toLive(uuid, item))

/** get_item/{uuid}: `{"vlan":{...}}`, or `[]` for an unknown uuid. */
export const GetResponse = Schema.Union([Schema.Struct({ vlan: VlanItem }), Schema.Array(Schema.Unknown)])

export const fromGet = (uuid: string, response: typeof GetResponse.Type): LiveVlan | undefined =>
  "vlan" in response ? toLive(uuid, response.vlan) : undefined

/**
 * Body for add_item/set_item. Without `device`, `vlanif` is left out so the firewall names new
 * devices itself; a revert gives the device name an object had, which the firewall then keeps
 * (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php generateVlanIfName).
 */
export const toWire = (spec: VlanSpec, owner: string, device?: string) => ({
  [wrapper]: {
    if: spec.parent,
    tag: String(spec.tag),
    pcp: String(spec.priority),
    proto: spec.proto,
    descr: withMarker(spec.description, owner),
    ...(device === undefined ? {} : { vlanif: device })
  }
})

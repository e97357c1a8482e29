/**
 * Kea DHCPv4 reservations (`kea/dhcpv4`, wrapper `reservation`): wire rows → LiveDhcpReservation,
 * spec → wire body (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Kea/Api/Dhcpv4Controller.php,
 * src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.xml). `subnet` is a ModelRelationField whose
 * display field is the subnet's CIDR: raw rows (25.7+) carry the uuid with the CIDR in the `%subnet`
 * twin (src/opnsense/mvc/app/library/OPNsense/Base/UIModelGrid.php fetch), older label rows the CIDR
 * itself, so a listing needs no read of the subnets.
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { Field, searchEnvelope, text } from "../../Opnsense/Wire.ts"
import { canonicalMac } from "./Mac.ts"
import type { DhcpReservationSpec, LiveDhcpReservation } from "./Spec.ts"

export const base = "kea/dhcpv4"
export const wrapper = "reservation"

const ReservationRow = Schema.Struct({
  uuid: Schema.String,
  subnet: Field,
  "%subnet": Schema.optional(Field),
  ip_address: Schema.optional(Field),
  hw_address: Schema.optional(Field),
  hostname: Schema.optional(Field),
  description: Schema.optional(Field)
})
export const SearchResponse = searchEnvelope(ReservationRow)

/** The subnet's CIDR: the `%subnet` label, or the label rows' value; a dangling uuid stays as it is. */
const subnetOf = (row: typeof ReservationRow.Type): string => {
  const label = text(row["%subnet"]).trim()
  const value = text(row.subnet).trim()
  return label !== "" ? label : value
}

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LiveDhcpReservation> =>
  response.rows.map((row) => {
    const marked = parseMarker(text(row.description))
    return {
      uuid: row.uuid,
      origin: "mvc",
      ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
      spec: {
        subnet: subnetOf(row),
        mac: canonicalMac(text(row.hw_address)),
        ip: text(row.ip_address).trim(),
        hostname: text(row.hostname).trim(),
        description: marked.description
      }
    }
  })

/** Body for add_reservation/set_reservation; `subnetUuid` is the uuid of the subnet with the spec's CIDR. */
export const toWire = (spec: DhcpReservationSpec, owner: string, subnetUuid: string) => ({
  [wrapper]: {
    subnet: subnetUuid,
    ip_address: spec.ip,
    hw_address: spec.mac,
    hostname: spec.hostname,
    description: withMarker(spec.description, owner)
  }
})

/**
 * Kea DHCPv4 reservations (`kea/dhcpv4`, wrapper `reservation`): wire rows → LiveDhcpReservation,
 * spec → wire body (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Kea/Api/Dhcpv4Controller.php,
 * src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.xml). `subnet` is a ModelRelationField: the
 * subnet's uuid in raw rows (25.7+), its CIDR in older label rows.
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { Field, isUuid, searchEnvelope, text } from "../../Opnsense/Wire.ts"
import { canonicalMac } from "./Mac.ts"
import type { DhcpReservationSpec, LiveDhcpReservation } from "./Spec.ts"

export const base = "kea/dhcpv4"
export const wrapper = "reservation"

const ReservationRow = Schema.Struct({
  uuid: Schema.String,
  subnet: Field,
  ip_address: Schema.optional(Field),
  hw_address: Schema.optional(Field),
  hostname: Schema.optional(Field),
  description: Schema.optional(Field)
})
export const SearchResponse = searchEnvelope(ReservationRow)

/** `cidrs`: subnet uuid → CIDR. */
export const fromSearch = (
  response: typeof SearchResponse.Type,
  cidrs: ReadonlyMap<string, string>
): ReadonlyArray<LiveDhcpReservation> =>
  response.rows.map((row) => {
    const marked = parseMarker(text(row.description))
    const subnet = text(row.subnet)
    return {
      uuid: row.uuid,
      origin: "mvc",
      ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
      spec: {
        subnet: isUuid(subnet) ? (cidrs.get(subnet) ?? subnet) : subnet.trim(),
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

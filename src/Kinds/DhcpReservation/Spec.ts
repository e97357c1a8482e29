/**
 * The canonical Kea DHCPv4 reservation (kea/dhcpv4 `reservation`) and the live one. The subnet is
 * named by its CIDR, which is the same on every firewall; the client turns it into the subnet's uuid.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

export const DhcpReservationSpec = Schema.Struct({
  /** the CIDR of the subnet the reservation belongs to, e.g. "10.30.0.0/24" */
  subnet: Schema.String,
  /** lower-case, colon-separated: "aa:bb:cc:00:11:22" */
  mac: Schema.String,
  /** the reserved IPv4 address */
  ip: Schema.String,
  hostname: Schema.String,
  description: Schema.String
})
export type DhcpReservationSpec = typeof DhcpReservationSpec.Type

export const LiveDhcpReservation = Schema.Struct({
  ...liveFields,
  spec: DhcpReservationSpec
})
export type LiveDhcpReservation = typeof LiveDhcpReservation.Type

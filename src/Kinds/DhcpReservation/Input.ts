/** A Kea DHCPv4 reservation as people write it in YAML (`dhcp_reservations:`). */
import * as Schema from "effect/Schema"
import { Description, doc, Name } from "../../DesiredState/Fields.ts"

export const DhcpReservationInput = Schema.Struct({
  name: Name,
  subnet: doc(Schema.String, "the DHCP subnet it belongs to: the name of a dhcp_subnets item, or its CIDR"),
  mac: doc(Schema.String, "the client's MAC address, e.g. aa:bb:cc:00:11:22 (one reservation per MAC and subnet)"),
  ip: doc(Schema.String, "the fixed IPv4 address, inside the subnet and outside its pools"),
  hostname: Schema.optionalKey(doc(Schema.String, "host name handed to the client (a DNS label or name)")),
  description: Schema.optionalKey(Description)
})
export type DhcpReservationInput = typeof DhcpReservationInput.Type

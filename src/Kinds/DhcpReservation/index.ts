/** Kea DHCPv4 reservations (`dhcp_reservations:` in YAML, kea/dhcpv4 `reservation` on the firewall). */
import { slug } from "../../Domain/Text.ts"
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { DhcpReservationInput } from "./Input.ts"
import { friendlyDhcpReservation } from "./Render.ts"
import { DhcpReservationSpec, LiveDhcpReservation } from "./Spec.ts"
import { checkDhcpReservations, dhcpReservationSpec } from "./Yaml.ts"

export const dhcpReservation = defineKind({
  name: "dhcp_reservation",
  collection: "dhcp_reservations",
  noun: ["DHCP reservation", "DHCP reservations"],
  subsystem: "kea",
  // a reservation names its subnet: subnets are written first and deleted last
  dependsOn: ["dhcp_subnet"],
  spec: DhcpReservationSpec,
  live: LiveDhcpReservation,
  yaml: {
    input: DhcpReservationInput,
    description: "Kea DHCPv4 reservations: a fixed address for a MAC address in one of the DHCP subnets",
    check: (items, context) => checkDhcpReservations(items, context),
    normalise: (input, context) => dhcpReservationSpec(input, context),
    render: friendlyDhcpReservation
  },
  identity: {
    // opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.xml hw_address
    // UniqueConstraint with subnet (case-insensitive)
    adoptionKey: (spec) => `${spec.subnet} ${spec.mac}`,
    label: (live) => `${live.spec.ip} (${live.spec.mac})`
  },
  importer: {
    file: "dhcp-reservations.yaml",
    name: (live, known) =>
      known ?? live.owner ?? slug(live.spec.hostname) ?? slug(live.spec.description) ??
        `host-${live.spec.ip.replace(/\./g, "-")}`
  },
  listing: {
    row: (r) => ({
      uuid: r.uuid,
      name: r.owner ?? r.spec.ip,
      managed: r.owner !== undefined,
      origin: r.origin,
      ...r.spec
    }),
    fields: ["name", "uuid", "managed", "subnet", "mac", "ip", "hostname", "description"]
  },
  client
})

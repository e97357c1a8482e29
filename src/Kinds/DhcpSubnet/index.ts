/** Kea DHCPv4 subnets (`dhcp_subnets:` in YAML, kea/dhcpv4 `subnet4` on the firewall). */
import { slug } from "../../Domain/Text.ts"
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { DhcpSubnetInput } from "./Input.ts"
import { friendlyDhcpSubnet } from "./Render.ts"
import { DhcpSubnetSpec, LiveDhcpSubnet } from "./Spec.ts"
import { checkDhcpSubnets, dhcpSubnetSpec } from "./Yaml.ts"

export const dhcpSubnet = defineKind({
  name: "dhcp_subnet",
  collection: "dhcp_subnets",
  noun: ["DHCP subnet", "DHCP subnets"],
  subsystem: "kea",
  dependsOn: [],
  spec: DhcpSubnetSpec,
  live: LiveDhcpSubnet,
  yaml: {
    input: DhcpSubnetInput,
    description: "Kea DHCPv4 subnets: the network served, its dynamic pools and the options offered",
    check: (items) => checkDhcpSubnets(items),
    normalise: (input) => dhcpSubnetSpec(input),
    render: friendlyDhcpSubnet
  },
  identity: {
    // opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.xml subnet UniqueConstraint
    adoptionKey: (spec) => spec.subnet,
    label: (live) => live.spec.subnet
  },
  importer: {
    file: "dhcp.yaml",
    name: (live, known) =>
      known ?? live.owner ?? slug(live.spec.description) ?? `subnet-${live.spec.subnet.replace(/[./]/g, "-")}`
  },
  listing: {
    row: (s) => ({
      uuid: s.uuid,
      name: s.owner ?? s.spec.subnet,
      managed: s.owner !== undefined,
      origin: s.origin,
      ...s.spec
    }),
    fields: ["name", "uuid", "managed", "subnet", "pools", "routers", "dnsServers", "description"]
  },
  client
})

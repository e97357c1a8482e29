/**
 * Kea DHCPv4 subnets (`kea/dhcpv4`, wrapper `subnet4`): wire rows → LiveDhcpSubnet, spec → wire
 * body (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Kea/Api/Dhcpv4Controller.php,
 * src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.xml). Search rows flatten `option_data` into
 * dotted keys (UIModelGrid::fetch getFlatNodes); option addresses are comma lists (NetworkField
 * AsList), pools one per line (KeaPoolsField).
 */
import * as Schema from "effect/Schema"
import { parseMarker, withMarker } from "../../Domain/Ownership.ts"
import { bool, Field, searchEnvelope, text } from "../../Opnsense/Wire.ts"
import type { DhcpSubnetSpec, LiveDhcpSubnet } from "./Spec.ts"

export const base = "kea/dhcpv4"
export const wrapper = "subnet4"

const SubnetRow = Schema.Struct({
  uuid: Schema.String,
  subnet: Field,
  pools: Schema.optional(Field),
  option_data_autocollect: Schema.optional(Field),
  "option_data.routers": Schema.optional(Field),
  "option_data.domain_name_servers": Schema.optional(Field),
  "option_data.domain_name": Schema.optional(Field),
  description: Schema.optional(Field)
})
export const SearchResponse = searchEnvelope(SubnetRow)

const items = (raw: string, separator: string): ReadonlyArray<string> =>
  raw.split(separator).map((s) => s.trim()).filter((s) => s !== "")

const toLive = (row: typeof SubnetRow.Type): LiveDhcpSubnet => {
  const marked = parseMarker(text(row.description))
  // BooleanField, default 1 (KeaDhcpv4.xml option_data_autocollect)
  const auto = bool(row.option_data_autocollect, true)
  return {
    uuid: row.uuid,
    origin: "mvc",
    ...(marked.owner !== undefined ? { owner: marked.owner } : {}),
    spec: {
      subnet: text(row.subnet).trim(),
      pools: items(text(row.pools), "\n").map((p) => p.split("-").map((x) => x.trim()).join("-")),
      autoOptions: auto,
      // with autocollect the firewall writes its own address here: not ours to compare
      routers: auto ? [] : items(text(row["option_data.routers"]), ","),
      dnsServers: auto ? [] : items(text(row["option_data.domain_name_servers"]), ","),
      domainName: text(row["option_data.domain_name"]).trim(),
      description: marked.description
    }
  }
}

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LiveDhcpSubnet> =>
  response.rows.map(toLive)

/**
 * Body for add_subnet/set_subnet. With auto options the router and DNS lists are left out, so the
 * firewall keeps what it collected.
 */
export const toWire = (spec: DhcpSubnetSpec, owner: string) => ({
  [wrapper]: {
    subnet: spec.subnet,
    pools: spec.pools.join("\n"),
    option_data_autocollect: spec.autoOptions ? "1" : "0",
    option_data: {
      ...(spec.autoOptions
        ? {}
        : { routers: spec.routers.join(","), domain_name_servers: spec.dnsServers.join(",") }),
      domain_name: spec.domainName
    },
    description: withMarker(spec.description, owner)
  }
})

/**
 * Kea DHCPv4 subnet calls on one firewall (`kea/dhcpv4/*_subnet`, `kea/service/reconfigure`;
 * opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Kea/Api/Dhcpv4Controller.php,
 * ServiceController.php).
 */
import * as Effect from "effect/Effect"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { DhcpSubnetSpec, LiveDhcpSubnet } from "./Spec.ts"
import * as Subnets from "./Wire.ts"

/** One `kea/service/reconfigure` renders and reloads Kea for subnets and reservations alike. */
export const keaReconfigure = (kit: ClientKit) =>
  kit.reconfigure("kea/service/reconfigure", "Kea reconfigure").pipe(Effect.withSpan("Opnsense.kea.reconfigure"))

/** Every subnet, read now (reservations resolve their subnet's uuid with it). */
export const listSubnets = (kit: ClientKit) =>
  kit.http.json(Subnets.SearchResponse, "POST", `${Subnets.base}/search_subnet`, { body: allRows, idempotent: true })
    .pipe(Effect.map(Subnets.fromSearch))

export const client = (kit: ClientKit): KindApi<DhcpSubnetSpec, LiveDhcpSubnet> => {
  const list = listSubnets(kit)
  const owned = (owner: string) => Effect.map(list, (all) => all.find((s) => s.owner === owner)?.uuid)
  return {
    list: list.pipe(Effect.withSpan("Opnsense.dhcpSubnets.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: Effect.fn("Opnsense.dhcpSubnets.create")(function*(spec: DhcpSubnetSpec, owner: string) {
      return yield* kit.create(`${Subnets.base}/add_subnet`, Subnets.wrapper, Subnets.toWire(spec, owner), owned(owner))
    }),
    update: Effect.fn("Opnsense.dhcpSubnets.update")(function*(uuid: string, spec: DhcpSubnetSpec, owner: string) {
      yield* kit.update(`${Subnets.base}/set_subnet/${uuid}`, Subnets.wrapper, Subnets.toWire(spec, owner))
    }),
    remove: Effect.fn("Opnsense.dhcpSubnets.remove")(function*(uuid: string) {
      yield* kit.remove(`${Subnets.base}/del_subnet/${uuid}`, "DHCP subnet", uuid)
    }),
    reconfigure: keaReconfigure(kit)
  }
}

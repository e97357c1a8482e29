/**
 * Kea DHCPv4 reservation calls on one firewall (`kea/dhcpv4/*_reservation`; opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Kea/Api/Dhcpv4Controller.php). The spec names its
 * subnet by CIDR; each write looks the subnet's uuid up now, since the subnet may have been
 * created earlier in the same apply.
 */
import * as Effect from "effect/Effect"
import { ValidationError } from "../../Opnsense/Errors.ts"
import { allRows } from "../../Opnsense/Wire.ts"
import { keaReconfigure, listSubnets } from "../DhcpSubnet/Client.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import type { DhcpReservationSpec, LiveDhcpReservation } from "./Spec.ts"
import * as Reservations from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<DhcpReservationSpec, LiveDhcpReservation> => {
  const subnets = listSubnets(kit)
  const list = kit.http.json(Reservations.SearchResponse, "POST", `${Reservations.base}/search_reservation`, {
    body: allRows,
    idempotent: true
  }).pipe(Effect.map(Reservations.fromSearch))
  const owned = (owner: string) => Effect.map(list, (all) => all.find((r) => r.owner === owner)?.uuid)
  const subnetUuid = (spec: DhcpReservationSpec, endpoint: string) =>
    Effect.flatMap(subnets, (all) => {
      const found = all.find((s) => s.spec.subnet === spec.subnet)
      return found !== undefined
        ? Effect.succeed(found.uuid)
        : Effect.fail(
          new ValidationError({
            message: `no DHCP subnet ${spec.subnet} on ${kit.site} for the reservation of ${spec.mac}: ` +
              "declare it under dhcp_subnets or create it on the firewall",
            site: kit.site,
            endpoint,
            validations: { "reservation.subnet": `no subnet ${spec.subnet}` }
          })
        )
    })
  return {
    list: list.pipe(Effect.withSpan("Opnsense.dhcpReservations.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: Effect.fn("Opnsense.dhcpReservations.create")(function*(spec: DhcpReservationSpec, owner: string) {
      const path = `${Reservations.base}/add_reservation`
      const subnet = yield* subnetUuid(spec, path)
      return yield* kit.create(path, Reservations.wrapper, Reservations.toWire(spec, owner, subnet), owned(owner))
    }),
    update: Effect.fn("Opnsense.dhcpReservations.update")(
      function*(uuid: string, spec: DhcpReservationSpec, owner: string) {
        const path = `${Reservations.base}/set_reservation/${uuid}`
        const subnet = yield* subnetUuid(spec, path)
        yield* kit.update(path, Reservations.wrapper, Reservations.toWire(spec, owner, subnet))
      }
    ),
    remove: Effect.fn("Opnsense.dhcpReservations.remove")(function*(uuid: string) {
      yield* kit.remove(`${Reservations.base}/del_reservation/${uuid}`, "DHCP reservation", uuid)
    }),
    reconfigure: keaReconfigure(kit)
  }
}

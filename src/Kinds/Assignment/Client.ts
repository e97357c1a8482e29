/**
 * Interface assignment calls on one firewall (`interfaces/assignment`, 26.7+; opnsense/core
 * 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/AssignmentController.php).
 * Before 26.7 the API has no assignments: the kind lists nothing there, and plan refuses desired
 * assignments (src/Reconciler/Interfaces.ts).
 */
import * as Effect from "effect/Effect"
import { NotFoundError } from "../../Opnsense/Errors.ts"
import { allRows, isUuid } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import { client as vlanClient } from "../Vlan/Client.ts"
import { type AssignmentSpec, type LiveAssignment, vlanReference } from "./Spec.ts"
import * as Assignments from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<AssignmentSpec, LiveAssignment> => {
  const vlans = vlanClient(kit)
  const list = Effect.flatMap(kit.capabilities, (c) =>
    c.assignments
      ? kit.http.json(Assignments.SearchResponse, "POST", `${Assignments.base}/search_item`, {
        body: allRows,
        idempotent: true
      }).pipe(Effect.map(Assignments.fromSearch))
      : Effect.succeed<ReadonlyArray<LiveAssignment>>([]))
  const assignedTo = (device: string) =>
    Effect.map(list, (all) => all.find((a) => a.spec.device === device)?.identifier)

  /**
   * The device to post: a device name as it is; a VLAN reference becomes the device of the VLAN
   * that carries the site's marker for it (created earlier in this apply, so the plan could not
   * name its device yet).
   */
  const deviceOf = (spec: AssignmentSpec) => {
    const vlan = vlanReference(spec.device)
    if (vlan === undefined) return Effect.succeed(spec.device)
    return Effect.flatMap(vlans.list, (all) => {
      const found = all.find((v) => v.owner === vlan)
      return found !== undefined && found.device !== ""
        ? Effect.succeed(found.device)
        : Effect.fail(
          new NotFoundError({
            message: `VLAN "${vlan}" has no device on site "${kit.site}": create the VLAN before assigning it`,
            site: kit.site,
            endpoint: "POST interfaces/vlan_settings/search_item"
          })
        )
    })
  }

  return {
    list: list.pipe(Effect.withSpan("Opnsense.assignments.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: Effect.fn("Opnsense.assignments.create")(function*(spec: AssignmentSpec) {
      const device = yield* deviceOf(spec)
      const uuid = yield* kit.create(
        `${Assignments.base}/add_item`,
        Assignments.wrapper,
        Assignments.toWire(spec, device),
        assignedTo(device)
      )
      // 26.7.2 answers the new identifier; 26.7 and 26.7.1 the model node's random uuid, which
      // names nothing afterwards (opnsense/core 26.7.2: NetworkInterface.php serializeToConfig)
      if (!isUuid(uuid)) return uuid
      const identifier = yield* assignedTo(device)
      if (identifier !== undefined) return identifier
      return yield* new NotFoundError({
        message: `device ${device} was assigned on site "${kit.site}" but no interface lists it`,
        site: kit.site,
        endpoint: `POST ${Assignments.base}/search_item`
      })
    }),
    update: Effect.fn("Opnsense.assignments.update")(function*(identifier: string, spec: AssignmentSpec) {
      const device = yield* deviceOf(spec)
      yield* kit.update(
        `${Assignments.base}/set_item/${identifier}`,
        Assignments.wrapper,
        Assignments.toWire(spec, device)
      )
    }),
    // a locked interface cannot be removed ("Interface locked, unset lock first before removal"):
    // unlock first, as in the GUI (opnsense/core 26.7.2: AssignmentController.php delItemAction)
    remove: Effect.fn("Opnsense.assignments.remove")(function*(identifier: string) {
      const current = (yield* list).find((a) => a.identifier === identifier)
      if (current?.spec.lock === true) {
        yield* kit.update(`${Assignments.base}/set_item/${identifier}`, Assignments.wrapper, Assignments.unlocked)
      }
      yield* kit.remove(`${Assignments.base}/del_item/${identifier}`, "interface", identifier)
    }),
    // applies noted deletions and device changes, then reloads the filter
    reconfigure: kit.reconfigure(`${Assignments.base}/reconfigure`, "interface assignment reconfigure").pipe(
      Effect.withSpan("Opnsense.assignments.reconfigure")
    )
  }
}

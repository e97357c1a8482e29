/**
 * Interface assignments (`interfaces/assignment`, 26.7+): wire rows → LiveAssignment, spec → wire
 * body. The model is config.xml's `<interfaces>` seen as an ArrayField keyed by identifier, so a
 * row's `uuid` is the identifier (`opt1`) (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.php __construct).
 *
 * No ownership marker: at 26.7.2 the description must match /^[a-z_0-9]{0,255}$/i
 * (NetworkInterface.xml `descr` Mask), which leaves no room for `[gitops:<name>]`. An assignment
 * is ours through state.json's record, and adopted by its device.
 */
import * as Schema from "effect/Schema"
import { Field, searchEnvelope, single, text } from "../../Opnsense/Wire.ts"
import type { AssignmentSpec, LiveAssignment } from "./Spec.ts"

export const base = "interfaces/assignment"
export const wrapper = "interface"

const Row = Schema.Struct({
  uuid: Schema.String,
  identifier: Schema.optional(Field),
  if: Schema.optional(Field),
  descr: Schema.optional(Field),
  lock: Schema.optional(Field)
})
export const SearchResponse = searchEnvelope(Row)

const toLive = (row: typeof Row.Type): LiveAssignment => {
  const identifier = text(row.identifier) || row.uuid
  return {
    uuid: identifier,
    origin: "mvc",
    identifier,
    spec: {
      device: single(row.if),
      description: text(row.descr),
      lock: text(row.lock) === "1"
    }
  }
}

export const fromSearch = (response: typeof SearchResponse.Type): ReadonlyArray<LiveAssignment> =>
  response.rows.map(toLive)

/** Body for add_item/set_item; `device` is the resolved device name. */
export const toWire = (spec: AssignmentSpec, device: string) => ({
  [wrapper]: { if: device, descr: spec.description, lock: spec.lock ? "1" : "0" }
})

/** set_item with only the lock: setBase changes the posted fields only. */
export const unlocked = { [wrapper]: { lock: "0" } }

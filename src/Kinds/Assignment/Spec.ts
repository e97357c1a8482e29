/**
 * The canonical interface assignment (interfaces/assignment, 26.7+) and the live one.
 * The canonical form's general rules are in src/Domain/Model.ts.
 *
 * The model has the device (`if`), the description (`descr`) and the removal lock; the identifier
 * (`wan`, `lan`, `opt1`, …) is chosen by the firewall and is the object's key in the API
 * (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.xml/.php).
 * Enabling and addressing an interface are not part of this model.
 */
import * as Schema from "effect/Schema"
import { liveFields } from "../../Domain/Model.ts"

/** How an unresolved VLAN reference is written in `device`: the device a VLAN of the site gets. */
export const VLAN_REFERENCE = "vlan:"

export const AssignmentSpec = Schema.Struct({
  /**
   * the device, e.g. "igb2" or "vlan02"; "vlan:<name>" names the device of the site's VLAN
   * <name> while that VLAN does not exist on the firewall yet (resolved at plan and apply time)
   */
  device: Schema.String,
  /** what the GUI and rules call the interface; "" shows as the identifier in upper case */
  description: Schema.String,
  /** the lock refuses removal (the model's default for new assignments is locked) */
  lock: Schema.Boolean
})
export type AssignmentSpec = typeof AssignmentSpec.Type

export const LiveAssignment = Schema.Struct({
  ...liveFields,
  /** the interface identifier, e.g. "opt1"; the same as `uuid` (the API's key) */
  identifier: Schema.String,
  spec: AssignmentSpec
})
export type LiveAssignment = typeof LiveAssignment.Type

/** The VLAN name a device reference stands for, or undefined for a device name. */
export const vlanReference = (device: string): string | undefined =>
  device.startsWith(VLAN_REFERENCE) ? device.slice(VLAN_REFERENCE.length) : undefined

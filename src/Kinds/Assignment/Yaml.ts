/**
 * Interface assignments: one device per interface, descriptions as the model's mask allows
 * (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.xml),
 * and their canonical specs. Whether a `vlan` names a VLAN of the site is checked at plan time,
 * with the firewall's VLANs (src/Reconciler/Interfaces.ts).
 */
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { AssignmentInput } from "./Input.ts"
import { type AssignmentSpec, VLAN_REFERENCE } from "./Spec.ts"

const DEVICE = /^[a-z][a-z0-9_]*[0-9](\.[0-9]+)*$/
/** opnsense/core 26.7.2: NetworkInterface.xml `descr` Mask (26.7 and 26.7.1 have none) */
const DESCRIPTION = /^[a-z_0-9]{0,255}$/i

export const assignmentSpec = (input: AssignmentInput): AssignmentSpec => ({
  device: input.vlan !== undefined ? `${VLAN_REFERENCE}${input.vlan}` : (input.device ?? ""),
  description: input.description ?? "",
  lock: input.lock ?? true
})

export const checkAssignments = (items: ReadonlyArray<Located<AssignmentInput>>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const devices = new Map<string, Located<AssignmentInput>>()
  const descriptions = new Map<string, Located<AssignmentInput>>()
  for (const item of items) {
    issues.push(...checkCommon(item))
    const { description, device, vlan } = item.value
    if ((device === undefined) === (vlan === undefined)) {
      issues.push(report(item, device === undefined ? [] : ["vlan"], {
        code: "assignment-device",
        message: device === undefined
          ? "an assignment needs `device` (a device name) or `vlan` (a VLAN of this site)"
          : "give either `device` or `vlan`, not both",
        hint: "e.g. `vlan: iot` for the device of the site's VLAN iot, or `device: igb2`"
      }))
    }
    if (device !== undefined && !DEVICE.test(device)) {
      issues.push(report(item, ["device"], {
        code: "invalid-device",
        message: `"${device}" is not a network device name`,
        hint: "name the device as ifconfig shows it, e.g. igb2, vlan01, lagg0"
      }))
    }
    if (description !== undefined && !DESCRIPTION.test(description)) {
      issues.push(report(item, ["description"], {
        code: "invalid-interface-description",
        message: `description "${description}" may hold only letters, digits and _ (OPNsense 26.7.2 refuses others)`,
        hint: "e.g. IOT or guest_wifi; rules may name the interface by it"
      }))
    }
    const key = vlan !== undefined ? `${VLAN_REFERENCE}${vlan}` : device
    const first = key === undefined ? undefined : devices.get(key)
    if (key !== undefined && first === undefined) devices.set(key, item)
    else if (first !== undefined) {
      issues.push(report(item, [vlan !== undefined ? "vlan" : "device"], {
        code: "duplicate-assignment-device",
        message: `${
          vlan !== undefined ? `VLAN "${vlan}"` : `device "${device}"`
        } is already assigned by "${first.name}" (${first.source.file}:${first.source.line})`,
        hint: "OPNsense assigns a device to one interface only"
      }))
    }
    if (description !== undefined && description !== "") {
      const seen = descriptions.get(description.toLowerCase())
      if (seen === undefined) descriptions.set(description.toLowerCase(), item)
      else {
        issues.push(report(item, ["description"], {
          code: "duplicate-interface-description",
          message:
            `description "${description}" is already used by "${seen.name}" (${seen.source.file}:${seen.source.line})`,
          hint: "rules name interfaces by description: each must be unique"
        }))
      }
    }
  }
  return issues
}

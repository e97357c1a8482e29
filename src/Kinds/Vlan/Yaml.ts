/** VLANs: parent device, tag unique per parent (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/Vlan.xml), and their canonical specs. */
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { VlanInput } from "./Input.ts"
import type { VlanProto, VlanSpec } from "./Spec.ts"

const PARENT = /^[a-z][a-z0-9_]*[0-9](\.[0-9]+)*$/
/** Devices OPNsense does not offer as VLAN parents. */
const EXCLUDED_PARENT = /^(qinq|lo|enc|pflog|pfsync|bridge)[0-9]/

export const vlanSpec = (input: VlanInput): VlanSpec => ({
  parent: input.parent,
  tag: input.tag,
  priority: input.priority ?? 0,
  proto: toProto(input.proto),
  description: input.description ?? ""
})

const toProto = (proto: VlanInput["proto"]): VlanProto => (proto === undefined || proto === "auto" ? "" : proto)

export const checkVlans = (vlans: ReadonlyArray<Located<VlanInput>>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const tags = new Map<string, Located<VlanInput>>()
  for (const vlan of vlans) {
    issues.push(...checkCommon(vlan))
    const { parent, tag } = vlan.value
    if (!PARENT.test(parent)) {
      issues.push(report(vlan, ["parent"], {
        code: "invalid-parent",
        message: `"${parent}" is not a network device name`,
        hint: "name the parent device as ifconfig shows it, e.g. igb1, vtnet0, lagg0"
      }))
    } else if (EXCLUDED_PARENT.test(parent)) {
      issues.push(report(vlan, ["parent"], {
        code: "invalid-parent",
        message: `"${parent}" cannot carry VLANs (loopback, enc, pflog, pfsync, bridge and qinq devices are excluded)`,
        hint: "use the physical or lagg device the VLAN runs on"
      }))
    }
    const key = `${parent}\u0000${tag}`
    const first = tags.get(key)
    if (first === undefined) tags.set(key, vlan)
    else {
      issues.push(report(vlan, ["tag"], {
        code: "duplicate-vlan-tag",
        message:
          `tag ${tag} on ${parent} is already used by VLAN "${first.name}" (${first.source.file}:${first.source.line})`,
        hint: "a tag must be unique per parent device"
      }))
    }
  }
  return issues
}

/**
 * Desired assignments against the firewall at plan time (src/Reconciler/Interfaces.ts calls this):
 *
 * - a `vlan:` reference becomes the device of that VLAN when the firewall has it (the VLAN owned
 *   under that name, else the one with the desired VLAN's parent and tag), so the diff compares
 *   device names; a VLAN created by the same apply keeps the reference, which the client
 *   resolves after the VLAN exists;
 * - the interfaces the desired assignments will be, for the rules that name them: an existing
 *   assignment keeps its identifier; a new one gets the identifier the firewall will give it,
 *   the first `optN` no config interface has, in the order the apply creates them
 *   (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.php
 *   serializeToConfig; an interface awaiting deletion keeps its identifier until reconfigure);
 * - before 26.7 there is no assignment API: every desired assignment is an error naming the
 *   device to assign in the GUI.
 */
import type { DesiredSite, Issue } from "../../Domain/Desired.ts"
import type { LiveInterface, LiveSnapshot } from "../../Domain/Model.ts"
import { capabilities } from "../../Opnsense/Version.ts"
import type { DesiredItem } from "../Kind.ts"
import { type AssignmentSpec, vlanReference } from "./Spec.ts"

export interface ResolvedAssignments {
  readonly assignments: ReadonlyArray<DesiredItem<AssignmentSpec>>
  /** the interfaces the desired assignments are or will be (identifier and description) */
  readonly interfaces: ReadonlyArray<LiveInterface>
  readonly errors: ReadonlyArray<Issue>
}

const issue = (item: DesiredItem<AssignmentSpec>, code: string, message: string, hint: string): Issue => ({
  file: item.source.file,
  line: item.source.line,
  column: item.source.column,
  severity: "error",
  code,
  message,
  name: item.name,
  kind: "assignment",
  hint
})

/** The device a desired assignment names on this firewall, or why there is none (yet). */
const deviceOf = (
  site: DesiredSite,
  live: LiveSnapshot,
  spec: AssignmentSpec
): { readonly device: string } | { readonly pending: string } | { readonly unknown: string } => {
  const name = vlanReference(spec.device)
  if (name === undefined) return { device: spec.device }
  const desired = site.vlans.find((v) => v.name === name)
  if (desired === undefined) return { unknown: name }
  const existing = live.vlans.find((v) => v.owner === name) ??
    live.vlans.find((v) => v.spec.parent === desired.spec.parent && v.spec.tag === desired.spec.tag)
  return existing !== undefined && existing.device !== ""
    ? { device: existing.device }
    : { pending: `the device of VLAN ${desired.spec.tag} on ${desired.spec.parent} (VLAN "${name}")` }
}

export const resolveAssignments = (site: DesiredSite, live: LiveSnapshot): ResolvedAssignments => {
  const errors: Array<Issue> = []
  const supported = capabilities(live.version).assignments
  const listed = live.interfaces ?? []
  const taken = new Set([...listed.map((i) => i.identifier), ...live.assignments.map((a) => a.identifier)])
  const interfaces: Array<LiveInterface> = []
  const assignments = site.assignments.map((item) => {
    const found = deviceOf(site, live, item.spec)
    if ("unknown" in found) {
      errors.push(issue(
        item,
        "unknown-vlan",
        `vlan "${found.unknown}" is no VLAN of this site`,
        "name a `vlans:` item of the site, or give the device with `device:`"
      ))
      return item
    }
    if (!supported) {
      const device = "device" in found ? found.device : found.pending
      const assigned = "device" in found ? listed.find((i) => i.device === found.device) : undefined
      errors.push(issue(
        item,
        "assignment-unsupported",
        assigned !== undefined
          ? `${device} is already assigned as ${assigned.identifier} (${assigned.description}); OPNsense ${live.version.raw} cannot manage assignments through its API (26.7 and later can)`
          : `OPNsense ${live.version.raw} cannot assign interfaces through its API (26.7 and later can): assign ${device} in the GUI (Interfaces ▸ Assignments${
            item.spec.description === "" ? "" : `, description ${item.spec.description}`
          })`,
        "remove the item and name the interface in rules by its identifier or description"
      ))
      return item
    }
    const device = "device" in found ? found.device : undefined
    const resolved = device === undefined || device === item.spec.device
      ? item
      : { ...item, spec: { ...item.spec, device } }
    const description = item.spec.description.toLowerCase()
    const existing = (device === undefined ? undefined : live.assignments.find((a) => a.spec.device === device)) ??
      (description === "" ? undefined : live.assignments.find((a) => a.spec.description.toLowerCase() === description))
    let identifier = existing?.identifier
    if (identifier === undefined) {
      let n = 1
      while (taken.has(`opt${n}`)) n++
      identifier = `opt${n}`
      taken.add(identifier)
    }
    interfaces.push({
      identifier,
      description: item.spec.description === "" ? identifier.toUpperCase() : item.spec.description,
      device: device ?? "",
      addresses: listed.find((i) => i.identifier === identifier)?.addresses ?? []
    })
    return resolved
  })
  return { assignments, interfaces, errors }
}

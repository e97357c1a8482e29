/**
 * The interfaces desired rules name, checked against the firewall at plan time: a rule may name an
 * interface by identifier ("opt2") or by description ("GUEST"); both become the identifier, the
 * only form the filter model accepts. A name that is no interface of the firewall, or the
 * description of several, is an error of the plan rather than a failed write at apply time.
 *
 * Known interfaces: the interface list (interfaces/overview: assigned interfaces and lo0), the
 * names live rules already use (interface groups, which that list does not show), and the
 * interfaces the site's assignments are or will be (a rule may name the description of an
 * assignment the same apply creates). The assignments themselves are checked here too
 * (src/Kinds/Assignment/Plan.ts): before 26.7 they are errors naming the device to assign.
 */
import type { DesiredRule, DesiredSite, Issue } from "../Domain/Desired.ts"
import type { LiveInterface, LiveSnapshot } from "../Domain/Model.ts"
import { resolveAssignments } from "../Kinds/Assignment/Plan.ts"
import type { LiveVlan } from "../Kinds/Vlan/Spec.ts"
import { resolveInterface } from "../Opnsense/Interfaces.ts"

export interface ResolvedSite {
  readonly site: DesiredSite
  /** one per rule interface that could not be resolved, pointing at the YAML */
  readonly errors: ReadonlyArray<Issue>
  readonly warnings: ReadonlyArray<string>
}

const before267 = (live: LiveSnapshot) =>
  live.version.major < 26 || (live.version.major === 26 && live.version.minor < 7)

/** The VLAN a name stands for: a live VLAN device ("vlan02") or a desired VLAN's name. */
const vlanNamed = (site: DesiredSite, live: LiveSnapshot, name: string): string | undefined => {
  const described = (v: LiveVlan) => `device ${v.device} (VLAN ${v.spec.tag} on ${v.spec.parent})`
  const device = live.vlans.find((v) => v.device === name || v.owner === name)
  if (device !== undefined) return described(device)
  const desired = site.vlans.find((v) => v.name === name)
  if (desired === undefined) return undefined
  const existing = live.vlans.find((v) => v.spec.parent === desired.spec.parent && v.spec.tag === desired.spec.tag)
  return existing !== undefined
    ? described(existing)
    : `the device of VLAN ${desired.spec.tag} on ${desired.spec.parent} once it exists (apply the VLAN first)`
}

const unknownMessage = (site: DesiredSite, live: LiveSnapshot, name: string, known: ReadonlyArray<LiveInterface>) => {
  const assigned = known.find((i) => i.device === name)
  if (assigned !== undefined) {
    return `"${name}" is a device, assigned to interface ${assigned.identifier} (${assigned.description}): name that`
  }
  const list = known.map((i) => (i.description === i.identifier ? i.identifier : `${i.identifier} (${i.description})`))
    .join(", ")
  const vlan = vlanNamed(site, live, name)
  const assign = vlan === undefined
    ? ""
    : before267(live)
    ? `; assign ${vlan} to an interface in the GUI (Interfaces ▸ Assignments: OPNsense ${live.version.raw} cannot assign interfaces through its API), then name the interface by its identifier or description`
    : `; assign ${vlan} to an interface (an \`assignments:\` item, or Interfaces ▸ Assignments), then name the interface by its identifier or description`
  return `interface "${name}" is not an interface of the firewall (it has ${list})${assign}`
}

const issue = (rule: DesiredRule, code: string, message: string, hint: string): Issue => ({
  file: rule.source.file,
  line: rule.source.line,
  column: rule.source.column,
  severity: "error",
  code,
  message,
  name: rule.name,
  kind: "rule",
  hint
})

export const resolveSiteInterfaces = (site: DesiredSite, live: LiveSnapshot): ResolvedSite => {
  const assigned = resolveAssignments(site, live)
  if (live.interfaces === undefined) {
    return {
      site: { ...site, assignments: assigned.assignments },
      errors: assigned.errors,
      warnings: [
        "the firewall's interface list could not be read: the interfaces rules name are not checked before apply"
      ]
    }
  }
  // the desired assignments' interfaces replace the listed ones they are (a new description)
  const desired = assigned.interfaces
  const listed = [...live.interfaces.filter((i) => !desired.some((d) => d.identifier === i.identifier)), ...desired]
  const used = new Set(live.rules.flatMap((r) => r.spec.interfaces))
  const known: ReadonlyArray<LiveInterface> = [
    ...listed,
    ...[...used].filter((name) => !listed.some((i) => i.identifier === name)).map((name) => ({
      identifier: name,
      description: name,
      device: "",
      addresses: []
    }))
  ]
  const errors: Array<Issue> = [...assigned.errors]
  const rules = site.rules.map((rule) => {
    const interfaces = rule.spec.interfaces.map((name) => {
      const resolved = resolveInterface(known, name)
      switch (resolved._tag) {
        case "Identifier":
        case "Description":
          return resolved.identifier
        case "Ambiguous":
          errors.push(issue(
            rule,
            "ambiguous-interface",
            `interface "${name}" is the description of ${resolved.identifiers.join(" and ")}`,
            "name the interface by its identifier"
          ))
          return name
        case "Unknown":
          errors.push(issue(
            rule,
            "unknown-interface",
            unknownMessage(site, live, name, listed),
            "name an interface of the firewall by its identifier (opt2) or description (GUEST)"
          ))
          return name
      }
    })
    const sorted = [...new Set(interfaces)].sort()
    const same = sorted.length === rule.spec.interfaces.length &&
      sorted.every((i, n) => i === rule.spec.interfaces[n])
    return same ? rule : { ...rule, spec: { ...rule.spec, interfaces: sorted } }
  })
  return { site: { ...site, assignments: assigned.assignments, rules }, errors, warnings: [] }
}

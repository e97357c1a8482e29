/** Interface assignments (`assignments:` in YAML, interfaces/assignment on the firewall, 26.7+). */
import { slug } from "../../Domain/Text.ts"
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { AssignmentInput } from "./Input.ts"
import { friendlyAssignment } from "./Render.ts"
import { AssignmentSpec, LiveAssignment, vlanReference } from "./Spec.ts"
import { assignmentSpec, checkAssignments } from "./Yaml.ts"

export const assignment = defineKind({
  name: "assignment",
  // not `interfaces`: sites.yaml has an `interfaces` setting and the snapshot an `interfaces` list
  collection: "assignments",
  noun: ["interface assignment", "interface assignments"],
  subsystem: "assignment",
  // a VLAN's device exists (and is offered for assignment) only once the VLAN is configured
  dependsOn: ["vlan"],
  spec: AssignmentSpec,
  live: LiveAssignment,
  yaml: {
    input: AssignmentInput,
    description: "devices assigned to interfaces (OPNsense 26.7+); the firewall chooses the identifier (optN)",
    check: (items) => checkAssignments(items),
    normalise: (input) => assignmentSpec(input),
    render: friendlyAssignment
  },
  identity: {
    // one device per interface (opnsense/core 26.7.2: NetworkInterface.xml `if` UniqueConstraint)
    adoptionKey: (spec) => (vlanReference(spec.device) === undefined ? spec.device : undefined),
    label: (live) => live.spec.description === "" ? live.identifier : `${live.identifier} (${live.spec.description})`,
    // the API's key is the identifier, not a uuid (NetworkInterface.php keys the model by it)
    writable: () => true,
    keepUnmanaged: "an unmanaged assignment is the box's own (WAN, LAN): removing it could cut the firewall off"
  },
  // opnsense/core 26.7.2: DeviceField.php offers what `interface list assign-opts` lists (configd
  // caches it 60 s; vlan_settings/reconfigure flushes it), and VlanSettingsController.php
  // delItemAction refuses a VLAN config.xml still assigns (a deletion waits for reconfigure)
  activeDependencies:
    "a new VLAN device is offered for assignment only after the VLAN reconfigure, and a VLAN is deletable only after the assignment reconfigure removed its interface",
  // a VLAN the apply created is reverted through the API (see the VLAN kind), which refuses it
  // while config.xml assigns its device: the assignment is deleted and reconfigured that way first
  // (opnsense/core 26.7.2: VlanSettingsController.php delItemAction, AssignmentController.php reconfigureAction)
  revertThroughApi: "a VLAN is deletable through the API only after the assignment reconfigure removed its interface",
  importer: {
    file: "assignments.yaml",
    name: (live, known) => known ?? slug(live.spec.description) ?? live.identifier
  },
  listing: {
    row: (a) => ({
      uuid: a.uuid,
      name: a.identifier,
      managed: a.owner !== undefined,
      origin: a.origin,
      identifier: a.identifier,
      ...a.spec
    }),
    fields: ["name", "identifier", "device", "description", "lock"]
  },
  client
})

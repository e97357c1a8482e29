/** VLANs (`vlans:` in YAML, interfaces/vlan_settings on the firewall). */
import { slug } from "../../Domain/Text.ts"
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { VlanInput } from "./Input.ts"
import { friendlyVlan } from "./Render.ts"
import { LiveVlan, VlanSpec } from "./Spec.ts"
import { checkVlans, vlanSpec } from "./Yaml.ts"

export const vlan = defineKind({
  name: "vlan",
  collection: "vlans",
  noun: ["VLAN", "VLANs"],
  subsystem: "vlan",
  dependsOn: [],
  spec: VlanSpec,
  live: LiveVlan,
  yaml: {
    input: VlanInput,
    check: (items) => checkVlans(items),
    normalise: (input) => vlanSpec(input),
    render: friendlyVlan
  },
  identity: {
    // a tag is unique per parent device (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/Vlan.xml)
    adoptionKey: (spec) => `${spec.parent}.${spec.tag}`,
    label: (live) => live.device
  },
  // opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php
  // delItemAction and src/opnsense/scripts/interfaces/reconfigure_vlans.php
  revertThroughApi:
    "vlan_settings/reconfigure destroys a device that left the config only when del_item/set_item noted it",
  restoreDiff: (pre, now) =>
    now !== undefined && pre.device !== now.device ? [{ path: "device", from: now.device, to: pre.device }] : [],
  importer: {
    file: "vlans.yaml",
    name: (live, known) => known ?? live.owner ?? slug(live.spec.description) ?? `${live.spec.parent}-${live.spec.tag}`
  },
  listing: {
    row: (v) => ({
      uuid: v.uuid,
      name: v.owner ?? v.device,
      managed: v.owner !== undefined,
      origin: v.origin,
      device: v.device,
      ...v.spec
    }),
    fields: ["name", "uuid", "managed", "device", "parent", "tag", "description"]
  },
  client
})

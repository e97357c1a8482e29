/**
 * The assignment API's device list, `configctl interface list assign-opts`, and configd's cache of
 * it (opnsense/core 26.7.2: src/opnsense/scripts/interfaces/list_assign_options.php,
 * src/opnsense/mvc/app/models/OPNsense/Interfaces/FieldTypes/DeviceField.php).
 */
import type { AssignOption, SimulatorState } from "./State.ts"

/** opnsense/core 26.7.2: src/etc/inc/interfaces.lib.inc interfaces_virtual_patterns */
const VIRTUAL_PATTERNS = new Set([
  "_stf",
  "_vlan",
  "_wlan",
  "bridge",
  "carp",
  "enc",
  "gif",
  "gre",
  "ipfw",
  "ipsec",
  "l2tp",
  "lagg",
  "lo",
  "ng",
  "ovpnc",
  "ovpns",
  "pflog",
  "pfsync",
  "plip",
  "ppp",
  "pppoe",
  "pptp",
  "qinq",
  "tap",
  "tun",
  "vlan",
  "vxlan",
  "wg"
])

/** get_interface_list: a device is physical when no part of its name split on digits is a virtual pattern. */
const isPhysical = (name: string): boolean => !name.split(/\d+/).some((part) => VIRTUAL_PATTERNS.has(part))

const ICON_ACTIVE = "fa fa-plug text-success"

/**
 * What list_assign_options.php prints: physical devices (`igb0 (mac)`, optgroup `hardware`), then
 * the devices plugins register, of which the simulator has the configured VLANs (core_devices:
 * `vlan01 descr (Parent: igb1, Tag: 10)`, optgroup `vlan`). Assigned devices stay in the list; the
 * model's unique constraint refuses a second assignment.
 * opnsense/core 26.7.2: src/opnsense/scripts/interfaces/list_assign_options.php,
 * src/etc/inc/plugins.inc.d/core.inc core_devices
 */
const listAssignOptions = (s: SimulatorState): Array<AssignOption> => {
  const out = new Map<string, AssignOption>()
  for (const d of s.devices) {
    if (!isPhysical(d.name)) continue
    out.set(d.name, { key: d.name, value: `${d.name} (${d.mac})`, optgroup: "hardware", icon: ICON_ACTIVE })
  }
  for (const v of s.vlans.values()) {
    const name = v["vlanif"] ?? ""
    const value = `${name} ${v["descr"] ?? ""} (Parent: ${v["if"] ?? ""}, Tag: ${v["tag"] ?? ""})`
    out.set(name, { key: name, value, optgroup: "vlan", icon: ICON_ACTIVE })
  }
  return [...out.values()]
}

/** configd keeps a script_output answer for its `cache_ttl` (60 s for `list.assign-opts`). */
const CACHE_MS = 60_000

/**
 * DeviceField's options, loaded once per request that loads the model. configd answers from its
 * cache for 60 s (`cache_ttl:60`), and `vlan_settings/reconfigure` flushes it
 * (runInterfaceRegistration: `!interface list assign-opts`), so a VLAN added since the last list
 * is only offered after a VLAN reconfigure or once the cache expired.
 * opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/FieldTypes/DeviceField.php,
 * src/opnsense/service/conf/actions.d/actions_interface.conf [list.assign-opts],
 * src/opnsense/service/modules/actions/script_output.py,
 * src/opnsense/mvc/app/controllers/OPNsense/Base/ApiControllerBase.php runInterfaceRegistration
 */
export const deviceOptions = (s: SimulatorState, now = Date.now()): ReadonlyArray<AssignOption> => {
  const cached = s.assignOptions
  if (cached !== undefined && cached.expires > now) return cached.list
  const list = listAssignOptions(s)
  s.assignOptions = { expires: now + CACHE_MS, list }
  return list
}

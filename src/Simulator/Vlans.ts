/**
 * `interfaces/vlan_settings` (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php): model `vlan`,
 * wrapper `vlan`, device-name generation and validation, (if, tag) uniqueness, QinQ and assignment
 * blockers, reconfigure.
 */
import { addItem, delItem, getItem, itemsMap, type Resource, setItem } from "./Crud.ts"
import { encodeGet, encodeRow, type Opt, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import type { Controller, Ctx } from "./Router.ts"
import type { SimulatorState } from "./State.ts"
import { grid, gridParams, type Item, json, userException } from "./Wire.ts"

const EXCLUDED_PARENT = /^(qinq|lo|enc|pflog|pfsync|bridge|ovpn|wg|gif|gre|ppp|pppoe|l2tp)/

const parentOptions = (s: SimulatorState): Array<Opt> => {
  const opts: Array<Opt> = []
  for (const d of s.devices) {
    if (EXCLUDED_PARENT.test(d.name) || /^vlan\d/.test(d.name)) continue
    const assigned = s.assignedTo(d.name)
    opts.push({ key: d.name, label: `${d.name} (${d.mac})${assigned ? ` [${assigned.description}]` : ""}` })
  }
  for (const vlan of s.vlans.values()) {
    const name = vlan["vlanif"] ?? ""
    if (name === "" || name.startsWith("qinq")) continue
    const descr = vlan["descr"] ?? ""
    opts.push({ key: name, label: `${name} (Tag: ${vlan["tag"]}, Parent: ${vlan["if"]})${descr ? ` [${descr}]` : ""}` })
  }
  return opts
}

/**
 * `vlan` of opnsense/core src/opnsense/mvc/app/models/OPNsense/Interfaces/Vlan.xml at the emulated
 * release's tag (generated); the parent list is VlanInterfaceField's, computed from the devices
 * (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/FieldTypes/VlanInterfaceField.php).
 */
export const vlanTable: Table = generatedTable("Interfaces/Vlan", "vlan", {
  if: { options: (c) => parentOptions(c.state) }
})

const prefixFor = (parent: string) => (parent.includes("vlan") ? "qinq" : "vlan")

const nextName = (s: SimulatorState, prefix: string): string => {
  let max = 0
  const re = new RegExp(`^${prefix}(\\d+)$`)
  for (const v of s.vlans.values()) {
    const m = re.exec(v["vlanif"] ?? "")
    if (m?.[1] !== undefined) max = Math.max(max, Number.parseInt(m[1], 10))
  }
  return `${prefix}0${max + 1}`
}

/** VlanSettingsController::generateVlanIfName (opnsense/core 26.7.2) */
const completeName = (c: Ctx, item: Record<string, string>, old: Item | undefined): void => {
  if ((item["vlanif"] ?? "") !== "") return
  const prefix = prefixFor(item["if"] ?? "")
  if (old !== undefined) {
    const oldName = old["vlanif"] ?? ""
    if (oldName === `${old["if"]}_vlan${old["tag"]}` && old["if"] === item["if"] && old["tag"] === item["tag"]) {
      item["vlanif"] = oldName
      return
    }
    if (new RegExp(`^${prefix}\\d`).test(oldName)) {
      item["vlanif"] = oldName
      return
    }
  }
  item["vlanif"] = nextName(c.state, prefix)
}

const qinqChildren = (s: SimulatorState, name: string): boolean => {
  for (const v of s.vlans.values()) if (v["if"] === name) return true
  return false
}

export const vlanResource: Resource = {
  wrapper: "vlan",
  table: vlanTable,
  collection: (c) => c.state.vlans,
  complete: (c, item, old, uuid) => {
    if (uuid !== "") completeName(c, item, old)
  },
  validate: (c, item, old, uuid, m) => {
    validateFields(vlanTable, item, "vlan", c, m)
    const s = c.state
    const clash = s.vlans.find("ifTag", `${item["if"]}|${item["tag"]}`)
    if (clash !== undefined && clash !== uuid && (item["tag"] ?? "") !== "") {
      m.add("vlan.tag", "Tag for this device must be unique.")
    }
    const name = item["vlanif"] ?? ""
    const sameName = s.vlans.find("vlanif", name)
    if (sameName !== undefined && sameName !== uuid) m.add("vlan.vlanif", "The device name must be unique.")
    if (old === undefined || old["vlanif"] !== name) {
      const prefix = prefixFor(item["if"] ?? "")
      const legacy = name === `${item["if"]}_vlan${item["tag"]}`
      if (!legacy && !name.startsWith(prefix)) m.add("vlan.vlanif", `The device name prefix "${prefix}" is required.`)
      else if (!legacy && !new RegExp(`^${prefix}0[0-9.]{1,10}$`).test(name)) {
        m.add(
          "vlan.vlanif",
          `Only a maximum of 15 characters is allowed starting with "${prefix}0" combined with numeric characters and dots, e.g. "${prefix}0.1.104".`
        )
      }
    }
    if (item["if"] === name) m.add("vlan.vlanif", "VLAN can not be assigned to itself.")
    else if (old !== undefined && old["vlanif"] === item["if"]) m.add("vlan.if", "VLAN can not be assigned to itself.")
  },
  refuseSet: (c, item, old) => {
    const oldName = old["vlanif"] ?? ""
    if (oldName === item["vlanif"]) return undefined
    if (qinqChildren(c.state, oldName)) {
      return json({
        result: "failed",
        validations: { "vlan.vlanif": "This VLAN cannot be deleted because it is used in QinQ interfaces." }
      })
    }
    if (c.state.assignedTo(oldName) !== undefined) {
      return old["tag"] !== item["tag"]
        ? json({
          result: "failed",
          validations: { "vlan.tag": "Interface is assigned and you cannot change the VLAN tag while assigned." }
        })
        : json({
          result: "failed",
          validations: { "vlan.vlanif": "Interface is assigned and you cannot change the device name while assigned." }
        })
    }
    return undefined
  },
  blockerInController: true,
  deleteBlocker: (c, _uuid, item) => {
    const name = item["vlanif"] ?? ""
    if (qinqChildren(c.state, name)) {
      return userException(c.v, "This VLAN cannot be deleted because it is used in QinQ interfaces.")
    }
    if (c.state.assignedTo(name) !== undefined) {
      return userException(c.v, "This VLAN cannot be deleted because it is assigned as an interface.")
    }
    return undefined
  },
  afterWrite: (c, _uuid, old, item) => {
    const oldName = old?.["vlanif"]
    if (oldName !== undefined && oldName !== item?.["vlanif"]) c.state.pendingVlanRemovals.push(oldName)
    c.state.labelsEpoch++
  },
  encode: (c, item) => encodeGet(vlanTable, item, c, { twins: c.v.twinsInGet })
}

/**
 * `interface vlan configure` (opnsense/core 25.7, 26.1 and 26.7.2:
 * src/opnsense/scripts/interfaces/reconfigure_vlans.php): a kernel VLAN device that is configured
 * is kept (retagged in place); one that is not configured is destroyed only when its name was noted
 * as removed (del_item, or a set_item that renamed it), otherwise it is left alone; configured
 * devices missing from the kernel are created. The noted names are consumed.
 */
export const syncVlanDevices = (s: SimulatorState): void => {
  const configured = new Map<string, Item>()
  for (const item of s.vlans.values()) configured.set(item["vlanif"] ?? "", item)
  const removed = new Set(s.pendingVlanRemovals)
  const next = new Map<string, Item>()
  for (const [name, item] of s.vlanDevices) {
    const now = configured.get(name)
    if (now !== undefined) next.set(name, now)
    else if (!removed.has(name)) next.set(name, item)
  }
  for (const [name, item] of configured) if (!next.has(name)) next.set(name, item)
  s.vlanDevices = next
  s.pendingVlanRemovals = []
}

const searchRow = (c: Ctx, uuid: string, item: Item): Record<string, unknown> => {
  const row = encodeRow(vlanTable, uuid, item, c)
  const name = item["vlanif"] ?? ""
  const assigned = c.state.assignedTo(name)
  // an assigned device is shown decorated in search rows (fixture …searchItem…26.7.5)
  if (assigned !== undefined) row["vlanif"] = `${name} [${assigned.description}]`
  return row
}

export const controller: Controller = {
  module: "interfaces",
  controller: "vlan_settings",
  actions: {
    search_item: {
      handle: (req, c) => {
        const rows = [...c.state.vlans.entries()].map(([uuid, item]) => searchRow(c, uuid, item))
        return grid(rows, gridParams(req.body, req.query, false), { defaultSort: "vlanif" })
      }
    },
    get_item: getItem(vlanResource),
    add_item: addItem(vlanResource),
    set_item: setItem(vlanResource),
    del_item: delItem(vlanResource),
    reconfigure: {
      handle: (req, c) => {
        if (!req.isPost) return json({ status: "failed" })
        c.state.applied = { ...c.state.applied, vlans: c.state.vlans.snapshot() }
        syncVlanDevices(c.state)
        // runInterfaceRegistration flushes configd's cached device list (`!interface list assign-opts`),
        // opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php reconfigureAction
        c.state.assignOptions = undefined
        c.state.reconfigureCounts.vlan++
        return json({ status: "ok" })
      }
    },
    get: {
      handle: (req, c) => (req.isGet ? json({ vlan: { vlan: itemsMap(vlanResource, c) } }) : json([]))
    }
  }
}

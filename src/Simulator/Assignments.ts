/**
 * `interfaces/assignment` (26.7+; opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/AssignmentController.php with the model
 * src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.php/.xml): config.xml's
 * `<interfaces>` seen as an ArrayField keyed by identifier (`wan`, `lan`, `opt1`, …). Descriptions
 * and locks are written at once; new assignments are added to config.xml at once as the first free
 * `optN`; deletions and device changes wait in `/tmp/.interfaces.todo` (`state.pendingInterfaces`)
 * until `reconfigure`, which also drops the rules of a deleted interface and reloads the filter.
 */
import { deviceOptions } from "./AssignOptions.ts"
import { posted } from "./Crud.ts"
import { applyPost, defaults, type Field, fieldsFor, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import type { Action, Controller, Ctx, Request } from "./Router.ts"
import {
  type AssignOption,
  type Iface,
  type LegacyRule,
  LOOPBACK,
  type PendingInterface,
  type SimulatorState
} from "./State.ts"
import type { VersionProfile } from "./Version.ts"
import { failed, grid, gridParams, type Item, json, Messages, resultFailed, userException, UUID_V4 } from "./Wire.ts"

/** `interface.*` of Interfaces/NetworkInterface.xml at the release's tag (generated). */
const table: Table = generatedTable("Interfaces/NetworkInterface", "interface", {
  if: { options: (c) => deviceOptions(c.state).map((o) => ({ key: o.key, label: o.value, optgroup: o.optgroup })) }
})

// --- the model as NetworkInterface::__construct builds it -----------------------------------------

/** One model item; `if` is the pending device when a relink waits for reconfigure. */
type Assignment = Item

/** iterate_assignments: config interfaces that are not virtual (lo0 is registered as virtual). */
const configAssignments = (s: SimulatorState): Array<Iface> =>
  s.interfaces.filter((i) => i.identifier !== LOOPBACK.identifier)

const modelItems = (s: SimulatorState): Map<string, Assignment> => {
  const out = new Map<string, Assignment>()
  for (const i of configAssignments(s)) {
    const todo = s.pendingInterfaces.get(i.identifier)
    if (todo?.action === "delete") continue
    out.set(i.identifier, {
      descr: i.description,
      identifier: i.identifier,
      if: todo?.device ?? i.device,
      lock: i.lock === true ? "1" : "0"
    })
  }
  return out
}

const note = (s: SimulatorState, identifier: string, todo: PendingInterface): void => {
  // store_if_todo merges into what is noted (a relink's device survives a later delete)
  const old = s.pendingInterfaces.get(identifier)
  const device = todo.device ?? old?.device
  s.pendingInterfaces.set(identifier, device === undefined ? { action: todo.action } : { action: todo.action, device })
}

/** serializeToConfig's numbering: the first `optN` no (non-virtual) config interface has, pending deletions included. */
const nextIdentifier = (s: SimulatorState): string => {
  const taken = new Set(configAssignments(s).map((i) => i.identifier))
  let n = 1
  while (taken.has(`opt${n}`)) n++
  return `opt${n}`
}

// --- rendering -----------------------------------------------------------------------------------

type Options = ReadonlyMap<string, AssignOption>
const optionsByKey = (c: Ctx): Options => new Map(deviceOptions(c.state).map((o) => [o.key, o]))

/**
 * IfDescField::getDescription: the description, else the node's uuid in upper case unless it is a
 * generated uuid (over 30 characters), which for a stored assignment is its identifier.
 */
const descrLabel = (descr: string, uuid: string | undefined): string =>
  descr !== "" || uuid === undefined || uuid.length > 30 ? descr : uuid.toUpperCase()

/** DeviceField::setValue fills the volatile `icon` and `optgroup` from the device's option. */
const volatiles = (device: string, options: Options) => {
  const o = options.get(device)
  return { icon: o?.icon ?? "fa fa-plug text-muted", optgroup: o?.optgroup ?? "" }
}

/** UIModelGrid::fetch row: every field in model order, `%field` where getDescription differs. */
const searchRow = (identifier: string, a: Assignment, options: Options): Record<string, unknown> => {
  const row: Record<string, unknown> = { uuid: identifier, descr: a["descr"] ?? "" }
  const label = descrLabel(a["descr"] ?? "", identifier)
  if (label !== row["descr"]) row["%descr"] = label
  row["identifier"] = a["identifier"] ?? ""
  const device = a["if"] ?? ""
  Object.assign(row, volatiles(device, options))
  row["if"] = device
  const option = options.get(device)
  if (option !== undefined && option.value !== device) row["%if"] = option.value
  row["lock"] = a["lock"] ?? ""
  return row
}

/**
 * BaseField::getNodes (26.7: `%` twins for strings whose description differs) with
 * BaseListField::getNodeOptions for `if`: the option arrays pass through (`value`, `optgroup`,
 * `data.icon`) with `selected`; the field is required, so there is no blank entry.
 */
const encodeGet = (
  c: Ctx,
  a: Assignment,
  uuid: string | undefined,
  vol: { icon: string; optgroup: string }
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const device = a["if"] ?? ""
  for (const f of fieldsFor(table, c.v)) {
    if (f.name === "if") {
      const map: Record<string, unknown> = {}
      for (const o of deviceOptions(c.state)) {
        map[o.key] = {
          value: o.value,
          optgroup: o.optgroup,
          data: { icon: o.icon },
          selected: o.key === device ? 1 : 0
        }
      }
      out["if"] = Object.keys(map).length === 0 ? [] : map
      continue
    }
    const value = f.name === "icon" || f.name === "optgroup" ? vol[f.name] : (a[f.name] ?? "")
    out[f.name] = value
    if (f.name === "descr" && c.v.twinsInGet) {
      const label = descrLabel(value, uuid)
      if (label !== value) out["%descr"] = label
    }
  }
  return out
}

// --- validation ----------------------------------------------------------------------------------

const WRAPPER = "interface"

/**
 * Field validation of the posted node (its messages only, as ApiMutableModelControllerBase::validate
 * keeps those under the node's reference) plus the unique constraint on `if` over the whole model.
 * NetworkInterface::performValidation's bridge check (a bridge may not be assigned when the
 * interface is one of its members) has nothing to check: the simulator has no bridges.
 */
const validate = (c: Ctx, item: Item, others: ReadonlyMap<string, Assignment>, messages: Messages): void => {
  validateFields(table, item, WRAPPER, c, messages)
  const device = item["if"] ?? ""
  for (const other of others.values()) {
    if ((other["if"] ?? "") === device) {
      messages.add(`${WRAPPER}.if`, "Can not assign a device to more interfaces.")
      break
    }
  }
}

const build = (c: Ctx, base: Item, post: Readonly<Record<string, unknown>>): Record<string, string> =>
  applyPost(table, base, post, c.v)

/** A new assignment in config.xml: `if`, `descr`, `lock` (serializeToConfig adds no `<enable>`). */
const addToConfig = (s: SimulatorState, item: Item): string => {
  const identifier = nextIdentifier(s)
  s.interfaces.push({
    identifier,
    device: item["if"] ?? "",
    description: item["descr"] ?? "",
    lock: item["lock"] === "1",
    enabled: false
  })
  s.labelsEpoch++
  return identifier
}

// --- actions -------------------------------------------------------------------------------------

/** Every action loads the model, and with it DeviceField asks configd for the device list (and so fills its cache). */
const loadModel = (c: Ctx): void => {
  deviceOptions(c.state)
}

const available = (v: VersionProfile): boolean => v.assignmentApi

const searchItem: Action = {
  available,
  handle: (req, c) => {
    const options = optionsByKey(c)
    const rows = [...modelItems(c.state)].map(([id, a]) => searchRow(id, a, options))
    // searchBase("interface") without a default sort: config order unless the grid asks for one
    return grid(rows, gridParams(req.body, req.query, false), {
      defaultSort: "",
      presorted: true,
      searchFields: fieldsFor(table, c.v).map((f: Field) => f.name)
    })
  }
}

const getItem: Action = {
  available,
  handle: (req, c) => {
    const options = optionsByKey(c)
    const ifname = req.params[0] ?? ""
    if (ifname === "") {
      // a fresh node under a generated uuid, defaults applied (applyDefault sets no icon/optgroup)
      return json({ [WRAPPER]: encodeGet(c, defaults(table, c.v), undefined, { icon: "", optgroup: "" }) })
    }
    const a = modelItems(c.state).get(ifname)
    if (a === undefined) return json([])
    return json({ [WRAPPER]: encodeGet(c, a, ifname, volatiles(a["if"] ?? "", options)) })
  }
}

const addItem: Action = {
  available,
  handle: (req, c) => {
    const post = posted(req, WRAPPER)
    if (post === undefined) return resultFailed
    loadModel(c)
    const item = build(c, defaults(table, c.v), post)
    const messages = new Messages()
    validate(c, item, modelItems(c.state), messages)
    if (messages.size > 0) return failed(messages)
    const identifier = addToConfig(c.state, item)
    c.save(req)
    // 26.7.2 gives the node the new identifier as its uuid before addBase reads it (26.7 and
    // 26.7.1 answer the ArrayField's random uuid, which names nothing afterwards)
    return json({ result: "saved", uuid: identifier })
  }
}

const setItem: Action = {
  available,
  params: 1,
  handle: (req, c) => {
    const post = posted(req, WRAPPER)
    const ifname = req.params[0] ?? ""
    if (post === undefined) return resultFailed
    loadModel(c)
    const s = c.state
    const items = modelItems(s)
    const old = items.get(ifname)
    // setBase upserts under a well-formed uuid; serializeToConfig then adds it as the next optN
    if (old === undefined && !UUID_V4.test(ifname)) return resultFailed
    const item = build(c, old ?? defaults(table, c.v), post)
    const others = new Map(items)
    others.delete(ifname)
    const messages = new Messages()
    validate(c, item, others, messages)
    if (old !== undefined) leakedMessages(c, ifname, item, items, messages)
    if (messages.size > 0) return failed(messages)
    if (old === undefined) addToConfig(s, item)
    else updateConfig(s, ifname, item)
    c.save(req)
    return json({ result: "saved" })
  }
}

/**
 * setBase validates the whole model and keeps the messages whose field contains the node's
 * reference (`strpos`, not a prefix match on a dot): a set on `opt1` also reports the failures of
 * `opt10`, `opt11`, … with the reference replaced, e.g. `interface0.descr`.
 * opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableModelControllerBase.php validate
 */
const leakedMessages = (
  c: Ctx,
  ifname: string,
  item: Item,
  items: ReadonlyMap<string, Assignment>,
  messages: Messages
): void => {
  const all = new Map(items)
  all.set(ifname, item)
  for (const [id, other] of all) {
    if (id === ifname || !id.startsWith(ifname)) continue
    const own = new Messages()
    const rest = new Map(all)
    rest.delete(id)
    validate(c, other, rest, own)
    for (const [key, list] of Object.entries(own.toJSON())) {
      const field = key.slice(WRAPPER.length)
      for (const message of typeof list === "string" ? [list] : list) {
        messages.add(`${WRAPPER}${id.slice(ifname.length)}${field}`, message)
      }
    }
  }
}

/**
 * serializeToConfig for an existing assignment: `descr` and `lock` go to config.xml at once; a
 * device that differs from config.xml's is noted as a relink for reconfigure. Setting the device
 * back to config.xml's notes nothing, so an earlier relink stays noted (and the model keeps
 * showing it), as in core.
 */
const updateConfig = (s: SimulatorState, identifier: string, item: Item): void => {
  const at = s.interfaces.findIndex((i) => i.identifier === identifier)
  const iface = s.interfaces[at]
  if (iface === undefined) return
  s.interfaces[at] = { ...iface, description: item["descr"] ?? "", lock: item["lock"] === "1" }
  const device = item["if"] ?? ""
  if (device !== iface.device) note(s, identifier, { action: "relink", device })
  s.labelsEpoch++
}

/**
 * delItemAction: for each listed interface, membership of an interface group (bridges, gre and gif
 * tunnels are checked the same way; the simulator has none) and the lock refuse the whole call;
 * then delBase takes the listed items out of the model, which notes each for deletion at
 * reconfigure. No safe-delete: rules on the interface do not block, reconfigure removes them.
 */
const delItem: Action = {
  available,
  params: 1,
  handle: (req, c) => {
    if (!req.isPost) return json({ status: "failed" })
    loadModel(c)
    const s = c.state
    const ifnames = (req.params[0] ?? "").split(",")
    for (const ifname of ifnames) {
      if (s.groups.some((g) => g.members.includes(ifname))) {
        throw userException(
          c.v,
          "The interface is part of a group. Please remove it from the group to continue",
          `[${ifname}] in use`
        )
      }
      if (s.iface(ifname)?.lock === true) {
        throw userException(c.v, "Interface locked, unset lock first before removal", "locked")
      }
    }
    const items = modelItems(s)
    let result = "not found"
    let changed = false
    for (const ifname of ifnames) {
      if (items.delete(ifname)) {
        note(s, ifname, { action: "delete" })
        result = "deleted"
        changed = true
      } else result = "not found"
    }
    if (changed) c.save(req)
    return json({ result })
  }
}

/** One rule list as cleanRules treats it: the interface taken out of each rule's list, a rule left with none removed. */
const withoutInterface = (value: string, ifname: string): string | undefined => {
  const list = value.split(",")
  if (!list.includes(ifname)) return value
  const rest = list.filter((i) => i !== ifname)
  return rest.length === 0 ? undefined : rest.join(",")
}

/**
 * AssignmentController::cleanRules: legacy filter and NAT rules and the MVC filter rules, port
 * forwards (`nat/rule`), source NAT, NPT and one-to-one rules of a deleted interface. The
 * simulator has MVC filter rules, port forwards and legacy filter rules (the automatic rules are
 * generated, not stored).
 */
const cleanRules = (s: SimulatorState, ifname: string): void => {
  for (const collection of [s.rules, s.dnat]) {
    for (const [uuid, item] of [...collection.entries()]) {
      const next = withoutInterface(item["interface"] ?? "", ifname)
      if (next === undefined) collection.delete(uuid)
      else if (next !== item["interface"]) collection.put(uuid, { ...item, interface: next })
    }
  }
  const legacy: Array<LegacyRule> = []
  for (const rule of s.legacyRules) {
    const next = rule.automatic ? rule.interface : withoutInterface(rule.interface, ifname)
    if (next !== undefined) legacy.push(next === rule.interface ? rule : { ...rule, interface: next })
  }
  s.legacyRules.splice(0, s.legacyRules.length, ...legacy)
}

/**
 * reconfigureAction: `interface apply` (apply_pending_if_changes.php resets deleted and relinked
 * interfaces and configures relinked ones on their new device), then each noted change is written
 * to config.xml (a deletion also removes the interface's rules), one config save (always, even
 * with nothing noted), the notes dropped, and `filter reload skip_alias`, which loads the saved
 * rules (as `firewall/filter/apply` does).
 */
const reconfigure: Action = {
  available,
  handle: (req: Request, c) => {
    if (!req.isPost) return json({ status: "failed" })
    loadModel(c)
    const s = c.state
    for (const [ifname, todo] of s.pendingInterfaces) {
      const at = s.interfaces.findIndex((i) => i.identifier === ifname)
      const iface = s.interfaces[at]
      if (iface === undefined) continue
      if (todo.action === "delete") {
        cleanRules(s, ifname)
        s.interfaces.splice(at, 1)
      } else if (todo.device !== undefined) {
        s.interfaces[at] = { ...iface, device: todo.device }
      }
    }
    s.labelsEpoch++
    // Config::save directly, not the controller's save(): no read-only check
    s.commit(`${req.uri} made changes`, req.username)
    s.pendingInterfaces = new Map()
    s.applied = { ...s.applied, rules: s.rules.snapshot(), dnat: s.dnat.snapshot() }
    s.reconfigureCounts.filter++
    s.reconfigureCounts.assignment++
    return json({ status: "ok" })
  }
}

/** ApiMutableModelControllerBase::getAction: the whole model on GET (`[]` for no items), `[]` otherwise. */
const getModel: Action = {
  available,
  handle: (req, c) => {
    if (!req.isGet) return json([])
    const options = optionsByKey(c)
    const out: Record<string, unknown> = {}
    for (const [id, a] of modelItems(c.state)) out[id] = encodeGet(c, a, id, volatiles(a["if"] ?? "", options))
    return json({ [WRAPPER]: { [WRAPPER]: Object.keys(out).length === 0 ? [] : out } })
  }
}

export const controller: Controller = {
  module: "interfaces",
  controller: "assignment",
  actions: {
    search_item: searchItem,
    get_item: getItem,
    add_item: addItem,
    set_item: setItem,
    del_item: delItem,
    reconfigure,
    get: getModel
  }
}

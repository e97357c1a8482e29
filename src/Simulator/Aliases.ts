/**
 * `firewall/alias` (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasController.php): model and wrapper `alias`, name rules, per-type content
 * validation, built-in (virtual) aliases, referential integrity (delete blockers, rename refactor),
 * export/import and reconfigure.
 */
import { addItem, delItem, itemsMap, type Resource, setItem, toggleItem } from "./Crud.ts"
import { applyPost, defaults, encodeGet, encodeRow, fieldsFor, type Opt, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import { isAddress, isAddressOrCidr, isAddressRange, isHostname, isPortNumber, SERVICE_NAMES } from "./Net.ts"
import type { Controller, Ctx } from "./Router.ts"
import { PROTOCOLS } from "./RuleOptions.ts"
import { ifaceLabel, type SimulatorState } from "./State.ts"
import type { VersionProfile } from "./Version.ts"
import {
  grid,
  gridParams,
  isRecord,
  type Item,
  json,
  Messages,
  newUuid,
  raw,
  unexpected,
  userException
} from "./Wire.ts"

/**
 * `aliases.alias` of opnsense/core src/opnsense/mvc/app/models/OPNsense/Firewall/Alias.xml at the
 * emulated release's tag (generated). The model default of `type` is `alert`, which is not an
 * option, so `type` must always be sent. Name and content rules are AliasNameField's and
 * AliasContentField's (below).
 */
export const aliasTable: Table = generatedTable("Firewall/Alias", "aliases.alias", {
  // InterfaceField: the configured interfaces
  interface: { options: (c) => c.state.interfaces.map((i) => ({ key: i.identifier, label: ifaceLabel(i) })) },
  // ModelRelationField over OPNsense.Firewall.Category
  categories: { options: (c) => categoryOptions(c.state) }
})

export const categoryOptions = (s: SimulatorState): Array<Opt> =>
  [...s.categories.entries()].map(([uuid, c]) => ({ key: uuid, label: c["name"] ?? "" }))

// --- built-in aliases (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/static_aliases/core.json)

export interface BuiltinAlias {
  readonly name: string
  readonly type: "external" | "internal"
  readonly description: string
}

export const builtinAliases = (s: SimulatorState): Array<BuiltinAlias> => [
  ...s.interfaces.map((i) => ({
    name: `__${i.identifier}_network`,
    type: "internal" as const,
    description: `${ifaceLabel(i)} net`
  })),
  { name: "__lo0_network", type: "internal", description: "Loopback net" },
  ...s.groups.map((g) => ({
    name: `__${g.name}_network`,
    type: "internal" as const,
    description: `${g.description} net`
  })),
  { name: "bogons", type: "external", description: "bogon networks (internal)" },
  { name: "bogonsv6", type: "external", description: "bogon networks IPv6 (internal)" },
  { name: "virusprot", type: "external", description: "overload table for rate limiting (internal)" },
  { name: "sshlockout", type: "external", description: "abuse lockout table (internal)" }
]

const builtinItem = (b: BuiltinAlias): Item => ({
  enabled: "1",
  name: b.name,
  type: b.type,
  path_expression: "",
  proto: "",
  interface: "",
  counters: "",
  updatefreq: "",
  content: "",
  password: "",
  username: "",
  authtype: "",
  expire: b.name === "virusprot" || b.name === "sshlockout" ? "3600" : "",
  categories: "",
  description: b.description
})

const namesCache = new WeakMap<
  SimulatorState,
  { version: number; count: number; epoch: number; names: Array<[string, string]>; descr: Map<string, string> }
>()
/** Every alias name → description, user aliases first, then built-ins (as in the get_item content map). */
const allAliasNames = (s: SimulatorState): { names: Array<[string, string]>; descr: Map<string, string> } => {
  const hit = namesCache.get(s)
  if (
    hit !== undefined && hit.version === s.aliases.version && hit.count === s.interfaces.length + s.groups.length &&
    hit.epoch === s.labelsEpoch
  ) {
    return hit
  }
  const names = [
    ...[...s.aliases.values()].map((a): [string, string] => [a["name"] ?? "", a["description"] ?? ""]),
    ...builtinAliases(s).map((b): [string, string] => [b.name, b.description])
  ]
  const entry = {
    version: s.aliases.version,
    count: s.interfaces.length + s.groups.length,
    epoch: s.labelsEpoch,
    names,
    descr: new Map(names)
  }
  namesCache.set(s, entry)
  return entry
}

export const aliasExists = (s: SimulatorState, name: string): Item | BuiltinAlias | undefined =>
  s.aliasByName(name) ?? builtinAliases(s).find((b) => b.name === name)

// --- validation ---------------------------------------------------------------------------------

const PF_KEYWORDS = new Set([
  "all",
  "allow-opts",
  "altq",
  "anchor",
  "antispoof",
  "any",
  "bandwidth",
  "binat",
  "binat-anchor",
  "bitmask",
  "block",
  "block-policy",
  "buckets",
  "cbq",
  "code",
  "debug",
  "divert-reply",
  "divert-to",
  "drop",
  "drop-ovl",
  "dup-to",
  "fairq",
  "fastroute",
  "file",
  "fingerprints",
  "flags",
  "floating",
  "flush",
  "for",
  "fragment",
  "from",
  "global",
  "group",
  "hfsc",
  "hogs",
  "hostid",
  "icmp-type",
  "icmp6-type",
  "if-bound",
  "in",
  "include",
  "inet",
  "inet6",
  "keep",
  "label",
  "limit",
  "linkshare",
  "load",
  "log",
  "loginterface",
  "match",
  "max",
  "max-mss",
  "max-src-conn",
  "max-src-conn-rate",
  "max-src-nodes",
  "max-src-states",
  "min-ttl",
  "modulate",
  "nat",
  "nat-anchor",
  "no",
  "no-df",
  "no-route",
  "no-sync",
  "on",
  "optimization",
  "os",
  "out",
  "overload",
  "pass",
  "port",
  "prio",
  "priority",
  "priq",
  "probability",
  "proto",
  "qlimit",
  "queue",
  "quick",
  "random",
  "random-id",
  "rdr",
  "rdr-anchor",
  "realtime",
  "reassemble",
  "reply-to",
  "require-order",
  "return",
  "return-icmp",
  "return-icmp6",
  "return-rst",
  "round-robin",
  "route",
  "route-to",
  "rtable",
  "rule",
  "ruleset-optimization",
  "scrub",
  "set",
  "set-tos",
  "skip",
  "sloppy",
  "source-hash",
  "source-track",
  "state",
  "state-defaults",
  "state-policy",
  "static-port",
  "sticky-address",
  "synproxy",
  "table",
  "tag",
  "tagged",
  "tbrsize",
  "timeout",
  "to",
  "tos",
  "ttl",
  "upperlimit",
  "urpf-failed",
  "user",
  "self",
  "lan",
  "wan"
])
const NAME_RE = /^(?!__)[A-Za-z_][A-Za-z0-9_]{0,30}$/
const RESERVED_NAMES = new Set([...SERVICE_NAMES, ...PROTOCOLS.map((p) => p.toLowerCase())])

const validateName = (s: SimulatorState, item: Item, uuid: string, m: Messages): void => {
  const name = item["name"] ?? ""
  if (name === "") return
  if (!NAME_RE.test(name) || name === "_") {
    m.add(
      "alias.name",
      "The name must start with a letter or single underscore, be less than 32 characters and only consist of alphanumeric characters or underscores."
    )
  } else if (PF_KEYWORDS.has(name.toLowerCase())) {
    m.add("alias.name", "The name cannot be the internally reserved keyword \"%s\".")
  } else if (RESERVED_NAMES.has(name.toLowerCase())) {
    m.add("alias.name", "Reserved protocol or service names may not be used")
  }
  const other = s.aliases.find("name", name)
  if ((other !== undefined && other !== uuid) || builtinAliases(s).some((b) => b.name === name)) {
    m.add("alias.name", "An alias with this name already exists.")
  }
}

const isMac = (v: string) => /^([0-9a-fA-F]{2}:){1,5}[0-9a-fA-F]{2}$/.test(v)
const isWildcard = (v: string) => /^[0-9.]+\/[0-9.]+$/.test(v) && v.split("/").every((p) => isAddress(p))

const validateContent = (s: SimulatorState, item: Item, m: Messages): void => {
  const type = item["type"] ?? ""
  const lines = (item["content"] ?? "").split("\n").map((l) => l.trim()).filter((l) => l !== "")
  const isAlias = (l: string) => aliasExists(s, l) !== undefined && l !== item["name"]
  for (const line of lines) {
    const bare = line.startsWith("!") ? line.slice(1) : line
    switch (type) {
      case "host":
        if (!(isAddress(bare) || isAddressRange(line) || isAlias(line) || isHostname(line))) {
          m.add("alias.content", `Entry "${line}" is not a valid hostname, IP address or range.`)
        }
        break
      case "network":
        if (!(isAddressOrCidr(bare) || isWildcard(bare) || isAddressRange(line) || isAlias(line))) {
          m.add("alias.content", `Entry "${line}" is not a network.`)
        }
        break
      case "port": {
        const [a, b, ...rest] = line.split(":")
        const range = rest.length === 0 && a !== undefined && b !== undefined && isPortNumber(a) && isPortNumber(b)
        if (!(isPortNumber(line) || range || SERVICE_NAMES.has(line.toLowerCase()) || isAlias(line))) {
          m.add("alias.content", `Entry "${line}" is not a valid port number.`)
        }
        break
      }
      case "networkgroup":
        if (!isAlias(line)) m.add("alias.content", `Entry "${line}" is not a valid alias.`)
        break
      case "geoip":
        if (!/^([A-Z]{2}|EU)$/.test(line)) m.add("alias.content", `Entry "${line}" is not a valid country code.`)
        break
      case "mac":
        if (!isMac(line)) m.add("alias.content", `Entry "${line}" is not a valid (partial) MAC address.`)
        break
      case "asn":
        if (!/^\d+$/.test(line) || Number(line) < 1 || Number(line) > 4294967296) {
          m.add("alias.content", `Entry "${line}" is not a valid ASN.`)
        }
        break
      case "dynipv6host":
        if (!/^::[0-9a-fA-F:]*$/.test(line)) {
          m.add("alias.content", `Entry "${line}" is not a valid partial IPv6 address.`)
        }
        break
      case "authgroup":
        // opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/AliasContentField.php
        // validateGroups: each entry must be the gid of a system group
        if (!s.userGroups.some((g) => g.gid === line)) {
          m.add("alias.content", `Entry "${line}" is not a valid group id.`)
        }
        break
      default:
        break
    }
  }
  if (type === "dynipv6host" && (item["interface"] ?? "") === "") {
    m.add("alias.interface", "IPv6 Dynamic Host require an interface to track.")
  }
}

const validateAlias = (c: Ctx, item: Item, uuid: string, m: Messages): void => {
  validateFields(aliasTable, item, "alias", c, m)
  validateName(c.state, item, uuid, m)
  validateContent(c.state, item, m)
}

// --- references (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/Alias.php whereUsed) ------

const RULE_FIELDS = ["source_net", "source_port", "destination_net", "destination_port"] as const
const DNAT_FIELDS = [
  "source.network",
  "source.port",
  "destination.network",
  "destination.port",
  "target",
  "local-port"
] as const

/** Places an alias name is used: `[ref, descr]` pairs as the delete blocker lists them. */
export const aliasReferences = (s: SimulatorState, name: string): Array<[string, string]> => {
  const refs: Array<[string, string]> = []
  let i = 0
  for (const rule of s.rules.values()) {
    for (const f of RULE_FIELDS) {
      if ((rule[f] ?? "").split(",").includes(name)) refs.push([`OPNsense.Firewall.Filter.rules.rule.${i}/${f}`, ""])
    }
    i++
  }
  i = 0
  for (const alias of s.aliases.values()) {
    const t = alias["type"]
    if (t !== "geoip" && t !== "urltable" && (alias["content"] ?? "").split("\n").includes(name)) {
      refs.push([`OPNsense.Firewall.Alias.aliases.alias.${i}/content`, ""])
    }
    i++
  }
  i = 0
  for (const rule of s.dnat.values()) {
    for (const f of DNAT_FIELDS) {
      if ((rule[f] ?? "").split(",").includes(name)) {
        refs.push([`nat.rule.${i}/${f.replace(".", "/")}`, rule["descr"] ?? ""])
      }
    }
    i++
  }
  s.legacyRules.forEach((r, n) => {
    if (r.source === name || r.destination === name || r.destinationPort === name) {
      refs.push([`filter.rule.${n}`, r.description])
    }
  })
  return refs
}

const escapeHtml = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** Rewrite every by-name reference, old → new, in the same save (Alias.php refactor, opnsense/core 26.7.2). */
const renameReferences = (s: SimulatorState, from: string, to: string): void => {
  const swap = (value: string, sep: string) => value.split(sep).map((t) => (t === from ? to : t)).join(sep)
  for (const [uuid, rule] of [...s.rules.entries()]) {
    if (RULE_FIELDS.some((f) => (rule[f] ?? "").split(",").includes(from))) {
      const next: Record<string, string> = { ...rule }
      for (const f of RULE_FIELDS) next[f] = swap(rule[f] ?? "", ",")
      s.rules.put(uuid, next)
    }
  }
  for (const [uuid, alias] of [...s.aliases.entries()]) {
    if ((alias["content"] ?? "").split("\n").includes(from)) {
      s.aliases.put(uuid, { ...alias, content: swap(alias["content"] ?? "", "\n") })
    }
  }
  for (const [uuid, rule] of [...s.dnat.entries()]) {
    if (DNAT_FIELDS.some((f) => (rule[f] ?? "").split(",").includes(from))) {
      const next: Record<string, string> = { ...rule }
      for (const f of DNAT_FIELDS) next[f] = swap(rule[f] ?? "", ",")
      s.dnat.put(uuid, next)
    }
  }
}

// --- rendering ----------------------------------------------------------------------------------

const contentMap = (c: Ctx, item: Item, reduced: boolean): Record<string, unknown> => {
  const s = c.state
  const lines = (item["content"] ?? "").split("\n").filter((l) => l !== "")
  const { names, descr } = allAliasNames(s)
  const out: Record<string, unknown> = {}
  if (lines.length === 0) out[""] = { value: "", selected: 1, description: "" }
  for (const line of lines) out[line] = { value: line, selected: 1, description: descr.get(line) ?? "" }
  if (!reduced) {
    for (const [name, d] of names) {
      if (!(name in out) && name !== item["name"]) out[name] = { selected: 0, value: name, description: d }
    }
  }
  return out
}

/** The volatile statistics fields of Alias.xml (current_items, eval_*, in_/out_*): zeros here. */
const statsFor = (v: VersionProfile, item: Item): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const f of fieldsFor(aliasTable, v)) if (f.kind === "volatile") out[f.name] = "0"
  out["current_items"] = String((item["content"] ?? "").split("\n").filter((l) => l !== "").length)
  out["last_updated"] = ""
  return out
}

const encodeAlias = (c: Ctx, item: Item, uuid: string | undefined, reduced = false) =>
  encodeGet(aliasTable, uuid === undefined ? item : { ...item, ...statsFor(c.v, item) }, c, {
    twins: c.v.twinsInGet,
    custom: { content: (i) => contentMap(c, i, reduced) }
  })

/**
 * opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasController.php
 * searchItemAction (same in 25.7, 26.1): authgroup content is exploded on "," and each gid mapped
 * to its group name (unknown ones dropped), then joined with ",". The row holds the raw content,
 * newline-separated, so an alias of several groups comes back as "".
 */
const groupNames = (s: SimulatorState, content: string): string =>
  content.split(",").flatMap((gid) => s.userGroups.find((g) => g.gid === gid && g.name !== "all")?.name ?? [])
    .join(",")

const searchRow = (c: Ctx, uuid: string, item: Item): Record<string, unknown> => {
  const row = encodeRow(aliasTable, uuid, { ...item, ...statsFor(c.v, item) }, c)
  row["categories_uuid"] = (item["categories"] ?? "").split(",").filter((x) => x !== "")
  if (item["type"] === "authgroup") row["content"] = groupNames(c.state, item["content"] ?? "")
  return row
}

export const aliasResource: Resource = {
  wrapper: "alias",
  table: aliasTable,
  collection: (c) => c.state.aliases,
  validate: (c, item, _old, uuid, m) => validateAlias(c, item, uuid, m),
  blockerInController: true,
  deleteBlocker: (c, _uuid, item) => {
    const name = item["name"] ?? ""
    const refs = aliasReferences(c.state, name)
    if (refs.length === 0) return undefined
    const text = `Cannot delete alias ${name}. Currently in use by ${
      refs.map(([ref, d]) => `\n[${ref}] ${d}`).join("")
    }`
    return userException(c.v, c.v.errorLevel ? escapeHtml(text) : text, "Alias in use")
  },
  afterWrite: (c, _uuid, old, item) => {
    const from = old?.["name"]
    const to = item?.["name"]
    if (from !== undefined && to !== undefined && from !== to) renameReferences(c.state, from, to)
    c.state.labelsEpoch++
  },
  encode: (c, item, uuid) => encodeAlias(c, item, uuid)
}

const listParam = (body: Readonly<Record<string, unknown>>, query: URLSearchParams, name: string): Array<string> => {
  const b = body[name]
  if (Array.isArray(b)) return b.map(String)
  if (typeof b === "string" && b !== "") return b.split(",")
  return [...query.getAll(`${name}[]`), ...query.getAll(name).flatMap((x) => x.split(","))].filter((x) => x !== "")
}

const exportItem = (v: VersionProfile, item: Item): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const f of fieldsFor(aliasTable, v)) if (f.kind !== "volatile") out[f.name] = item[f.name] ?? ""
  return out
}

export const controller: Controller = {
  module: "firewall",
  controller: "alias",
  actions: {
    search_item: {
      handle: (req, c) => {
        const types = listParam(req.body, req.query, "type")
        const cats = listParam(req.body, req.query, "category")
        const rows: Array<Record<string, unknown>> = []
        const keep = (item: Item) =>
          (types.length === 0 || types.includes(item["type"] ?? "")) &&
          (cats.length === 0 || (item["categories"] ?? "").split(",").some((x) => cats.includes(x)))
        for (const b of builtinAliases(c.state)) {
          const item = builtinItem(b)
          if (keep(item)) rows.push({ ...searchRow(c, b.name, item), counters: "" })
        }
        for (const [uuid, item] of c.state.aliases.entries()) if (keep(item)) rows.push(searchRow(c, uuid, item))
        return grid(rows, gridParams(req.body, req.query, false), { defaultSort: "name" })
      }
    },
    get_item: {
      handle: (req, c) => {
        const uuid = req.params[0]
        if (uuid === undefined || uuid === "") {
          return json({ alias: encodeAlias(c, defaults(aliasTable, c.v), undefined) })
        }
        const item = c.state.aliases.get(uuid)
        const builtin = builtinAliases(c.state).find((b) => b.name === uuid)
        if (item !== undefined) return json({ alias: encodeAlias(c, item, uuid) })
        if (builtin !== undefined) return json({ alias: encodeAlias(c, builtinItem(builtin), uuid) })
        // ≤26.1.10: a TypeError in the controller; 26.1.11+/26.7: a wrapper with only `content` (AliasController getItemAction)
        if (c.v.aliasGetUnknown === "error") throw unexpected()
        return json({ alias: { content: contentMap(c, { name: "", content: "" }, false) } })
      }
    },
    add_item: addItem(aliasResource),
    set_item: setItem(aliasResource),
    del_item: delItem(aliasResource),
    toggle_item: toggleItem(aliasResource, "enabled"),
    get_alias_u_u_i_d: {
      params: 1,
      handle: (req, c) => {
        const name = req.params[0] ?? ""
        const uuid = c.state.aliases.find("name", name)
        if (uuid !== undefined) return json({ uuid })
        return builtinAliases(c.state).some((b) => b.name === name) ? json({ uuid: name }) : json([])
      }
    },
    reconfigure: {
      handle: (req, c) => {
        if (!req.isPost) return json({ status: "failed" })
        c.state.applied = { ...c.state.applied, aliases: c.state.aliases.snapshot() }
        c.state.reconfigureCounts.alias++
        return json({ status: "ok" })
      }
    },
    export: {
      handle: (req, c) => {
        if (!req.isGet && !req.isPost) throw userException(c.v, "Unsupported request type")
        const ids = listParam(req.body, req.query, "ids")
        const alias: Record<string, unknown> = {}
        if (ids.length === 0) {
          for (const b of builtinAliases(c.state)) {
            alias[b.name] = exportItem(c.v, builtinItem(b))
          }
        }
        for (const [uuid, item] of c.state.aliases.entries()) {
          if (ids.length === 0 || ids.includes(uuid)) alias[uuid] = exportItem(c.v, item)
        }
        const body = ids.length === 0 ? { geoip: { url: "" }, aliases: { alias } } : { aliases: { alias } }
        return raw(JSON.stringify(body, null, 4), "application/json")
      }
    },
    // opnsense/core 26.7.2 (same since 24.7): src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasController.php
    // importAction: entries with a name (and not `internal`) are matched by name or added, every
    // property set, then the whole model is validated at once (aliases may use aliases of the same
    // import) and saved only without a message; messages are keyed `<posted key>.<field>`, one each
    import: {
      handle: (req, c) => {
        if (!req.isPost) throw userException(c.v, "Unsupported request type")
        const data = req.body["data"]
        const entries = isRecord(data) && isRecord(data["aliases"]) && isRecord(data["aliases"]["alias"])
          ? data["aliases"]["alias"]
          : undefined
        if (entries === undefined) return json({ existing: 0, new: 0, status: "failed" })
        const s = c.state
        const pending: Array<[string, string, Item, Item | undefined]> = []
        let existing = 0
        let created = 0
        for (const [key, value] of Object.entries(entries)) {
          if (!isRecord(value) || value["type"] === "internal") continue
          const name = typeof value["name"] === "string" ? value["name"] : ""
          if (name === "") continue
          const uuid = s.aliases.find("name", name) ?? newUuid()
          const old = s.aliases.get(uuid)
          pending.push([key, uuid, applyPost(aliasTable, old ?? defaults(aliasTable, c.v), value, c.v), old])
          if (old === undefined) created++
          else existing++
        }
        for (const [, uuid, item] of pending) s.aliases.put(uuid, item)
        const validations: Record<string, string> = {}
        for (const [key, uuid, item] of pending) {
          const m = new Messages()
          validateAlias(c, item, uuid, m)
          for (const [k, msg] of Object.entries(m.toJSON())) {
            validations[`${key}.${k.slice(k.lastIndexOf(".") + 1)}`] = Array.isArray(msg) ? (msg.at(-1) ?? "") : msg
          }
        }
        if (Object.keys(validations).length > 0) {
          for (const [, uuid, , old] of pending) {
            if (old === undefined) s.aliases.delete(uuid)
            else s.aliases.put(uuid, old)
          }
          return json({ existing, new: created, validations, status: "failed" })
        }
        for (const [, uuid, item, old] of pending) aliasResource.afterWrite?.(c, uuid, old, item)
        if (pending.length > 0) c.save(req)
        return json({ existing, new: created, status: "ok" })
      }
    },
    get: {
      handle: (req, c) =>
        req.isGet
          ? json({
            alias: {
              geoip: { url: "" },
              aliases: { alias: itemsMap(aliasResource, c, (cc, item, uuid) => encodeAlias(cc, item, uuid, true)) }
            }
          })
          : json([])
    },
    // opnsense/core 26.7.2: AliasController::listUserGroupsAction: gid → {name, gid}, sorted, without "all"
    list_user_groups: {
      handle: (_req, c) => {
        const out: Record<string, { name: string; gid: string }> = {}
        const groups = [...c.state.userGroups].filter((g) => g.name !== "all")
          .sort((a, b) => a.gid.localeCompare(b.gid, "en", { numeric: true }))
        for (const g of groups) out[g.gid] = { name: g.name, gid: g.gid }
        return json(out)
      }
    },
    list_categories: {
      handle: (_req, c) => json({ rows: categoryOptions(c.state).map((o) => ({ uuid: o.key, name: o.label })) })
    }
  }
}

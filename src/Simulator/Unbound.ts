/**
 * Unbound DNS overrides (opnsense/core 25.7, 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Unbound/Api/SettingsController.php, model
 * src/opnsense/mvc/app/models/OPNsense/Unbound/Unbound.xml): host overrides (`hosts.host`), their
 * aliases (`aliases.alias`, an ArrayField whose `host` is a ModelRelationField to a host's uuid)
 * and query forwarding (`dots.dot`: `*_forward` sees type "forward" rows, `*_dot` type "dot" rows),
 * and `unbound/service/reconfigure`.
 */
import { isIPv4, isIPv6 } from "node:net"
import { addItem, delItem, getItem, type Resource, setItem } from "./Crud.ts"
import { encodeGet, encodeRow, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import { isPortNumber } from "./Net.ts"
import type { Action, Controller, Ctx } from "./Router.ts"
import { grid, gridParams, type Item, json, type Messages, type Reply } from "./Wire.ts"

const MODEL = "Unbound/Unbound"

export const hostTable: Table = generatedTable(MODEL, "hosts.host")
export const aliasTable: Table = generatedTable(MODEL, "aliases.alias", {
  // ModelRelationField over hosts.host, shown as "%s.%s" of hostname, domain (Unbound.xml aliases.alias.host)
  host: {
    options: (c) =>
      [...c.state.unboundHosts.entries()].map(([uuid, h]) => ({
        key: uuid,
        label: `${h["hostname"] ?? ""}.${h["domain"] ?? ""}`
      }))
  }
})
export const dotTable: Table = generatedTable(MODEL, "dots.dot")

/**
 * HostnameField::getValidators (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/HostnameField.php):
 * with IsDNSName=Y, FILTER_VALIDATE_DOMAIN without FILTER_FLAG_HOSTNAME (labels of 1..63, at most
 * 253 in all), no blanks, "/" or "*"; "*" alone where HostWildcardAllowed; no IP address where
 * IpAllowed=N.
 */
export const validHostname = (value: string, o: { wildcard: boolean; ip: boolean }): boolean => {
  if (o.wildcard && value === "*") return true
  const ip = isIPv4(value) || isIPv6(value)
  if (ip) return o.ip
  const bare = value.endsWith(".") ? value.slice(0, -1) : value
  if (bare === "" || bare.length > 253) return false
  if (bare.split(".").some((label) => label.length === 0 || label.length > 63)) return false
  return !/[\s/*]/.test(value)
}

/** HostnameField's class message: "[%s] is not ..." from 26.1.6, "Please specify ..." before (generated tables). */
const classMessage = (c: Ctx): string =>
  c.v.series === "26.7"
    ? "[%s] is not a valid IP address or hostname."
    : "Please specify a valid IP address or hostname."

const checkHostname = (
  m: Messages,
  key: string,
  value: string,
  o: { wildcard: boolean; ip: boolean },
  message: string
): void => {
  if (value !== "" && !validHostname(value, o)) m.add(key, message.replace("%s", value))
}

/** SetIfConstraint: `field` must be set when `rr` is `check` (Unbound.xml hosts.host mxprio/mx/server/txtdata). */
const requiredFor: ReadonlyArray<{ field: string; rr: string; message: string }> = [
  { field: "mxprio", rr: "MX", message: "The field MX Priority is required." },
  { field: "mx", rr: "MX", message: "The field MX Host is required." },
  { field: "server", rr: "A", message: "The field IP address is required." },
  { field: "server", rr: "AAAA", message: "The field IP address is required." },
  { field: "txtdata", rr: "TXT", message: "The field TXT Data is required." }
]

export const hostResource: Resource = {
  wrapper: "host",
  table: hostTable,
  collection: (c) => c.state.unboundHosts,
  validate: (c, item, _old, _uuid, m) => {
    validateFields(hostTable, item, "host", c, m)
    const v26 = c.v.series === "26.7"
    checkHostname(
      m,
      "host.hostname",
      item["hostname"] ?? "",
      { wildcard: true, ip: false },
      v26 ? "A valid hostname must be specified." : "Please specify a valid IP address or hostname."
    )
    // Unbound::performValidation (26.1.7+): a trailing dot is refused
    if (v26 && (item["hostname"] ?? "").endsWith(".")) m.add("host.hostname", "A valid hostname must be specified.")
    checkHostname(m, "host.mx", item["mx"] ?? "", { wildcard: false, ip: true }, classMessage(c))
    const rr = item["rr"] ?? ""
    for (const r of requiredFor) {
      if (r.rr === rr && (item[r.field] ?? "") === "" && hostTable.some((f) => f.name === r.field)) {
        m.add(`host.${r.field}`, r.message)
      }
    }
    // NetworkField: a literal address or network (26.7 sets NetMaskAllowed=N on hosts.host.server; 26.1.x does not)
    const server = item["server"] ?? ""
    if (server !== "") {
      const [addr, mask, ...rest] = server.split("/")
      const ok = addr !== undefined && (isIPv4(addr) || isIPv6(addr)) && rest.length === 0 &&
        (mask === undefined || (!v26 && /^\d{1,3}$/.test(mask)))
      if (!ok) m.add("host.server", "Please specify a valid network segment or IP address.")
    }
  },
  encode: (c, item, uuid) =>
    encodeGet(hostTable, item, c, {
      twins: c.v.twinsInGet,
      custom: {
        // volatile: AliasRefCount (≤26.1.5) counts the host's aliases, AliasReflector (26.1.6+) lists them
        aliascount: () => String(aliasesOf(c, uuid ?? "").length),
        aliases: () => aliasesOf(c, uuid ?? "").map(([, a]) => aliasName(a, item))
      }
    })
}

const aliasesOf = (c: Ctx, host: string): Array<readonly [string, Item]> =>
  [...c.state.unboundAliases.entries()].filter(([, a]) => a["host"] === host)

/** AliasReflector::actionPostLoadingEvent: "hostname." + (the alias's domain or the host's). */
const aliasName = (alias: Item, host: Item): string => {
  const hostname = alias["hostname"] ?? ""
  const domain = alias["domain"] ?? ""
  return `${hostname !== "" ? `${hostname}.` : ""}${domain !== "" ? domain : (host["domain"] ?? "")}`
}

export const aliasResource: Resource = {
  wrapper: "alias",
  table: aliasTable,
  collection: (c) => c.state.unboundAliases,
  validate: (c, item, _old, _uuid, m) => {
    validateFields(aliasTable, item, "alias", c, m)
    const hostname = item["hostname"] ?? ""
    const domain = item["domain"] ?? ""
    checkHostname(
      m,
      "alias.hostname",
      hostname,
      { wildcard: true, ip: false },
      classMessage(c)
    )
    // SetIfConstraint with an empty check: one of hostname and domain must be set
    if (hostname === "" && domain === "") {
      m.add("alias.hostname", "The host field is required if a domain has not been specified.")
      m.add("alias.domain", "The domain field is required if a host has not been specified.")
    }
  },
  encode: (c, item) => encodeGet(aliasTable, item, c, { twins: c.v.twinsInGet })
}

/** `dots.dot` rows of one type: the controller passes `type` as an overlay on add and set. */
const dotResource = (type: "forward" | "dot"): Resource => ({
  wrapper: "dot",
  table: dotTable,
  collection: (c) => c.state.unboundDots,
  complete: (_c, item) => {
    item["type"] = type
  },
  validate: (c, item, _old, _uuid, m) => {
    validateFields(dotTable, item, "dot", c, m)
    checkHostname(
      m,
      "dot.domain",
      item["domain"] ?? "",
      { wildcard: false, ip: false },
      "A valid domain must be specified."
    )
    const server = item["server"] ?? ""
    if (
      server !== "" && server.split(",").some((s) => !(isIPv4(s.split("/")[0] ?? "") || isIPv6(s.split("/")[0] ?? "")))
    ) {
      m.add("dot.server", "Please specify a valid network segment or IP address.")
    }
    const port = item["port"] ?? ""
    if (port !== "" && !isPortNumber(port)) m.add("dot.port", "Please specify a valid port number (1-65535).")
  },
  encode: (c, item) => encodeGet(dotTable, item, c, { twins: c.v.twinsInGet })
})
export const forwardResource: Resource = dotResource("forward")

const search = (rows: (c: Ctx) => Array<Record<string, unknown>>): Action => ({
  handle: (req, c) => grid(rows(c), gridParams(req.body, req.query, false), { defaultSort: "", presorted: true })
})

/**
 * search_host_override: searchBase over hosts.host; 26.1.6+ nests each host's aliases as
 * `_children` (isAlias true, enabled/hostname/domain/description of the alias over the host's row).
 */
const hostRows = (c: Ctx): Array<Record<string, unknown>> =>
  [...c.state.unboundHosts.entries()].map(([uuid, item]) => {
    const row = encodeRow(hostTable, uuid, item, c)
    if (c.v.series === "26.7") {
      row["aliases"] = aliasesOf(c, uuid).map(([, a]) => aliasName(a, item)).join(",")
      row["isAlias"] = false
      const children = aliasesOf(c, uuid).map(([aliasUuid, a]) => {
        const { aliases: _aliases, ...rest } = row
        return {
          ...rest,
          uuid: aliasUuid,
          isAlias: true,
          enabled: a["enabled"] ?? "1",
          hostname: a["hostname"] ?? "",
          domain: a["domain"] ?? "",
          description: a["description"] ?? ""
        }
      })
      if (children.length > 0) row["_children"] = children
    } else {
      row["aliascount"] = String(aliasesOf(c, uuid).length)
    }
    return row
  })

/** del_host_override: the host's aliases are deleted with it (delHostOverrideAction). */
const delHost: Action = {
  params: 1,
  handle: (req, c) => {
    const uuid = req.params[0] ?? ""
    if (req.isPost && c.state.unboundHosts.get(uuid) !== undefined) {
      for (const [aliasUuid] of aliasesOf(c, uuid)) c.state.unboundAliases.delete(aliasUuid)
    }
    return delItem(hostResource).handle(req, c)
  }
}

/** searchHostAliasAction: `host` narrows the rows to one host's aliases. */
const aliasRows = (host: string | null) => (c: Ctx): Array<Record<string, unknown>> =>
  [...c.state.unboundAliases.entries()]
    .filter(([, a]) => host === null || host === "" || a["host"] === host)
    .map(([uuid, item]) => encodeRow(aliasTable, uuid, item, c))

const reconfigure: Action = {
  handle: (req, c): Reply => {
    // ApiMutableServiceControllerBase::reconfigureAction: POST only
    if (!req.isPost) return json({ status: "failed" })
    c.state.applied = {
      ...c.state.applied,
      unboundHosts: c.state.unboundHosts.snapshot(),
      unboundAliases: c.state.unboundAliases.snapshot(),
      unboundDots: c.state.unboundDots.snapshot()
    }
    c.state.reconfigureCounts.unbound++
    return json({ status: "ok" })
  }
}

export const settingsController: Controller = {
  module: "unbound",
  controller: "settings",
  actions: {
    search_host_override: search(hostRows),
    get_host_override: getItem(hostResource),
    add_host_override: addItem(hostResource),
    set_host_override: setItem(hostResource),
    del_host_override: delHost,
    search_host_alias: {
      handle: (req, c) => {
        const host = req.query.get("host") ?? (typeof req.body["host"] === "string" ? req.body["host"] : null)
        return grid(aliasRows(host)(c), gridParams(req.body, req.query, false), { defaultSort: "", presorted: true })
      }
    },
    get_host_alias: getItem(aliasResource),
    add_host_alias: addItem(aliasResource),
    set_host_alias: setItem(aliasResource),
    del_host_alias: delItem(aliasResource),
    search_forward: search((c) =>
      [...c.state.unboundDots.entries()]
        .filter(([, d]) => d["type"] === "forward")
        .map(([uuid, item]) => encodeRow(dotTable, uuid, item, c))
    ),
    get_forward: getItem(forwardResource),
    add_forward: addItem(forwardResource),
    set_forward: setItem(forwardResource),
    del_forward: delItem(forwardResource)
  }
}

export const serviceController: Controller = {
  module: "unbound",
  controller: "service",
  actions: { reconfigure }
}

/**
 * `kea/dhcpv4` subnets and reservations and `kea/service/reconfigure` (opnsense/core 26.1.5, 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Kea/Api/Dhcpv4Controller.php, ServiceController.php;
 * src/opnsense/mvc/app/models/OPNsense/Kea/KeaDhcpv4.xml, KeaDhcpv4.php). Model `dhcpv4`, wrappers
 * `subnet4` and `reservation`; a reservation names its subnet by uuid (ModelRelationField).
 */
import { isIPv4 } from "node:net"
import { addItem, delItem, getItem, type Resource, setItem } from "./Crud.ts"
import { encodeGet, encodeRow, type Opt, splitList, type Table, validateFields } from "./Fields.ts"
import { fieldsIn, generatedTable, modelAt } from "./Generated.ts"
import type { Action, Controller, Ctx } from "./Router.ts"
import type { SimulatorState } from "./State.ts"
import { grid, gridParams, type Item, json, type Messages, userException } from "./Wire.ts"

const MODEL = "Kea/KeaDhcpv4"

// --- IPv4 arithmetic (opnsense/core 26.7.2: src/opnsense/mvc/app/library/OPNsense/Firewall/Util.php
// isIPInCIDR, isSubnet) -----------------------------------------------------------------------------

const ipv4Number = (address: string): number | undefined => {
  if (!isIPv4(address)) return undefined
  return address.split(".").reduce((n, part) => n * 256 + Number(part), 0)
}

/** `a.b.c.d/n` with n 0..32 (NetworkField with NetMaskRequired, AddressFamily ipv4). */
export const isIpv4Cidr = (value: string): boolean => {
  const [address, bits, ...rest] = value.split("/")
  return rest.length === 0 && address !== undefined && isIPv4(address) && bits !== undefined &&
    /^\d{1,2}$/.test(bits) && Number(bits) <= 32
}

/** Util::isIPInCIDR for IPv4: false for anything that is not an address and a CIDR. */
export const ipInCidr = (address: string, cidr: string): boolean => {
  const ip = ipv4Number(address)
  const [base, bits] = cidr.split("/")
  const net = base === undefined ? undefined : ipv4Number(base)
  if (ip === undefined || net === undefined || bits === undefined || !isIpv4Cidr(cidr)) return false
  const size = 2 ** (32 - Number(bits))
  return Math.floor(ip / size) === Math.floor(net / size)
}

/** NetworkField AsList, no netmask, ipv4: every comma-separated entry an IPv4 address. */
const ipv4List = (value: string): boolean => splitList(value).every((a) => isIPv4(a.trim()))

/**
 * KeaPoolsField::getValidators (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Kea/FieldTypes/KeaPoolsField.php):
 * one entry per line, `from-to` addresses or a subnet.
 */
const poolProblems = (value: string): Array<string> =>
  value.split("\n").filter((e) => e.length > 0).flatMap((entry) => {
    const parts = entry.split("-")
    if (parts.length === 2 && parts.every((p) => isIPv4(p.trim()))) return []
    if (parts.length === 1 && isIpv4Cidr(entry)) return []
    return [`Entry "${entry}" is not a valid range or subnet.`]
  })

/**
 * BaseSetField::getNodeData with AsList (opnsense/core 26.1.5, 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/BaseSetField.php): `get` renders each
 * comma-separated entry as `{entry: {value: entry, selected: 1}}` (an empty value as the entry "").
 */
const asListMap = (value: string): Record<string, { value: string; selected: 1 }> =>
  Object.fromEntries(value.split(",").map((entry) => [entry, { value: entry, selected: 1 as const }]))

const asListFields = new Map<string, ReadonlyArray<string>>()
/** The AsList fields of a container at the emulated release (from the generated model's properties). */
const asListOf = (c: Ctx, container: string): ReadonlyArray<string> => {
  const key = `${c.v.full} ${container}`
  let names = asListFields.get(key)
  if (names === undefined) {
    names = fieldsIn(modelAt(MODEL, c.v.full), container)
      .filter((f) => f.properties.some((p) => p.key === "AsList" && String(p.value).trim().toUpperCase() === "Y"))
      .map((f) => f.name)
    asListFields.set(key, names)
  }
  return names
}

const encodeKea = (table: Table, container: string) => (c: Ctx, item: Item) =>
  encodeGet(table, item, c, {
    twins: c.v.twinsInGet,
    custom: Object.fromEntries(asListOf(c, container).map((n) => [n, (i: Item) => asListMap(i[n] ?? "")]))
  })

// --- subnets --------------------------------------------------------------------------------------

/** `subnets.subnet4` of KeaDhcpv4.xml at the emulated release's tag (generated). */
export const subnetTable: Table = generatedTable(MODEL, "subnets.subnet4", {
  // ModelRelationField to options.option: the simulator emulates no custom options
  option: { options: () => [] }
})

/** AutoNumberField::applyDefault: the first unused number from 1 (`subnet_id`, KeaDhcpv4.xml 1.0.6 at 26.7.2). */
const nextSubnetId = (s: SimulatorState): string => {
  const used = new Set([...s.keaSubnets.values()].map((i) => i["subnet_id"] ?? ""))
  let n = 1
  while (used.has(String(n))) n++
  return String(n)
}

const hasField = (table: Table, c: Ctx, name: string) =>
  table.some((f) => f.name === name && (f.since === undefined || f.since(c.v)))

const validateSubnet = (c: Ctx, item: Item, uuid: string, m: Messages): void => {
  validateFields(subnetTable, item, "subnet4", c, m)
  const subnet = item["subnet"] ?? ""
  if (subnet !== "" && !isIpv4Cidr(subnet)) {
    m.add("subnet4.subnet", "Please specify a valid network segment or IP address.")
  }
  // UniqueConstraint "Subnet must be unique." (KeaDhcpv4.xml, 25.7.1+)
  for (const [other, o] of c.state.keaSubnets.entries()) {
    if (other !== uuid && subnet !== "" && o["subnet"] === subnet) m.add("subnet4.subnet", "Subnet must be unique.")
  }
  if (hasField(subnetTable, c, "subnet_id")) {
    const id = item["subnet_id"] ?? ""
    for (const [other, o] of c.state.keaSubnets.entries()) {
      if (other !== uuid && id !== "" && o["subnet_id"] === id) m.add("subnet4.subnet_id", "Subnet ID must be unique.")
    }
  }
  for (
    const name of ["next_server", "option_data.routers", "option_data.domain_name_servers", "option_data.ntp_servers"]
  ) {
    const value = item[name] ?? ""
    if (value !== "" && !ipv4List(value)) {
      m.add(`subnet4.${name}`, "Please specify a valid network segment or IP address.")
    }
  }
  for (const problem of poolProblems(item["pools"] ?? "")) m.add("subnet4.pools", problem)
}

/**
 * Safe delete (26.1.8+: Dhcpv4Controller `$internalModelUseSafeDelete`, checked by
 * ApiMutableModelControllerBase::delBase through checkAndThrowValueInUse): a subnet a reservation
 * names is refused with a UserException listing the reservations.
 */
const subnetInUse = (c: Ctx, uuid: string, item: Item) => {
  if (!c.v.keaSafeDelete) return undefined
  const users = [...c.state.keaReservations.entries()].filter(([, r]) => r["subnet"] === uuid)
  if (users.length === 0) return undefined
  const message = users.map(([ruuid, r]) =>
    `dhcp4 - ${r["description"] ?? ""} {dhcp4.reservations.reservation.${ruuid}}\n`
  )
    .join("")
  const name = (item["description"] ?? "") !== "" ? item["description"] : uuid
  return userException(c.v, message, `Item subnets.subnet4 {${name}} in use by:`)
}

export const subnetResource: Resource = {
  wrapper: "subnet4",
  table: subnetTable,
  collection: (c) => c.state.keaSubnets,
  complete: (c, item, old) => {
    if (old === undefined && hasField(subnetTable, c, "subnet_id") && (item["subnet_id"] ?? "") === "") {
      item["subnet_id"] = nextSubnetId(c.state)
    }
  },
  validate: (c, item, _old, uuid, m) => validateSubnet(c, item, uuid, m),
  deleteBlocker: subnetInUse,
  encode: encodeKea(subnetTable, "subnets.subnet4")
}

// --- reservations ---------------------------------------------------------------------------------

const subnetOptions = (s: SimulatorState): Array<Opt> =>
  [...s.keaSubnets.entries()].map(([uuid, i]) => ({ key: uuid, label: i["subnet"] ?? "" }))

/** `reservations.reservation` of KeaDhcpv4.xml (generated); `subnet` offers the subnets by CIDR. */
export const reservationTable: Table = generatedTable(MODEL, "reservations.reservation", {
  subnet: { options: (c) => subnetOptions(c.state) },
  option: { options: () => [] }
})

/** FILTER_VALIDATE_MAC: six groups of two hex digits joined by `:` or `-`, or three of four joined by `.` */
const isMac = (value: string): boolean =>
  /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(value) || /^[0-9a-f]{4}(\.[0-9a-f]{4}){2}$/i.test(value)

const validateReservation = (c: Ctx, item: Item, uuid: string, m: Messages): void => {
  validateFields(reservationTable, item, "reservation", c, m)
  const s = c.state
  const ip = item["ip_address"] ?? ""
  const mac = item["hw_address"] ?? ""
  if (ip !== "" && !isIPv4(ip)) m.add("reservation.ip_address", "Please specify a valid network segment or IP address.")
  if (mac !== "" && !isMac(mac)) m.add("reservation.hw_address", "Invalid MAC address.")
  for (const [other, o] of s.keaReservations.entries()) {
    if (other === uuid) continue
    // UniqueConstraint on ip_address; on hw_address with subnet, case-insensitive (26.1.5+)
    if (ip !== "" && o["ip_address"] === ip) m.add("reservation.ip_address", "Duplicate entry exists.")
    if (mac !== "" && o["subnet"] === item["subnet"] && (o["hw_address"] ?? "").toLowerCase() === mac.toLowerCase()) {
      m.add("reservation.hw_address", "Duplicate entry exists.")
    }
  }
  // KeaDhcpv4::performValidation: the address must lie in the subnet named (an empty one never does)
  const subnet = s.keaSubnets.get(item["subnet"] ?? "")?.["subnet"] ?? ""
  if (!ipInCidr(ip, subnet)) m.add("reservation.ip_address", "Address not in specified subnet")
  // 26.1.8+: hw_address optional, client_id beside it, exactly one of the two
  if (hasField(reservationTable, c, "client_id")) {
    const client = item["client_id"] ?? ""
    if (client !== "" && mac !== "") {
      m.add("reservation.hw_address", "Either a client ID or a MAC address should be specified, but not both")
    } else if (client === "" && mac === "") {
      m.add("reservation.hw_address", "Either a client ID or a MAC address should be specified.")
    }
  }
}

export const reservationResource: Resource = {
  wrapper: "reservation",
  table: reservationTable,
  collection: (c) => c.state.keaReservations,
  complete: (_c, item) => {
    // MacAddressField::setValue trims
    item["hw_address"] = (item["hw_address"] ?? "").trim()
  },
  validate: (c, item, _old, uuid, m) => validateReservation(c, item, uuid, m),
  encode: encodeKea(reservationTable, "reservations.reservation")
}

// --- controllers ----------------------------------------------------------------------------------

const search = (r: Resource, defaultSort: string): Action => ({
  handle: (req, c) => {
    const rows = [...r.collection(c).entries()].map(([uuid, item]) => encodeRow(r.table, uuid, item, c))
    return grid(rows, gridParams(req.body, req.query, false), { defaultSort })
  }
})

export const dhcpv4Controller: Controller = {
  module: "kea",
  controller: "dhcpv4",
  actions: {
    // searchBase("subnets.subnet4", null, "subnet"), searchBase("reservations.reservation", null, "hw_address")
    search_subnet: search(subnetResource, "subnet"),
    get_subnet: getItem(subnetResource),
    add_subnet: addItem(subnetResource),
    set_subnet: setItem(subnetResource),
    del_subnet: delItem(subnetResource),
    search_reservation: search(reservationResource, "hw_address"),
    get_reservation: getItem(reservationResource),
    add_reservation: addItem(reservationResource),
    set_reservation: setItem(reservationResource),
    del_reservation: delItem(reservationResource)
  }
}

/**
 * ApiMutableServiceControllerBase::reconfigureAction (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableServiceControllerBase.php): POST only,
 * renders the Kea templates and (re)starts or stops the service, answers `{"status":"ok"}`.
 */
export const serviceController: Controller = {
  module: "kea",
  controller: "service",
  actions: {
    reconfigure: {
      handle: (req, c) => {
        if (!req.isPost) return json({ status: "failed" })
        c.state.applied = {
          ...c.state.applied,
          keaSubnets: c.state.keaSubnets.snapshot(),
          keaReservations: c.state.keaReservations.snapshot()
        }
        c.state.reconfigureCounts.kea++
        return json({ status: "ok" })
      }
    }
  }
}

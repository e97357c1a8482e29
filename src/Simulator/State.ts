/**
 * The simulated firewall: config.xml as collections of immutable items with indexes, the running
 * ("applied") copies that reconfigure/apply produce, the configuration history, and the API keys.
 * Tests may read and change it directly through `SimulatorHandle.state`.
 */
import type { VersionProfile } from "./Version.ts"
import type { Item } from "./Wire.ts"

type IndexFn = (item: Item) => string | undefined

/** One ArrayField: uuid → item, plus unique indexes kept up to date on every write. */
export class Collection {
  private items = new Map<string, Item>()
  private readonly indexFns: Readonly<Record<string, IndexFn>>
  private indexes = new Map<string, Map<string, string>>()
  /** bumped on every change; caches compare against it */
  version = 0

  constructor(indexFns: Readonly<Record<string, IndexFn>> = {}) {
    this.indexFns = indexFns
    this.reindex()
  }

  get size(): number {
    return this.items.size
  }
  get(uuid: string): Item | undefined {
    return this.items.get(uuid)
  }
  has(uuid: string): boolean {
    return this.items.has(uuid)
  }
  entries(): IterableIterator<[string, Item]> {
    return this.items.entries()
  }
  values(): IterableIterator<Item> {
    return this.items.values()
  }
  keys(): IterableIterator<string> {
    return this.items.keys()
  }
  /** uuid of the item whose index `index` has key `key` */
  find(index: string, key: string): string | undefined {
    return this.indexes.get(index)?.get(key)
  }

  put(uuid: string, item: Item): void {
    const old = this.items.get(uuid)
    if (old !== undefined) this.unindex(uuid, old)
    this.items.set(uuid, item)
    this.index(uuid, item)
    this.version++
  }
  delete(uuid: string): boolean {
    const old = this.items.get(uuid)
    if (old === undefined) return false
    this.unindex(uuid, old)
    this.items.delete(uuid)
    this.version++
    return true
  }
  clear(): void {
    this.restore(new Map())
  }
  /** A cheap copy: items are immutable, so sharing them between snapshots is safe. */
  snapshot(): ReadonlyMap<string, Item> {
    return new Map(this.items)
  }
  restore(snapshot: ReadonlyMap<string, Item>): void {
    this.items = new Map(snapshot)
    this.reindex()
    this.version++
  }

  private reindex(): void {
    this.indexes = new Map(Object.keys(this.indexFns).map((k) => [k, new Map<string, string>()]))
    for (const [uuid, item] of this.items) this.index(uuid, item)
  }
  private index(uuid: string, item: Item): void {
    for (const [name, fn] of Object.entries(this.indexFns)) {
      const key = fn(item)
      if (key !== undefined) this.indexes.get(name)?.set(key, uuid)
    }
  }
  private unindex(uuid: string, item: Item): void {
    for (const [name, fn] of Object.entries(this.indexFns)) {
      const key = fn(item)
      const map = this.indexes.get(name)
      if (key !== undefined && map?.get(key) === uuid) map.delete(key)
    }
  }
}

export interface Device {
  readonly name: string
  readonly mac: string
}

/** An assigned interface (`interfaces/<identifier>` in config.xml). */
export interface Iface {
  readonly identifier: string
  readonly device: string
  readonly description: string
  readonly ipaddr?: string
  readonly subnet?: string
  readonly ipaddrv6?: string
  readonly subnetv6?: string
  /** `<enable>`; absent counts as enabled here (seeded interfaces), an API assignment has none (false) */
  readonly enabled?: boolean
  /** `gateway` of the interface in config.xml (a gateway name, or "none"/absent) */
  readonly gateway?: string
  /** `<lock>`: "Prevent interface removal" (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.xml) */
  readonly lock?: boolean
}

/**
 * How InterfaceField and the overview name an interface: its description, else its identifier in
 * upper case (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/InterfaceField.php,
 * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/OverviewController.php).
 */
export const ifaceLabel = (i: Iface): string => (i.description !== "" ? i.description : i.identifier.toUpperCase())

/**
 * One entry of `/tmp/.interfaces.todo`: an assignment change that waits for
 * `interfaces/assignment/reconfigure` (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.php store_if_todo).
 */
export interface PendingInterface {
  readonly action: "delete" | "relink"
  /** the device a relink moves the interface to (kept when a later delete is merged in) */
  readonly device?: string
}

/**
 * lo0, which the loopback plugin registers in config.xml's interfaces on every boot (so it is in
 * the overview and in search_rule's interface map), and which pf never filters ("set skip on lo0").
 * opnsense/core 26.7.2: src/etc/inc/plugins.inc.d/loopback.inc loopback_interfaces;
 * opnsense/core 26.7.2: src/etc/inc/filter.inc (set skip on lo0)
 */
export const LOOPBACK: Iface = {
  identifier: "lo0",
  device: "lo0",
  description: "Loopback",
  ipaddr: "127.0.0.1",
  subnet: "8",
  ipaddrv6: "::1",
  subnetv6: "128"
}

/** One device `interface list assign-opts` offers (opnsense/core 26.7.2: src/opnsense/scripts/interfaces/list_assign_options.php). */
export interface AssignOption {
  readonly key: string
  readonly value: string
  readonly optgroup: string
  readonly icon: string
}

export interface InterfaceGroup {
  readonly name: string
  readonly members: ReadonlyArray<string>
  readonly description: string
}

/**
 * A gateway in a seed: its name, address and family; the interface defaults to the one whose
 * `gateway` names it (else wan). Seeded as a `gateway_item` of //OPNsense/Gateways (Routing.ts).
 */
export interface Gateway {
  readonly name: string
  readonly address: string
  readonly ipprotocol: "inet" | "inet6"
  readonly interface?: string
  readonly descr?: string
}

/** A legacy `<filter><rule>` (not managed by the MVC API; read-only in 26.7 search_rule). */
export interface LegacyRule {
  readonly label: string
  readonly interface: string
  readonly action: "pass" | "block" | "reject"
  /** absent: both families (the anti-lockout rule names none) */
  readonly ipprotocol?: "inet" | "inet6"
  readonly protocol: string
  readonly source: string
  readonly destination: string
  readonly destinationPort: string
  readonly description: string
  readonly automatic: boolean
  readonly prio: number
  readonly sequence: number
  readonly log: boolean
  readonly quick: boolean
}

export interface Snapshot {
  readonly vlans: ReadonlyMap<string, Item>
  readonly aliases: ReadonlyMap<string, Item>
  readonly rules: ReadonlyMap<string, Item>
  readonly categories: ReadonlyMap<string, Item>
  readonly dnat: ReadonlyMap<string, Item>
  /** Filter.xml `snatrules.rule` (outbound NAT rules of firewall/source_nat) */
  readonly snat: ReadonlyMap<string, Item>
  /** Filter.xml `onetoone.rule` (firewall/one_to_one) */
  readonly onetoone: ReadonlyMap<string, Item>
  /** legacy `nat/outbound/mode` of config.xml; "" when the element is absent */
  readonly natOutboundMode: string
  /** KeaDhcpv4.xml `subnets.subnet4` (kea/dhcpv4) */
  readonly keaSubnets: ReadonlyMap<string, Item>
  /** KeaDhcpv4.xml `reservations.reservation` (kea/dhcpv4) */
  readonly keaReservations: ReadonlyMap<string, Item>
  readonly interfaces: ReadonlyArray<Iface>
  /** Unbound.xml `hosts.host`, `aliases.alias`, `dots.dot` (unbound/settings) */
  readonly unboundHosts: ReadonlyMap<string, Item>
  readonly unboundAliases: ReadonlyMap<string, Item>
  readonly unboundDots: ReadonlyMap<string, Item>
  /** //OPNsense/Gateways `gateway_item` (routing/settings) */
  readonly gateways: ReadonlyMap<string, Item>
  /** //staticroutes `route` (routes/routes) */
  readonly routes: ReadonlyMap<string, Item>
}

export interface Revision {
  /** `config-<time>.xml` */
  readonly id: string
  readonly time: string
  readonly timeIso: string
  readonly description: string
  readonly username: string
  readonly snapshot: Snapshot
}

export interface ApiKey {
  readonly key: string
  readonly secret: string
  readonly user: string
  /** ACL privilege names; `page-all` allows everything */
  readonly privileges: ReadonlyArray<string>
  readonly disabled?: boolean
  /** `user-config-readonly`: writes give a 500 UserException */
  readonly readonly?: boolean
}

export interface ReconfigureCounts {
  vlan: number
  alias: number
  filter: number
  dnat: number
  /** `interfaces/assignment/reconfigure` (each also reloads the filter, counted in `filter`) */
  assignment: number
  /** `kea/service/reconfigure` */
  kea: number
  /** `unbound/service/reconfigure` */
  unbound: number
  /** configd `interface routes configure`: routing/settings/reconfigure and routes/routes/reconfigure */
  routing: number
}

export class SimulatorState {
  readonly v: VersionProfile
  hostname = "OPNsense"
  domain = "localdomain"

  readonly devices: Array<Device> = []
  interfaces: Array<Iface> = []
  readonly groups: Array<InterfaceGroup> = []
  /** system user groups (config system/group); a fresh box has admins, gid 1999 (opnsense/core 26.7.2: src/etc/config.xml.sample) */
  readonly userGroups: Array<{ readonly gid: string; readonly name: string }> = [{ gid: "1999", name: "admins" }]
  readonly legacyRules: Array<LegacyRule> = []

  readonly vlans = new Collection({
    ifTag: (i) => `${i["if"] ?? ""}|${i["tag"] ?? ""}`,
    vlanif: (i) => i["vlanif"]
  })
  readonly aliases = new Collection({ name: (i) => i["name"] })
  readonly rules = new Collection()
  readonly categories = new Collection({ name: (i) => i["name"] })
  readonly dnat = new Collection()
  readonly snat = new Collection()
  readonly onetoone = new Collection()
  readonly keaSubnets = new Collection()
  readonly keaReservations = new Collection()
  readonly unboundHosts = new Collection()
  readonly unboundAliases = new Collection()
  readonly unboundDots = new Collection()
  /** //OPNsense/Gateways `gateway_item` (Routing.ts) */
  readonly gateways = new Collection({ name: (i) => i["name"] })
  /** //staticroutes `route` (Routes.ts) */
  readonly routes = new Collection()
  /**
   * networks noted for removal from the routing table by delroute and by a setroute that changed
   * the network (`/tmp/delete_route_<uuid>.todo`, opnsense/core 26.7.2:
   * src/opnsense/mvc/app/controllers/OPNsense/Routes/Api/RoutesController.php); consumed by the
   * next `interface routes configure`
   */
  pendingRouteRemovals: Array<string> = []
  /**
   * `nat/outbound/mode` of config.xml: automatic, hybrid, advanced (manual), disabled, or "" when
   * absent (the legacy page and the 26.7 model read "" as automatic). opnsense/core 26.7.2:
   * src/www/firewall_nat_out.php, src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/SNatModeField.php
   */
  natOutboundMode = ""

  /** What is running: copied from the config by reconfigure/apply (rules are inactive until apply). */
  applied: {
    rules: ReadonlyMap<string, Item>
    aliases: ReadonlyMap<string, Item>
    vlans: ReadonlyMap<string, Item>
    dnat: ReadonlyMap<string, Item>
    snat: ReadonlyMap<string, Item>
    onetoone: ReadonlyMap<string, Item>
    natOutboundMode: string
    /** the Kea configuration rendered by `kea/service/reconfigure` */
    keaSubnets: ReadonlyMap<string, Item>
    keaReservations: ReadonlyMap<string, Item>
    unboundHosts: ReadonlyMap<string, Item>
    unboundAliases: ReadonlyMap<string, Item>
    unboundDots: ReadonlyMap<string, Item>
    gateways: ReadonlyMap<string, Item>
    routes: ReadonlyMap<string, Item>
  } = {
    rules: new Map(),
    aliases: new Map(),
    vlans: new Map(),
    dnat: new Map(),
    snat: new Map(),
    onetoone: new Map(),
    natOutboundMode: "",
    keaSubnets: new Map(),
    keaReservations: new Map(),
    unboundHosts: new Map(),
    unboundAliases: new Map(),
    unboundDots: new Map(),
    gateways: new Map(),
    routes: new Map()
  }
  readonly reconfigureCounts: ReconfigureCounts = {
    vlan: 0,
    alias: 0,
    filter: 0,
    dnat: 0,
    assignment: 0,
    kea: 0,
    unbound: 0,
    routing: 0
  }

  /** newest first, like `core/backup/backups/this` */
  backups: Array<Revision> = []
  /**
   * `system/backupcount` in config.xml; undefined when the element is absent. What is kept follows
   * `retention()` (opnsense/core 26.7.2: src/opnsense/mvc/app/library/OPNsense/Core/Config.php backupCount).
   */
  backupCount: number | undefined = undefined
  /**
   * Device names noted for destruction by del_item and by a set_item that renames the device
   * (`/tmp/.vlans.removed`, opnsense/core 26.7.2:
   * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php delItemAction, setItemAction).
   */
  pendingVlanRemovals: Array<string> = []
  /**
   * The VLAN devices that exist in the kernel, by device name (the config item they were made
   * from). Only `vlan_settings/reconfigure` changes them (Vlans.ts `syncVlanDevices`).
   */
  vlanDevices: Map<string, Item> = new Map()
  /**
   * `/tmp/.interfaces.todo` by identifier, in the order first noted: deletions and device changes
   * of assignments that `interfaces/assignment/reconfigure` carries out (Assignments.ts).
   */
  pendingInterfaces: Map<string, PendingInterface> = new Map()
  /**
   * configd's cached answer of `interface list assign-opts` (`cache_ttl:60`), flushed by
   * `vlan_settings/reconfigure` (runInterfaceRegistration); see Assignments.ts `deviceOptions`.
   */
  assignOptions: { readonly expires: number; readonly list: ReadonlyArray<AssignOption> } | undefined = undefined

  /**
   * ≤26.1 savepoint defect (§7.5): the returned revision never names a backup, so revert and the
   * rollback timer do nothing. Set false to emulate the documented (working) protocol.
   */
  savepointDefect = true
  rollbackSeconds = 60

  readonly apiKeys: Array<ApiKey> = []
  /** bumped when labels other resources render change (aliases, categories, interfaces) */
  labelsEpoch = 0
  private lastTime = 0

  constructor(v: VersionProfile) {
    this.v = v
  }

  snapshot(): Snapshot {
    return {
      vlans: this.vlans.snapshot(),
      aliases: this.aliases.snapshot(),
      rules: this.rules.snapshot(),
      categories: this.categories.snapshot(),
      dnat: this.dnat.snapshot(),
      snat: this.snat.snapshot(),
      onetoone: this.onetoone.snapshot(),
      natOutboundMode: this.natOutboundMode,
      keaSubnets: this.keaSubnets.snapshot(),
      keaReservations: this.keaReservations.snapshot(),
      interfaces: [...this.interfaces],
      unboundHosts: this.unboundHosts.snapshot(),
      unboundAliases: this.unboundAliases.snapshot(),
      unboundDots: this.unboundDots.snapshot(),
      gateways: this.gateways.snapshot(),
      routes: this.routes.snapshot()
    }
  }

  restore(s: Snapshot): void {
    this.vlans.restore(s.vlans)
    this.aliases.restore(s.aliases)
    this.rules.restore(s.rules)
    this.categories.restore(s.categories)
    this.dnat.restore(s.dnat)
    this.snat.restore(s.snat)
    this.onetoone.restore(s.onetoone)
    this.natOutboundMode = s.natOutboundMode
    this.keaSubnets.restore(s.keaSubnets)
    this.keaReservations.restore(s.keaReservations)
    this.interfaces = [...s.interfaces]
    this.unboundHosts.restore(s.unboundHosts)
    this.unboundAliases.restore(s.unboundAliases)
    this.unboundDots.restore(s.unboundDots)
    this.gateways.restore(s.gateways)
    this.routes.restore(s.routes)
    this.labelsEpoch++
  }

  /** One config save = one backup revision (§10.4). */
  commit(description: string, username: string): Revision {
    let t = Date.now() / 1000
    if (t <= this.lastTime) t = this.lastTime + 0.0001
    this.lastTime = t
    const time = t.toFixed(4)
    const revision: Revision = {
      id: `config-${time}.xml`,
      time: t.toFixed(2),
      timeIso: new Date(t * 1000).toISOString(),
      description,
      username,
      snapshot: this.snapshot()
    }
    this.backups.unshift(revision)
    // every save prunes the oldest files beyond the retention, the new one counted (cleanupBackups,
    // opnsense/core 25.7, 26.1 and 26.7.2: src/opnsense/mvc/app/library/OPNsense/Core/Config.php save)
    const keep = this.retention()
    if (this.backups.length > keep) this.backups.length = keep
    return revision
  }

  /**
   * Revisions kept: `system/backupcount` when set and `intval() >= 0` (0 keeps none), else 100
   * (opnsense/core 25.7, 26.1 and 26.7.2: src/opnsense/mvc/app/library/OPNsense/Core/Config.php backupCount).
   */
  retention(): number {
    const set = this.backupCount
    return set !== undefined && Number.isInteger(set) && set >= 0 ? set : 100
  }

  /** Every interface of config.xml: the assigned ones and lo0 (see LOOPBACK). */
  configInterfaces(): ReadonlyArray<Iface> {
    return this.interfaces.some((i) => i.identifier === LOOPBACK.identifier)
      ? this.interfaces
      : [...this.interfaces, LOOPBACK]
  }
  iface(identifier: string): Iface | undefined {
    return this.interfaces.find((i) => i.identifier === identifier)
  }
  /** The interface a device is assigned to, if any. */
  assignedTo(device: string): Iface | undefined {
    return this.interfaces.find((i) => i.device === device)
  }
  aliasByName(name: string): Item | undefined {
    const uuid = this.aliases.find("name", name)
    return uuid === undefined ? undefined : this.aliases.get(uuid)
  }
}

/**
 * `filter reload` (configd, opnsense/core 26.7.2: src/opnsense/service/conf/actions.d/actions_filter.conf):
 * pf is loaded from everything config.xml holds, so filter rules, port forwards, source NAT, 1:1 NAT
 * and the outbound NAT mode all start running together, whichever controller asked.
 */
export const applyFilter = (s: SimulatorState, count = true): void => {
  s.applied = {
    ...s.applied,
    rules: s.rules.snapshot(),
    dnat: s.dnat.snapshot(),
    snat: s.snat.snapshot(),
    onetoone: s.onetoone.snapshot(),
    natOutboundMode: s.natOutboundMode
  }
  if (count) s.reconfigureCounts.filter++
}

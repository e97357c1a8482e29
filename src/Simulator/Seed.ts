/**
 * What the simulated box holds at start: its hardware and interfaces, automatic rules, a few
 * realistic unmanaged objects (a real firewall is never empty), objects from a seed file, and
 * `--scale` generated load. Seed items use the API's own field names (what you would POST).
 */
import { readFileSync } from "node:fs"
import { parse as parseYaml } from "yaml"
import { aliasResource } from "./Aliases.ts"
import { categoryResource } from "./Categories.ts"
import type { Resource } from "./Crud.ts"
import { dnatResource } from "./DNat.ts"
import { applyPost, defaults } from "./Fields.ts"
import { reservationResource, subnetResource } from "./Kea.ts"
import { defaultAutomaticRules, legacyLabel } from "./LegacyRules.ts"
import { oneToOneResource } from "./OneToOne.ts"
import type { Ctx } from "./Router.ts"
import { routeResource } from "./Routes.ts"
import { gatewayResource } from "./Routing.ts"
import { ruleResource } from "./Rules.ts"
import { snatResource } from "./SourceNat.ts"
import type { Device, Gateway, Iface, InterfaceGroup, LegacyRule, SimulatorState } from "./State.ts"
import { aliasResource as hostAliasResource, forwardResource, hostResource } from "./Unbound.ts"
import { vlanResource } from "./Vlans.ts"
import { isRecord, Messages, newUuid, UUID_V4 } from "./Wire.ts"

export type SeedItem = Readonly<Record<string, unknown>>

export interface SeedData {
  readonly hostname?: string
  readonly domain?: string
  readonly devices?: ReadonlyArray<Device>
  readonly interfaces?: ReadonlyArray<Iface>
  readonly groups?: ReadonlyArray<InterfaceGroup>
  readonly gateways?: ReadonlyArray<Gateway>
  readonly categories?: ReadonlyArray<SeedItem>
  readonly aliases?: ReadonlyArray<SeedItem>
  readonly vlans?: ReadonlyArray<SeedItem>
  readonly rules?: ReadonlyArray<SeedItem>
  readonly dnat?: ReadonlyArray<SeedItem>
  /** source NAT rules (firewall/source_nat fields) */
  readonly snat?: ReadonlyArray<SeedItem>
  /** 1:1 NAT rules (firewall/one_to_one fields) */
  readonly onetoone?: ReadonlyArray<SeedItem>
  /** config `nat/outbound/mode`: automatic, hybrid, advanced or disabled */
  readonly natOutboundMode?: string
  /** Kea DHCPv4 subnets (kea/dhcpv4 `subnet4` fields; `option_data` nested or dotted) */
  readonly keaSubnets?: ReadonlyArray<SeedItem>
  /** Kea DHCPv4 reservations (`reservation` fields; `subnet` may be the subnet's CIDR instead of its uuid) */
  readonly keaReservations?: ReadonlyArray<SeedItem>
  readonly legacyRules?: ReadonlyArray<LegacyRule>
  /** Unbound host overrides (unbound/settings `host` fields; give a `uuid` to name them in aliases) */
  readonly unboundHosts?: ReadonlyArray<SeedItem>
  /** Unbound host aliases (`alias` fields; `host` is a host override's uuid) */
  readonly unboundAliases?: ReadonlyArray<SeedItem>
  /** Unbound query forwarding / domain overrides (`dot` fields of add_forward; type "forward") */
  readonly unboundForwards?: ReadonlyArray<SeedItem>
  /** static routes (routes/routes fields: network, gateway, descr, and disabled or enabled) */
  readonly routes?: ReadonlyArray<SeedItem>
}

export class SeedError extends Error {}

const mac = (n: number) => `00:00:5e:00:53:${n.toString(16).padStart(2, "0")}`

/**
 * Gateways as `gateway_item`s of //OPNsense/Gateways: what a box has after the M1_0_0 migration
 * moved the legacy `<gateways>` into the model (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Routing/Migrations/M1_0_0.php). Null4/Null6 are not
 * configuration: OPNsense derives them (Routing.ts knownGateways).
 */
const seedGateways = (ctx: Ctx, seed: SeedData | undefined): void => {
  const s = ctx.state
  // the default WAN gateway exists where an interface names it (the default wan does)
  const gateways = seed?.gateways ??
    (s.interfaces.some((i) => i.gateway === "WAN_GW")
      ? [{ name: "WAN_GW", address: "203.0.113.1", ipprotocol: "inet" as const }]
      : [])
  for (const g of gateways) {
    if (g.name === "Null4" || g.name === "Null6") continue
    const iface = g.interface ?? s.interfaces.find((i) => i.gateway === g.name)?.identifier ?? "wan"
    insert(ctx, gatewayResource, {
      name: g.name,
      gateway: g.address,
      ipprotocol: g.ipprotocol,
      interface: iface,
      ...(g.descr !== undefined ? { descr: g.descr } : {})
    }, "gateway")
  }
}

const hardware = (ctx: Ctx, seed: SeedData | undefined): void => {
  const s = ctx.state
  s.devices.push(...(seed?.devices ?? [0, 1, 2, 3].map((n) => ({ name: `igb${n}`, mac: mac(0x10 + n) }))))
  s.interfaces.push(
    ...(seed?.interfaces ?? [
      { identifier: "wan", device: "igb0", description: "WAN", ipaddr: "203.0.113.2", subnet: "24", gateway: "WAN_GW" },
      { identifier: "lan", device: "igb1", description: "LAN", ipaddr: "192.168.1.1", subnet: "24" }
    ])
  )
  s.groups.push(...(seed?.groups ?? []))
  seedGateways(ctx, seed)
  s.legacyRules.push(...defaultAutomaticRules())
  if (seed?.hostname !== undefined) s.hostname = seed.hostname
  if (seed?.domain !== undefined) s.domain = seed.domain
}

/** Category and alias names may be given instead of uuids in seed files. */
const resolveNames = (s: SimulatorState, item: SeedItem): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...item }
  const cats = item["categories"]
  if (typeof cats === "string" && cats !== "") {
    out["categories"] = cats.split(",").map((n) => s.categories.find("name", n) ?? n).join(",")
  }
  return out
}

/** Insert one item through the resource's own completion and validation; a bad seed is an error. */
export const insert = (ctx: Ctx, r: Resource, raw: SeedItem, label: string): string => {
  const given = typeof raw["uuid"] === "string" ? raw["uuid"] : undefined
  const uuid = given !== undefined && UUID_V4.test(given) ? given : newUuid()
  const item = applyPost(r.table, defaults(r.table, ctx.v), resolveNames(ctx.state, raw), ctx.v)
  r.complete?.(ctx, item, undefined, uuid)
  const messages = new Messages()
  r.validate(ctx, item, undefined, uuid, messages)
  if (messages.size > 0) {
    throw new SeedError(`invalid ${label} in seed: ${JSON.stringify(messages.toJSON())} (${JSON.stringify(raw)})`)
  }
  r.collection(ctx).put(uuid, item)
  r.afterWrite?.(ctx, uuid, undefined, item)
  return uuid
}

const unmanaged = (ctx: Ctx): void => {
  const s = ctx.state
  insert(ctx, categoryResource, { name: "Infrastructure", color: "0088cc" }, "category")
  insert(ctx, vlanResource, { if: "igb1", tag: "10", descr: "MGMT" }, "vlan")
  s.interfaces.push({ identifier: "opt1", device: "vlan01", description: "MGMT", ipaddr: "10.0.10.1", subnet: "24" })
  insert(ctx, aliasResource, {
    name: "rfc1918",
    type: "network",
    content: "10.0.0.0/8\n172.16.0.0/12\n192.168.0.0/16",
    description: "Private networks"
  }, "alias")
  insert(ctx, aliasResource, {
    name: "admin_hosts",
    type: "host",
    content: "192.168.1.10\n192.168.1.11",
    description: "Admin workstations"
  }, "alias")
  insert(
    ctx,
    aliasResource,
    { name: "mgmt_ports", type: "port", content: "22\n443", description: "Management ports" },
    "alias"
  )
  insert(
    ctx,
    ruleResource,
    { interface: "lan", source_net: "lan", description: "Allow LAN to any", sequence: "100" },
    "rule"
  )
  insert(ctx, ruleResource, {
    interface: "wan",
    action: "block",
    source_net: "rfc1918",
    description: "Block private networks on WAN",
    sequence: "200",
    log: "1"
  }, "rule")
  insert(
    ctx,
    ruleResource,
    {
      interface: "opt1",
      protocol: "TCP",
      source_net: "admin_hosts",
      destination_net: "(self)",
      destination_port: "mgmt_ports",
      description: "Admin access to the firewall",
      sequence: "300"
    },
    "rule"
  )
  insert(ctx, dnatResource, {
    interface: "wan",
    protocol: "tcp",
    destination: { network: "wanip", port: "8443" },
    target: "192.168.1.20",
    "local-port": "443",
    descr: "Web server"
  }, "port forward")
  s.legacyRules.push({
    label: legacyLabel("legacy-lan-any"),
    interface: "lan",
    action: "pass",
    ipprotocol: "inet",
    protocol: "any",
    source: "lan",
    destination: "any",
    destinationPort: "",
    description: "Default allow LAN to any rule",
    automatic: false,
    prio: 400000,
    sequence: 1,
    log: false,
    quick: true
  })
}

const applySeed = (ctx: Ctx, seed: SeedData): void => {
  for (const c of seed.categories ?? []) insert(ctx, categoryResource, c, "category")
  for (const v of seed.vlans ?? []) insert(ctx, vlanResource, v, "vlan")
  // aliases may reference each other: insert in passes until no progress
  let pending = [...(seed.aliases ?? [])]
  while (pending.length > 0) {
    const failed: Array<SeedItem> = []
    for (const a of pending) {
      try {
        insert(ctx, aliasResource, a, "alias")
      } catch (e) {
        if (!(e instanceof SeedError)) throw e
        failed.push(a)
      }
    }
    if (failed.length === pending.length) insert(ctx, aliasResource, failed[0] ?? {}, "alias")
    pending = failed
  }
  for (const r of seed.rules ?? []) insert(ctx, ruleResource, r, "rule")
  for (const r of seed.dnat ?? []) insert(ctx, dnatResource, r, "port forward")
  for (const r of seed.snat ?? []) insert(ctx, snatResource, r, "source NAT rule")
  for (const r of seed.onetoone ?? []) insert(ctx, oneToOneResource, r, "1:1 NAT rule")
  for (const h of seed.unboundHosts ?? []) insert(ctx, hostResource, h, "Unbound host override")
  for (const a of seed.unboundAliases ?? []) insert(ctx, hostAliasResource, a, "Unbound host alias")
  for (const d of seed.unboundForwards ?? []) insert(ctx, forwardResource, d, "Unbound domain override")
  for (const r of seed.routes ?? []) insert(ctx, routeResource, r, "route")
  if (seed.natOutboundMode !== undefined) ctx.state.natOutboundMode = seed.natOutboundMode
  for (const r of seed.keaSubnets ?? []) insert(ctx, subnetResource, r, "Kea subnet")
  for (const r of seed.keaReservations ?? []) {
    const subnet = r["subnet"]
    const byCidr = [...ctx.state.keaSubnets.entries()].find(([, sn]) => sn["subnet"] === subnet)?.[0]
    insert(ctx, reservationResource, byCidr === undefined ? r : { ...r, subnet: byCidr }, "Kea reservation")
  }
  ctx.state.legacyRules.push(...(seed.legacyRules ?? []))
}

/** `--scale N`: N rules, N/10 aliases, N/20 VLANs, spread like a real multi-segment site. */
const generate = (ctx: Ctx, n: number): void => {
  const s = ctx.state
  const vlans = Math.min(Math.floor(n / 20), 4000)
  for (let i = 0; i < vlans; i++) {
    insert(ctx, vlanResource, {
      if: i % 2 === 0 ? "igb2" : "igb3",
      tag: String(100 + Math.floor(i / 2)),
      descr: `Segment ${i + 1}`,
      vlanif: `vlan0.${i + 1}`
    }, "vlan")
  }
  const aliases = Math.floor(n / 10)
  const names: Array<string> = []
  const portAliases: Array<string> = []
  for (let i = 0; i < aliases; i++) {
    const kind = i % 3
    const name = kind === 0 ? `net_seg_${i}` : kind === 1 ? `hosts_${i}` : `ports_${i}`
    const content = kind === 0
      ? `10.${(i >> 8) & 255}.${i & 255}.0/24`
      : kind === 1
      ? `172.16.${(i >> 8) & 255}.${i & 255}\n172.17.${(i >> 8) & 255}.${i & 255}`
      : `${1000 + (i % 60000)}\n${2000 + (i % 60000)}:${2010 + (i % 60000)}`
    insert(ctx, aliasResource, {
      name,
      type: kind === 0 ? "network" : kind === 1 ? "host" : "port",
      content,
      description: `generated ${name}`
    }, "alias")
    if (kind === 2) portAliases.push(name)
    else names.push(name)
  }
  const ifs = s.interfaces.map((i) => i.identifier)
  const protocols = ["TCP", "UDP", "TCP/UDP", "any", "ICMP"]
  let sequence = 1000
  for (let i = 0; i < n; i++) {
    const protocol = protocols[i % protocols.length] ?? "any"
    const ported = protocol === "TCP" || protocol === "UDP" || protocol === "TCP/UDP"
    sequence += 10
    const rule: Record<string, string> = {
      interface: ifs[i % ifs.length] ?? "lan",
      action: i % 7 === 0 ? "block" : "pass",
      protocol,
      source_net: names.length > 0 && i % 4 === 0 ? (names[i % names.length] ?? "any") : i % 4 === 1 ? "lan" : "any",
      destination_net: i % 5 === 0 ? `192.0.2.${i % 250}` : "any",
      sequence: String(sequence),
      description: `generated rule ${i + 1}`,
      log: i % 3 === 0 ? "1" : "0"
    }
    if (ported) {
      rule["destination_port"] = portAliases.length > 0 && i % 6 === 0
        ? (portAliases[i % portAliases.length] ?? "443")
        : String(1 + (i % 65000))
    }
    insert(ctx, ruleResource, rule, "rule")
  }
}

export interface SeedOptions {
  readonly unmanaged: boolean
  readonly seed: SeedData | undefined
  readonly scale: number
}

/**
 * The embedded sandbox's box: what an office firewall has before its desired state is applied,
 * and nothing a real box could not have: WAN and LAN on the physical igb0 and igb1, and (with the
 * unmanaged objects) VLAN 10 on igb1 assigned as opt1 (MGMT). The example desired-state adopts
 * that VLAN as `mgmt`, creates VLANs 20/30/40 (vlan02..vlan04, in creation order), assigns them
 * (opt2..opt4: interfaces/assignment gives the first free optN, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Interfaces/NetworkInterface.php serializeToConfig) and its
 * rules use opt1..opt4. On 26.1 the assignments are made in the GUI, as on a real 26.1 box.
 */
export const officeBox: SeedData = {
  interfaces: [
    { identifier: "wan", device: "igb0", description: "WAN", ipaddr: "203.0.113.2", subnet: "24", gateway: "WAN_GW" },
    { identifier: "lan", device: "igb1", description: "LAN", ipaddr: "192.168.1.1", subnet: "24" }
  ]
}

/** Only the hardware, interfaces and automatic rules: the part of a box that is never persisted. */
export const populateHardware = (ctx: Ctx, seed: SeedData | undefined): void => hardware(ctx, seed)

/** Build the initial box, mark it running (applied) and write the first backup revision. */
export const populate = (ctx: Ctx, o: SeedOptions): void => {
  const s = ctx.state
  hardware(ctx, o.seed)
  if (o.unmanaged) unmanaged(ctx)
  if (o.seed !== undefined) applySeed(ctx, o.seed)
  if (o.scale > 0) generate(ctx, o.scale)
  s.applied = {
    rules: s.rules.snapshot(),
    aliases: s.aliases.snapshot(),
    vlans: s.vlans.snapshot(),
    dnat: s.dnat.snapshot(),
    snat: s.snat.snapshot(),
    onetoone: s.onetoone.snapshot(),
    natOutboundMode: s.natOutboundMode,
    keaSubnets: s.keaSubnets.snapshot(),
    keaReservations: s.keaReservations.snapshot(),
    unboundHosts: s.unboundHosts.snapshot(),
    unboundAliases: s.unboundAliases.snapshot(),
    unboundDots: s.unboundDots.snapshot(),
    gateways: s.gateways.snapshot(),
    routes: s.routes.snapshot()
  }
  s.vlanDevices = new Map([...s.vlans.values()].map((v) => [v["vlanif"] ?? "", v]))
  s.commit("initial configuration", "root@127.0.0.1")
}

const LIST_KEYS: ReadonlySet<string> = new Set([
  "devices",
  "interfaces",
  "groups",
  "gateways",
  "categories",
  "aliases",
  "vlans",
  "rules",
  "dnat",
  "snat",
  "onetoone",
  "keaSubnets",
  "keaReservations",
  "legacyRules",
  "unboundHosts",
  "unboundAliases",
  "unboundForwards",
  "routes"
])
const TEXT_KEYS: ReadonlySet<string> = new Set(["hostname", "domain", "natOutboundMode"])

/** Checked structurally: lists of objects under the known keys; items are validated when inserted. */
const isSeedData = (u: unknown, path: string): u is SeedData => {
  if (!isRecord(u)) throw new SeedError(`${path}: a seed file must be an object with keys like vlans, aliases, rules`)
  for (const [key, value] of Object.entries(u)) {
    if (TEXT_KEYS.has(key)) {
      if (typeof value !== "string") throw new SeedError(`${path}: "${key}" must be a string`)
    } else if (LIST_KEYS.has(key)) {
      if (!Array.isArray(value) || !value.every(isRecord)) {
        throw new SeedError(`${path}: "${key}" must be a list of objects`)
      }
    } else {
      throw new SeedError(`${path}: unknown key "${key}" (expected one of ${[...TEXT_KEYS, ...LIST_KEYS].join(", ")})`)
    }
  }
  return true
}

/** A seed file: JSON or YAML (YAML is a superset), an object with the SeedData keys. */
export const loadSeedFile = (path: string): SeedData => {
  const parsed: unknown = parseYaml(readFileSync(path, "utf8"))
  if (!isSeedData(parsed, path)) throw new SeedError(`${path}: not a seed file`)
  return parsed
}

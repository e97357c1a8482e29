/**
 * Optional persistence of the simulated box in one JSON file, so that the embedded sandbox behaves
 * like one firewall across CLI runs: `apply` in one process, then `plan` in the next, sees what
 * was applied. Written atomically (temp file, fsync, rename) after every POST that changed the box
 * (a search is a POST too, and rewriting a large box for it costs ~100 ms at 2,000 rules).
 * Credentials are never written: each run generates or receives its own.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs"
import { dirname } from "node:path"
import type { LegacyRule, SimulatorState, Snapshot } from "./State.ts"
import type { Item } from "./Wire.ts"

const FORMAT = 1

type Entries = ReadonlyArray<readonly [string, Item]>

interface PersistedSnapshot {
  readonly vlans: Entries
  readonly aliases: Entries
  readonly rules: Entries
  readonly categories: Entries
  readonly dnat: Entries
  /** absent in files written before source NAT and 1:1 NAT were emulated */
  readonly snat?: Entries
  readonly onetoone?: Entries
  readonly natOutboundMode?: string
  /** absent in files written before Kea was emulated */
  readonly keaSubnets?: Entries
  readonly keaReservations?: Entries
  readonly interfaces: Snapshot["interfaces"]
  /** absent in files written before Unbound overrides were emulated */
  readonly unboundHosts?: Entries
  readonly unboundAliases?: Entries
  readonly unboundDots?: Entries
  /** absent in files written before gateways and static routes were emulated */
  readonly gateways?: Entries
  readonly routes?: Entries
}

export interface Persisted {
  readonly format: number
  readonly version: string
  readonly config: PersistedSnapshot
  readonly legacyRules: ReadonlyArray<LegacyRule>
  readonly applied: {
    readonly rules: Entries
    readonly aliases: Entries
    readonly vlans: Entries
    readonly dnat: Entries
    readonly snat?: Entries
    readonly onetoone?: Entries
    readonly natOutboundMode?: string
    readonly keaSubnets?: Entries
    readonly keaReservations?: Entries
    readonly unboundHosts?: Entries
    readonly unboundAliases?: Entries
    readonly unboundDots?: Entries
    readonly gateways?: Entries
    readonly routes?: Entries
  }
  /** newest first, at most `keepRevisions` */
  readonly backups: ReadonlyArray<
    {
      readonly id: string
      readonly time: string
      readonly timeIso: string
      readonly description: string
      readonly username: string
      readonly snapshot: PersistedSnapshot
    }
  >
}

/** Enough history to revert an apply or two, without the file growing with every write. */
const keepRevisions = 10

const entries = (map: ReadonlyMap<string, Item>): Entries => [...map]
const toMap = (list: Entries): Map<string, Item> => new Map(list)

const dumpSnapshot = (s: Snapshot): PersistedSnapshot => ({
  vlans: entries(s.vlans),
  aliases: entries(s.aliases),
  rules: entries(s.rules),
  categories: entries(s.categories),
  dnat: entries(s.dnat),
  snat: entries(s.snat),
  onetoone: entries(s.onetoone),
  natOutboundMode: s.natOutboundMode,
  keaSubnets: entries(s.keaSubnets),
  keaReservations: entries(s.keaReservations),
  interfaces: s.interfaces,
  unboundHosts: entries(s.unboundHosts),
  unboundAliases: entries(s.unboundAliases),
  unboundDots: entries(s.unboundDots),
  gateways: entries(s.gateways),
  routes: entries(s.routes)
})

/** `seeded`: what a file without gateways or routes keeps (the box's seeded gateways) */
const loadSnapshot = (p: PersistedSnapshot, seeded: Pick<Snapshot, "gateways" | "routes">): Snapshot => ({
  vlans: toMap(p.vlans),
  aliases: toMap(p.aliases),
  rules: toMap(p.rules),
  categories: toMap(p.categories),
  dnat: toMap(p.dnat),
  snat: toMap(p.snat ?? []),
  onetoone: toMap(p.onetoone ?? []),
  natOutboundMode: p.natOutboundMode ?? "",
  keaSubnets: toMap(p.keaSubnets ?? []),
  keaReservations: toMap(p.keaReservations ?? []),
  interfaces: p.interfaces,
  unboundHosts: toMap(p.unboundHosts ?? []),
  unboundAliases: toMap(p.unboundAliases ?? []),
  unboundDots: toMap(p.unboundDots ?? []),
  gateways: p.gateways === undefined ? seeded.gateways : toMap(p.gateways),
  routes: p.routes === undefined ? seeded.routes : toMap(p.routes)
})

export const save = (state: SimulatorState, file: string): void => {
  const persisted: Persisted = {
    format: FORMAT,
    version: state.v.full,
    config: dumpSnapshot(state.snapshot()),
    legacyRules: state.legacyRules,
    applied: {
      rules: entries(state.applied.rules),
      aliases: entries(state.applied.aliases),
      vlans: entries(state.applied.vlans),
      dnat: entries(state.applied.dnat),
      snat: entries(state.applied.snat),
      onetoone: entries(state.applied.onetoone),
      natOutboundMode: state.applied.natOutboundMode,
      keaSubnets: entries(state.applied.keaSubnets),
      keaReservations: entries(state.applied.keaReservations),
      unboundHosts: entries(state.applied.unboundHosts),
      unboundAliases: entries(state.applied.unboundAliases),
      unboundDots: entries(state.applied.unboundDots),
      gateways: entries(state.applied.gateways),
      routes: entries(state.applied.routes)
    },
    backups: state.backups.slice(0, keepRevisions).map((b) => ({ ...b, snapshot: dumpSnapshot(b.snapshot) }))
  }
  mkdirSync(dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  const fd = openSync(temp, "w", 0o600)
  try {
    writeSync(fd, JSON.stringify(persisted))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, file)
}

/**
 * What `save` writes changes only with a config save (a new revision), a dropped revision, or a
 * reconfigure/apply (a new running copy): comparing these by identity tells a write from a read.
 */
const marks = (state: SimulatorState): ReadonlyArray<unknown> => [state.backups, state.backups[0], state.applied]

/** `save` for after a request: writes only when the box changed since the last time it was written. */
export const saver = (state: SimulatorState, file: string): () => void => {
  let saved = marks(state)
  return () => {
    const now = marks(state)
    if (now.every((mark, i) => mark === saved[i])) return
    save(state, file)
    saved = now
  }
}

export class PersistError extends Error {}

/**
 * Read `file` when it exists and was written for the same emulated version; undefined when there
 * is nothing to restore (first run, or another version: start fresh).
 */
export const read = (file: string, version: string): Persisted | undefined => {
  if (!existsSync(file)) return undefined
  let persisted: Persisted
  try {
    persisted = JSON.parse(readFileSync(file, "utf8")) as Persisted
  } catch (cause) {
    throw new PersistError(
      `sandbox state ${file} is not readable JSON (${String(cause)}); delete it to start a fresh sandbox`
    )
  }
  return persisted.format === FORMAT && persisted.version === version ? persisted : undefined
}

/** Put a read box back: configuration, what is running, and the recent backup revisions. */
export const restore = (state: SimulatorState, persisted: Persisted): void => {
  const seeded = { gateways: state.gateways.snapshot(), routes: state.routes.snapshot() }
  state.restore(loadSnapshot(persisted.config, seeded))
  state.legacyRules.splice(0, state.legacyRules.length, ...persisted.legacyRules)
  state.applied = {
    rules: toMap(persisted.applied.rules),
    aliases: toMap(persisted.applied.aliases),
    vlans: toMap(persisted.applied.vlans),
    dnat: toMap(persisted.applied.dnat),
    snat: toMap(persisted.applied.snat ?? []),
    onetoone: toMap(persisted.applied.onetoone ?? []),
    natOutboundMode: persisted.applied.natOutboundMode ?? "",
    keaSubnets: toMap(persisted.applied.keaSubnets ?? []),
    keaReservations: toMap(persisted.applied.keaReservations ?? []),
    unboundHosts: toMap(persisted.applied.unboundHosts ?? []),
    unboundAliases: toMap(persisted.applied.unboundAliases ?? []),
    unboundDots: toMap(persisted.applied.unboundDots ?? []),
    gateways: persisted.applied.gateways === undefined ? seeded.gateways : toMap(persisted.applied.gateways),
    routes: persisted.applied.routes === undefined ? seeded.routes : toMap(persisted.applied.routes)
  }
  // a restarted sandbox boots its devices from what ran before
  state.vlanDevices = new Map([...state.applied.vlans.values()].map((v) => [v["vlanif"] ?? "", v]))
  state.backups = persisted.backups.map((b) => ({ ...b, snapshot: loadSnapshot(b.snapshot, seeded) }))
}

/**
 * The plan path's indexes and memos give the answers of the scans they replaced: `identify` with
 * its maps against the quadratic matcher it was, the alias dependency order with its ready heap,
 * `fieldDiff`'s equality shortcut and the replacer-free `canonicalJson` against their previous
 * definitions (kept here as references), over generated inputs full of duplicates, collisions and
 * edge values. Then the digest memo: one
 * digest per snapshot object, never shared between two objects.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { canonicalJson } from "../../src/Domain/Digest.ts"
import type { Origin } from "../../src/Domain/Model.ts"
import type { Change } from "../../src/Domain/Plan.ts"
import type { LiveRule, RuleSpec } from "../../src/Kinds/Rule/Spec.ts"
import { fieldDiff } from "../../src/Reconciler/Diff.ts"
import {
  type DesiredItem,
  type Identified,
  identify,
  isWritable,
  type LiveItem,
  markerOrphan,
  type Match,
  type Orphan
} from "../../src/Reconciler/Identity.ts"
import { orderChanges } from "../../src/Reconciler/Order.ts"
import { liveDigest } from "../../src/Reconciler/PlanBuilder.ts"
import { aliasSpec, lAlias, lRule, lVlan, ruleSpec, snapshot, UUID, vlanSpec } from "./fixtures.ts"

// -- the previous definitions, as references ------------------------------------------------------

interface Options<S, L extends LiveItem<S>> {
  readonly desired: ReadonlyArray<DesiredItem<S>>
  readonly live: ReadonlyArray<L>
  readonly inventory: Readonly<Record<string, string>>
  readonly adoptionKey: (spec: S) => string | undefined
  readonly readOnly?: (live: L) => boolean
}

/** identify as it was: every step scans every live object. */
const scanIdentify = <S, L extends LiveItem<S>>(options: Options<S, L>): Identified<S, L> => {
  const readOnly = options.live.filter((l) => !isWritable(l) || options.readOnly?.(l) === true)
  const writable = options.live.filter((l) => !readOnly.includes(l))
  const desiredNames = new Set(options.desired.map((d) => d.name))
  const inventoryUuids = new Map(Object.entries(options.inventory).map(([name, uuid]) => [uuid, name]))
  const used = new Set<L>()
  const matched = new Map<string, Match<S, L>>()
  const orphans: Array<Orphan<L>> = []
  for (const desired of options.desired) {
    const owned = writable.filter((l) => l.owner === desired.name)
    if (owned.length === 0) continue
    const preferred = owned.find((l) => l.uuid === options.inventory[desired.name]) ?? owned[0]
    if (preferred === undefined) continue
    used.add(preferred)
    matched.set(desired.name, { desired, live: preferred, by: "marker" })
    for (const duplicate of owned) {
      if (duplicate === preferred) continue
      used.add(duplicate)
      orphans.push({
        live: duplicate,
        name: desired.name,
        why: `duplicate of ${preferred.uuid} (same ownership marker)`,
        cause: "duplicate-marker"
      })
    }
  }
  const claimable = (l: L) => !used.has(l) && (l.owner === undefined || !desiredNames.has(l.owner))
  const isInventoried = (l: L) => {
    const name = inventoryUuids.get(l.uuid)
    return name !== undefined && desiredNames.has(name)
  }
  for (const desired of options.desired) {
    if (matched.has(desired.name)) continue
    const uuid = options.inventory[desired.name]
    const live = uuid === undefined ? undefined : writable.find((l) => l.uuid === uuid && claimable(l))
    if (live === undefined) continue
    used.add(live)
    matched.set(desired.name, { desired, live, by: "inventory" })
  }
  for (const desired of options.desired) {
    if (matched.has(desired.name)) continue
    const key = options.adoptionKey(desired.spec)
    if (key === undefined) continue
    const live = writable.find((l) => claimable(l) && !isInventoried(l) && options.adoptionKey(l.spec) === key)
    if (live === undefined) continue
    used.add(live)
    matched.set(desired.name, { desired, live, by: "adopted" })
  }
  const unmanaged: Array<L> = []
  for (const live of writable) {
    if (used.has(live)) continue
    if (live.owner !== undefined) orphans.push(markerOrphan(live, live.owner, options.inventory))
    else {
      const name = inventoryUuids.get(live.uuid)
      if (name !== undefined) {
        orphans.push({ live, name, why: "removed from the desired state (recorded in state.json)", cause: "inventory" })
      } else unmanaged.push(live)
    }
  }
  return {
    matches: options.desired.flatMap((d) => {
      const m = matched.get(d.name)
      return m === undefined ? [] : [m]
    }),
    unmatched: options.desired.filter((d) => !matched.has(d.name)),
    orphans,
    unmanaged,
    readOnly
  }
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** fieldDiff as it was: the sorted walk for every pair. */
const walkDiff = (from: unknown, to: unknown, path = ""): ReadonlyArray<unknown> => {
  if (isRecord(from) && isRecord(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()
    return keys.flatMap((key) => walkDiff(from[key], to[key], path === "" ? key : `${path}.${key}`))
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ path, from: from ?? null, to: to ?? null }]
}

/** canonicalJson as it was: sorting inside a replacer. */
const replacerJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)

/** The dependency order as it was: scan everything pending for the first ready change. */
const scanTopological = (changes: ReadonlyArray<Change>): ReadonlyArray<Change> => {
  const dependsOn = (c: Change) => (isRecord(c.after) && Array.isArray(c.after["content"]) ? c.after["content"] : [])
  const names = new Set(changes.map((c) => c.name))
  const pending = [...changes]
  const done = new Set<unknown>()
  const out: Array<Change> = []
  while (pending.length > 0) {
    const index = pending.findIndex((c) => dependsOn(c).every((d) => d === c.name || !names.has(d) || done.has(d)))
    const [next] = pending.splice(index === -1 ? 0 : index, 1)
    if (next === undefined) break
    out.push(next)
    done.add(next.name)
  }
  return out
}

// -- generators ----------------------------------------------------------------------------------

const NAMES = ["a", "b", "c", "d", "e"] as const
const UUIDS = [UUID(1), UUID(2), UUID(3), UUID(4), "lockout", "10"] as const

interface Spec {
  readonly key: number
}
interface Live extends LiveItem<Spec> {
  readonly id: number
}

const liveItems = fc.array(
  fc.record({
    uuid: fc.constantFrom(...UUIDS),
    origin: fc.constantFrom<Origin>("mvc", "mvc", "mvc", "legacy"),
    owner: fc.option(fc.constantFrom(...NAMES, "gone"), { nil: undefined }),
    spec: fc.record({ key: fc.integer({ min: 0, max: 3 }) })
  }),
  { maxLength: 14 }
).map((items): ReadonlyArray<Live> => items.map((item, id) => ({ ...item, id })))

const desiredItems = fc.uniqueArray(
  fc.record({ name: fc.constantFrom(...NAMES), spec: fc.record({ key: fc.integer({ min: 0, max: 3 }) }) }),
  { selector: (d) => d.name, maxLength: 5 }
).map((items): ReadonlyArray<DesiredItem<Spec>> =>
  items.map((d) => ({ ...d, source: { file: "main.yaml", line: 1, column: 1 } }))
)

const inventories = fc.dictionary(fc.constantFrom(...NAMES, "gone"), fc.constantFrom(...UUIDS), { maxKeys: 6 })

/** A comparable picture of an identity: live objects by their position in the input. */
const picture = (result: Identified<Spec, Live>) => ({
  matches: result.matches.map((m) => [m.desired.name, m.live.id, m.by]),
  unmatched: result.unmatched.map((d) => d.name),
  orphans: result.orphans.map((o) => [o.live.id, o.name, o.why]),
  unmanaged: result.unmanaged.map((l) => l.id),
  readOnly: result.readOnly.map((l) => l.id)
})

const leaf = fc.oneof(
  fc.constantFrom("", "x", "y", "10.0.0.0/24"),
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined)
)
const { value: values } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "port", "1", "10", "2", "B", "_"), tie("value"), { maxKeys: 5 })
  )
}))
/** Two small records over two keys: equal but for which key is missing or undefined. */
const sparse = fc.dictionary(fc.constantFrom("a", "b"), fc.constantFrom(undefined, 1), { maxKeys: 2 })
/** Pairs that are often equal, or equal but for key order: the case the shortcut takes. */
const pairs = fc.oneof(
  fc.tuple(values, values),
  fc.tuple(sparse, sparse),
  values.map((v) => [v, structuredClone(v)] as const),
  values.map((v) => [v, reordered(v)] as const)
)
const reordered = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reordered)
    : isRecord(value)
    ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]))
    : value

/** Alias creates that nest each other, with chains, cycles, self-references and unknown members. */
const aliasCreates = fc.array(
  fc.record({
    name: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h"),
    content: fc.array(fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "10.0.0.1"), { maxLength: 4 })
  }),
  { maxLength: 12 }
).map((items): ReadonlyArray<Change> =>
  items.map((a, i) => ({ action: "create", kind: "alias", name: a.name, after: { content: a.content, n: i } }))
)

// -- properties ----------------------------------------------------------------------------------

describe("identify with indexes", () => {
  it("matches, orphans and leaves alone exactly what the scanning matcher did", () =>
    fc.assert(
      fc.property(liveItems, desiredItems, inventories, fc.boolean(), (live, desired, inventory, withReadOnly) => {
        const options: Options<Spec, Live> = {
          desired,
          live,
          inventory,
          adoptionKey: (spec) => (spec.key === 3 ? undefined : String(spec.key)),
          ...(withReadOnly ? { readOnly: (l: Live) => l.uuid === UUID(4) } : {})
        }
        expect(picture(identify(options))).toEqual(picture(scanIdentify(options)))
      }),
      { numRuns: 2000 }
    ))

  it("adopts many objects with one natural key one each, in order", () => {
    const live = Array.from(
      { length: 5 },
      (_, id): Live => ({ id, uuid: UUID(id + 1), origin: "mvc", spec: { key: 1 } })
    )
    const desired = NAMES.map((name): DesiredItem<Spec> => ({
      name,
      spec: { key: 1 },
      source: { file: "m", line: 1, column: 1 }
    }))
    const result = identify({ desired, live, inventory: {}, adoptionKey: (s) => String(s.key) })
    expect(result.matches.map((m) => [m.desired.name, m.live.id, m.by])).toEqual(
      NAMES.map((name, i) => [name, i, "adopted"])
    )
  })
})

describe("fieldDiff's equality shortcut", () => {
  it("gives the differences of the full walk", () =>
    fc.assert(
      fc.property(pairs, ([from, to]) => {
        expect(fieldDiff(from, to)).toEqual(walkDiff(from, to))
      }),
      { numRuns: 3000 }
    ))
})

describe("orderChanges with a ready heap", () => {
  it("puts nested aliases in the order the pending scan did, cycles and duplicates included", () =>
    fc.assert(
      fc.property(aliasCreates, (changes) => {
        expect(orderChanges(changes)).toEqual(scanTopological(changes))
      }),
      { numRuns: 3000 }
    ))
})

describe("canonicalJson", () => {
  it("writes what sorting in a replacer wrote, byte for byte", () =>
    fc.assert(
      fc.property(values, (value) => {
        expect(canonicalJson(value)).toBe(replacerJson(value))
      }),
      { numRuns: 3000 }
    ))

  it("takes the replacer's path for values that are not plain data", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ b: new Date(0), a: 1 }, `{"a":1,"b":"1970-01-01T00:00:00.000Z"}`],
      [{ a: [new Map([["k", 1]])] }, `{"a":[{}]}`],
      [{ c: Object.create(null) }, `{"c":{}}`],
      [{ d: { toJSON: () => ({ z: 1, y: 2 }) } }, `{"d":{"y":2,"z":1}}`],
      [JSON.parse(`{"b":{"__proto__":{"y":1},"a":2}}`), `{"b":{"__proto__":{"y":1},"a":2}}`]
    ]
    for (const [value, json] of cases) {
      expect(canonicalJson(value)).toBe(replacerJson(value))
      expect(canonicalJson(value)).toBe(json)
    }
  })
})

describe("liveDigest memo", () => {
  const live = snapshot({
    vlans: [lVlan(UUID(1), vlanSpec(), "iot")],
    aliases: [lAlias(UUID(2), aliasSpec("net"), "net")],
    rules: [lRule(UUID(3), ruleSpec({ description: "A" }), 100, "a"), lRule(UUID(4), ruleSpec(), 200)]
  })

  it("is one digest per snapshot content, whatever the object, the key order or the item order", () => {
    const first = liveDigest(live)
    expect(liveDigest(live)).toBe(first)
    const copy = structuredClone(live)
    expect(liveDigest(copy)).toBe(first)
    // the same rules, listed the other way round, each with its keys in reverse order
    const endpoint = (e: RuleSpec["source"]): RuleSpec["source"] => ({
      port: e.port,
      invert: e.invert,
      addresses: e.addresses
    })
    const rules = [...live.rules].reverse().map((r): LiveRule => ({
      spec: {
        categories: r.spec.categories,
        description: r.spec.description,
        gateway: r.spec.gateway,
        log: r.spec.log,
        destination: endpoint(r.spec.destination),
        source: endpoint(r.spec.source),
        protocol: r.spec.protocol,
        ipVersion: r.spec.ipVersion,
        direction: r.spec.direction,
        interfaceInvert: r.spec.interfaceInvert,
        interfaces: r.spec.interfaces,
        quick: r.spec.quick,
        action: r.spec.action,
        enabled: r.spec.enabled
      },
      sequence: r.sequence,
      ...(r.owner === undefined ? {} : { owner: r.owner }),
      origin: r.origin,
      uuid: r.uuid
    }))
    expect(liveDigest({ ...live, rules })).toBe(first)
  })

  it("never hands one snapshot's digest to another object of the same site and time", () => {
    const first = liveDigest(live)
    const changed = { ...live, rules: live.rules.map((r) => ({ ...r, spec: { ...r.spec, log: true } })) }
    expect(liveDigest(changed)).not.toBe(first)
    expect(liveDigest(live)).toBe(first)
  })
})

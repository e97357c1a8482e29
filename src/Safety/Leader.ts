/**
 * Leader election: among several `serve` instances, exactly one reconciles each site, and the sites
 * are spread over the instances.
 *
 * - Redis (REDIS_URL): every instance registers itself in `<prefix>#instances` (a sorted set with
 *   a heartbeat every ttl/4; a member that stops beating is dropped after ttl). For each site only
 *   the instance with the highest rendezvous score hash(site, instance) among the live ones
 *   campaigns; the others step aside (and free the lease if they hold it), so M sites over N
 *   instances give each about M/N, an instance that joins takes its share within about one ttl,
 *   and the sites of one that dies go to the next-highest instances once its heartbeat and lease
 *   expire (removing an instance moves only its own sites). The lease stays the safety net: while
 *   views of the membership differ for a moment, two instances may both want a site, but only
 *   one can hold its lease. The leader holds `opnsense-mcp:leader:<site>` (SET NX PX ttl) and renews it
 *   every ttl/3 with compare-and-renew; everyone else tries to take it at the same pace. An
 *   instance counts itself leader only while its last successful renewal is younger than the ttl
 *   (by its own clock), so a leader cut off from Redis stops acting before another can take over.
 *   A leader that dies stops renewing: the key expires after ttl and a standby takes it within
 *   ttl + ttl/3. A leader that shuts down deletes the key, so the handover is immediate.
 * - In process (no Redis): the first campaigner of a site in this process leads it.
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { createHash } from "node:crypto"
import { currentHolder } from "./Lock.ts"
import { connect, HEARTBEAT, RELEASE, RENEW } from "./Redis.ts"

export interface Candidacy {
  /** leader right now (lease fresh) */
  readonly isLeader: Effect.Effect<boolean>
  /** the instance id that leads, as last seen */
  readonly leader: Effect.Effect<string | undefined>
}

export interface LeaderShape {
  readonly backend: "redis" | "memory"
  readonly instance: string
  /** campaign for a site for the lifetime of the scope; resigns when the scope closes */
  readonly campaign: (site: string) => Effect.Effect<Candidacy, never, Scope.Scope>
}

export class Leader extends Context.Service<Leader, LeaderShape>()("opnsense-mcp/Leader") {}

export interface RedisLeaderOptions {
  readonly url: string
  /** lease length; a dead leader is replaced within ttl + ttl/3 (default 10 s) */
  readonly ttlMs?: number | undefined
  readonly prefix?: string | undefined
  /** this instance's id (default INSTANCE_ID or host:pid) */
  readonly instance?: string | undefined
}

const score = (site: string, instance: string): number =>
  createHash("sha256").update(`${site}\n${instance}`).digest().readUIntBE(0, 6)

/**
 * Who leads which site: rendezvous (highest random weight) hashing with a bound on the load. Sites
 * are taken in name order; each goes to the highest-scoring instance, hash(site, instance), that
 * has fewer than ceil(sites / instances) so far. Every instance computes the same answer from the
 * same membership and sites, no instance gets more than its ceiling, and a change of membership
 * moves few sites (pure rendezvous moves only the departed instance's, the bound a few more).
 */
export const assignSites = (
  sites: ReadonlyArray<string>,
  instances: ReadonlyArray<string>
): ReadonlyMap<string, string> => {
  const owners = new Map<string, string>()
  if (instances.length === 0) return owners
  const cap = Math.ceil(sites.length / instances.length)
  const load = new Map<string, number>()
  for (const site of [...new Set(sites)].sort()) {
    const ranked = instances
      .map((instance) => ({ instance, score: score(site, instance) }))
      .sort((x, y) => y.score - x.score || (x.instance < y.instance ? 1 : -1))
    const owner = (ranked.find((r) => (load.get(r.instance) ?? 0) < cap) ?? ranked[0])?.instance
    if (owner === undefined) continue
    owners.set(site, owner)
    load.set(owner, (load.get(owner) ?? 0) + 1)
  }
  return owners
}

export const makeRedis = (options: RedisLeaderOptions): Effect.Effect<LeaderShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* connect({ url: options.url, commandTimeoutMs: 500 })
    const ttlMs = options.ttlMs ?? 10_000
    const prefix = options.prefix ?? "opnsense-mcp:leader:"
    const instance = options.instance ?? currentHolder().instance
    const membersKey = `${prefix}#instances`
    const members = yield* Ref.make<ReadonlyArray<string>>([instance])
    // the sites this instance campaigns for; every instance runs the same list (the desired state's)
    const campaigning = yield* Ref.make<ReadonlySet<string>>(new Set())
    let assigned: { readonly key: string; readonly owners: ReadonlyMap<string, string> } | undefined
    const ownerOf = (site: string) =>
      Effect.gen(function*() {
        const live = yield* Ref.get(members)
        const instances = [...new Set([...live, instance])].sort()
        const sites = [...(yield* Ref.get(campaigning))].sort()
        const key = `${instances.join("\n")}\0${sites.join("\n")}`
        if (assigned?.key !== key) assigned = { key, owners: assignSites(sites, instances) }
        return assigned.owners.get(site) ?? instance
      })

    const heartbeat = Effect.tryPromise(() => redis.eval(HEARTBEAT, 1, membersKey, instance, ttlMs)).pipe(
      Effect.flatMap((live) =>
        Array.isArray(live)
          ? Ref.set(members, live.filter((m): m is string => typeof m === "string"))
          : Effect.void
      ),
      // Redis unreachable: the view stays as it was; without Redis no lease can be held anyway
      Effect.catchCause(() => Effect.void)
    )
    yield* heartbeat
    yield* heartbeat.pipe(
      Effect.repeat(Schedule.spaced(Duration.millis(Math.max(10, Math.floor(ttlMs / 4))))),
      Effect.forkScoped
    )
    // leaving: the others take this instance's sites at once instead of after ttl
    yield* Effect.addFinalizer(() => Effect.tryPromise(() => redis.zrem(membersKey, instance)).pipe(Effect.ignore))

    const campaign = (site: string) =>
      Effect.gen(function*() {
        const key = `${prefix}${site}`
        const leaseUntil = yield* Ref.make(0)
        const seen = yield* Ref.make<string | undefined>(undefined)
        const resigned = yield* Ref.make(false)
        yield* Ref.update(campaigning, (sites) => new Set(sites).add(site))
        yield* Effect.addFinalizer(() =>
          Ref.update(campaigning, (sites) => {
            const next = new Set(sites)
            next.delete(site)
            return next
          })
        )
        const attempt = Effect.gen(function*() {
          if ((yield* ownerOf(site)) !== instance) {
            // not ours to lead. Hand over in two steps: stop counting as leader now, free the lease
            // one attempt later, so that this instance's loop has seen it is no longer leader
            // before the owner can take the lease
            yield* Ref.set(leaseUntil, 0)
            if ((yield* Ref.get(seen)) === instance) {
              if (yield* Ref.getAndSet(resigned, true)) {
                yield* Effect.tryPromise(() => redis.eval(RELEASE, 1, key, instance))
              }
            }
            yield* Ref.set(seen, (yield* Effect.tryPromise(() => redis.get(key))) ?? undefined)
            return
          }
          yield* Ref.set(resigned, false)
          const started = yield* Clock.currentTimeMillis
          const renewed = yield* Effect.tryPromise(() => redis.eval(RENEW, 1, key, instance, ttlMs))
          const mine = renewed === 1 ||
            (yield* Effect.tryPromise(() => redis.set(key, instance, "PX", ttlMs, "NX"))) === "OK"
          // the lease counts from before the command was sent: never longer than Redis keeps it
          yield* Ref.set(leaseUntil, mine ? started + ttlMs : 0)
          yield* Ref.set(seen, mine ? instance : (yield* Effect.tryPromise(() => redis.get(key))) ?? undefined)
        }).pipe(Effect.catchCause(() => Effect.void))
        yield* attempt
        yield* attempt.pipe(
          Effect.repeat(Schedule.spaced(Duration.millis(Math.max(20, Math.floor(ttlMs / 3))))),
          Effect.forkScoped
        )
        yield* Effect.addFinalizer(() =>
          Effect.tryPromise(() => redis.eval(RELEASE, 1, key, instance)).pipe(Effect.ignore)
        )
        return {
          isLeader: Effect.gen(function*() {
            return (yield* Clock.currentTimeMillis) < (yield* Ref.get(leaseUntil))
          }),
          leader: Ref.get(seen)
        } satisfies Candidacy
      }).pipe(Effect.withSpan("Leader.campaign", { attributes: { site, backend: "redis" } }))

    return { backend: "redis", instance, campaign } satisfies LeaderShape
  })

export const makeMemory = (options: { readonly instance?: string | undefined } = {}): Effect.Effect<LeaderShape> =>
  Effect.gen(function*() {
    const instance = options.instance ?? currentHolder().instance
    const leaders = yield* Ref.make(new Map<string, symbol>())
    const campaign = (site: string) =>
      Effect.gen(function*() {
        const me = Symbol(instance)
        const claim = Ref.modify(leaders, (m) => {
          const current = m.get(site)
          if (current !== undefined && current !== me) return [false, m] as const
          return [true, new Map(m).set(site, me)] as const
        })
        yield* claim
        yield* Effect.addFinalizer(() =>
          Ref.update(leaders, (m) => {
            if (m.get(site) !== me) return m
            const next = new Map(m)
            next.delete(site)
            return next
          })
        )
        return {
          isLeader: claim,
          leader: Effect.map(Ref.get(leaders), (m) => m.get(site)?.description)
        } satisfies Candidacy
      })
    return { backend: "memory", instance, campaign } satisfies LeaderShape
  })

export const layerRedis = (options: RedisLeaderOptions): Layer.Layer<Leader> => Layer.effect(Leader, makeRedis(options))
export const layerMemory = (options: { readonly instance?: string | undefined } = {}): Layer.Layer<Leader> =>
  Layer.effect(Leader, makeMemory(options))

/** REDIS_URL set → Redis election with this lease; otherwise in-process. */
export const layerConfig = (options: { readonly ttlMs: number }) =>
  Layer.unwrap(
    Effect.gen(function*() {
      const url = yield* Config.option(Config.String("REDIS_URL"))
      return Option.isSome(url) && url.value !== ""
        ? layerRedis({ url: url.value, ttlMs: options.ttlMs })
        : layerMemory()
    })
  )

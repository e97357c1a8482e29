/**
 * Leader election: among several `serve` instances, exactly one reconciles each site.
 *
 * - Redis (REDIS_URL): the leader holds `opnsense-mcp:leader:<site>` (SET NX PX ttl) and renews it
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
import { currentHolder } from "./Lock.ts"
import { connect, RELEASE, RENEW } from "./Redis.ts"

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

export const makeRedis = (options: RedisLeaderOptions): Effect.Effect<LeaderShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* connect({ url: options.url, commandTimeoutMs: 500 })
    const ttlMs = options.ttlMs ?? 10_000
    const prefix = options.prefix ?? "opnsense-mcp:leader:"
    const instance = options.instance ?? currentHolder().instance

    const campaign = (site: string) =>
      Effect.gen(function*() {
        const key = `${prefix}${site}`
        const leaseUntil = yield* Ref.make(0)
        const seen = yield* Ref.make<string | undefined>(undefined)
        const attempt = Effect.gen(function*() {
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

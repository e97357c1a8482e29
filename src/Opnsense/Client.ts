/**
 * The Opnsense service implementation for one site: version detection once, one bulk read per kind
 * per snapshot, writes per kind, reconfigure per subsystem, backups. Resilience comes in from the
 * CircuitBreaker and Cache services and the retry policy (Request.ts).
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import type { FirmwareVersion, LiveInterface, LiveSnapshot, UnreadableKind } from "../Domain/Model.ts"
import type { AnyKind, ClientKit, LiveItem, ReadContext } from "../Kinds/Kind.ts"
import { apiOf, type ClientCollections, kinds, LiveSnapshotSchema } from "../Kinds/Registry.ts"
import type { Backup, OpnsenseShape } from "../Opnsense.ts"
import { Cache } from "../Resilience/Cache.ts"
import { CircuitBreaker } from "../Resilience/CircuitBreaker.ts"
import { defaultRetry, retryNumbered, type RetryOptions } from "../Resilience/Retry.ts"
import * as Categories from "./Categories.ts"
import {
  NotFoundError,
  OperationRefusedError,
  type OpnsenseError,
  UnexpectedResponseError,
  UnsupportedVersionError
} from "./Errors.ts"
import { makeTransport, type TransportOptions } from "./Http.ts"
import * as Interfaces from "./Interfaces.ts"
import { makeRequester } from "./Request.ts"
import { checkWrite, WriteResult } from "./Response.ts"
import { fromPermissionError, notReadText } from "./Unreadable.ts"
import * as Version from "./Version.ts"
import { allRows } from "./Wire.ts"

export interface ClientOptions extends TransportOptions {
  readonly retry?: RetryOptions | undefined
  /** snapshot TTL in the cache; defaults to the cache's CACHE_DEFAULT_TTL */
  readonly snapshotTtlSeconds?: number | undefined
  /** skip version detection and use this version (tests, or a box whose firmware endpoint is denied) */
  readonly version?: FirmwareVersion | undefined
  /** override how rules are listed (benchmarks); default per version (Version.ts) */
  readonly ruleListing?: Version.RuleListing | undefined
}

export const StatusBody = Schema.Struct({ status: Schema.String })
export const BackupList = Schema.Struct({
  items: Schema.Array(Schema.Struct({
    id: Schema.String,
    time: Schema.Union([Schema.String, Schema.Number]),
    time_iso: Schema.optional(Schema.String),
    description: Schema.optional(Schema.String)
  }))
})
export const SystemStatus = Schema.Struct({ metadata: Schema.optional(Schema.Unknown) })

/** Backup ids are "config-<time>.xml"; the API's revision form is the time inside. */
const revisionOf = (id: string) => id.replace(/^config-/, "").replace(/\.xml$/, "")
const idOf = (revision: string) => (revision.startsWith("config-") ? revision : `config-${revision}.xml`)

export const snapshotKey = (site: string) => `opnsense:${site}:snapshot`

export const make = (
  options: ClientOptions
): Effect.Effect<OpnsenseShape, never, Scope.Scope | CircuitBreaker | Cache> =>
  Effect.gen(function*() {
    const breaker = yield* CircuitBreaker
    const cache = yield* Cache
    const transport = yield* makeTransport(options)
    const site = options.site
    const versionRef = yield* Ref.make<Option.Option<FirmwareVersion>>(Option.fromUndefinedOr(options.version))
    const versionLock = yield* Semaphore.make(1)
    const lastGood = yield* Ref.make<Option.Option<LiveSnapshot>>(Option.none())
    const retry = options.retry ?? defaultRetry
    const http = makeRequester({ transport, breaker, retry, version: versionRef })

    // -- version ---------------------------------------------------------------------------

    const detect = http.json(Version.FirmwareStatus, "GET", "core/firmware/status").pipe(
      Effect.flatMap((status) =>
        Option.match(Version.versionFromStatus(status), {
          onNone: () =>
            Effect.fail(
              new UnexpectedResponseError({
                message:
                  `GET core/firmware/status on ${transport.baseUrl} carries no product.product_version: cannot tell the OPNsense version`,
                site,
                endpoint: "GET core/firmware/status",
                status: 200
              })
            ),
          onSome: Effect.succeed
        })
      ),
      Effect.tap((v) =>
        Version.supported(v)
          ? Effect.void
          : Effect.logWarning(
            `OPNsense ${v.raw} on site "${site}" is outside the tested range 24.7–26.7; proceeding with the nearest behaviour`
          )
      )
    )

    const version: Effect.Effect<FirmwareVersion, OpnsenseError> = Effect.flatMap(Ref.get(versionRef), (known) =>
      Option.isSome(known)
        ? Effect.succeed(known.value)
        : versionLock.withPermit(
          Effect.flatMap(Ref.get(versionRef), (again) =>
            Option.isSome(again)
              ? Effect.succeed(again.value)
              : Effect.tap(detect, (v) =>
                Ref.set(versionRef, Option.some(v))))
        )).pipe(Effect.withSpan("Opnsense.version", { attributes: { "opnsense.site": site } }))

    const caps = Effect.map(version, (v) => {
      const c = Version.capabilities(v)
      return options.ruleListing === undefined ? c : { ...c, ruleListing: options.ruleListing }
    })

    // -- bulk reads -------------------------------------------------------------------------

    /**
     * The category index of the last read. Every snapshot reads the list (so each plan and apply
     * starts from the firewall's), and writes that carry categories take it from here instead of
     * reading it again per write; a failed write forgets it, in case a category went away.
     */
    const knownCategories = yield* Ref.make<Option.Option<Categories.CategoryIndex>>(Option.none())
    const categories = http.json(Categories.SearchResponse, "POST", `${Categories.base}/search_item`, {
      body: allRows,
      idempotent: true
    }).pipe(
      Effect.map(Categories.index),
      Effect.tap((index) =>
        Ref.set(knownCategories, Option.some(index))
      )
    )
    const categoryIndex = Effect.flatMap(
      Ref.get(knownCategories),
      Option.match({ onNone: () => categories, onSome: Effect.succeed })
    )
    const forgettingCategories = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.tapError(effect, () => Ref.set(knownCategories, Option.none()))

    /**
     * The interfaces, or undefined when this key may not read them (page-interfaces-overview) or
     * the box answers something else: plans then say what the lockout guard cannot see.
     */
    const unreadable = (error: { readonly message: string }) =>
      Effect.as(
        Effect.logWarning(`site "${site}": the interface list could not be read (${error.message})`),
        undefined
      )
    // a GET pages 9999 rows (searchRecordsetBase reads paging from POST only): every interface
    const overview = Effect.map(
      http.json(Interfaces.OverviewResponse, "GET", Interfaces.path),
      Interfaces.fromOverview
    )
    const listInterfaces: Effect.Effect<ReadonlyArray<LiveInterface> | undefined, OpnsenseError> = Effect.flatMap(
      caps,
      (c) =>
        c.interfaceList
          ? Effect.map(
            Effect.all([http.json(Interfaces.ListResponse, "GET", Interfaces.listPath), overview], {
              concurrency: 2
            }),
            ([list, seen]) => Interfaces.merged(list, seen)
          )
          : overview
    ).pipe(
      Effect.catchTags({
        PermissionError: unreadable,
        NotFoundError: unreadable,
        UnexpectedResponseError: unreadable
      })
    )

    /**
     * One kind's objects, or, when the key lacks the privilege to list them, the kind named as
     * unreadable: plan, drift and list_live decide whether they can do without it. Any other
     * failure fails the snapshot.
     */
    const readKind = (
      kind: AnyKind,
      context: ReadContext
    ): Effect.Effect<ReadonlyArray<LiveItem<unknown>> | UnreadableKind, OpnsenseError> =>
      apiOf(apis, kind).read(context).pipe(
        Effect.catchTag("PermissionError", (error) => Effect.succeed(fromPermissionError(kind.name, error)))
      )

    const readSnapshot = Effect.gen(function*() {
      const v = yield* version
      // after an outage the breaker lets a single probe through: read one kind at a time then
      const concurrency = (yield* breaker.state(site)) === "closed" ? 2 : 1
      const [index, interfaces] = yield* Effect.all([categories, listInterfaces], { concurrency })
      const context: ReadContext = { categories: index.byId, interfaces }
      const read = yield* Effect.forEach(kinds, (kind) => readKind(kind, context), { concurrency })
      const now = yield* Clock.currentTimeMillis
      const unreadable = read.flatMap((r) => ("kind" in r ? [r] : []))
      const lists = read.map((r) => ("kind" in r ? [] : r))
      const collections = Object.fromEntries(kinds.map((kind, i) => [kind.collection, lists[i] ?? []]))
      const readable = {
        site,
        version: v,
        fetchedAt: new Date(now).toISOString(),
        ...collections,
        ...(interfaces !== undefined ? { interfaces } : {}),
        stale: false
      } as LiveSnapshot
      const snapshot: LiveSnapshot = unreadable.length > 0 ? { ...readable, unreadable } : readable
      if (unreadable.length > 0) {
        yield* Effect.logWarning(
          `site "${site}": the API key may not read ${unreadable.length} kind(s), held empty in this snapshot: ${
            unreadable.map(notReadText).join("; ")
          }`
        )
      }
      yield* Effect.annotateCurrentSpan({
        ...Object.fromEntries(kinds.map((kind, i) => [`opnsense.${kind.collection}`, lists[i]?.length ?? 0])),
        ...(unreadable.length > 0 ? { "opnsense.unreadable": unreadable.map((u) => u.kind).join(",") } : {})
      })
      return snapshot
    })

    const decodeSnapshot = Schema.decodeUnknownOption(Schema.fromJsonString(LiveSnapshotSchema))
    /** The snapshot last decoded from the cache, with the text it came from: a hit on the same text reuses it. */
    const lastHit = yield* Ref.make<Option.Option<{ readonly text: string; readonly snapshot: LiveSnapshot }>>(
      Option.none()
    )

    const cachedSnapshot = Effect.gen(function*() {
      const text = yield* cache.getText(snapshotKey(site))
      if (Option.isNone(text)) return Option.none<LiveSnapshot>()
      const known = yield* Ref.get(lastHit)
      if (Option.isSome(known) && known.value.text === text.value) return Option.some(known.value.snapshot)
      const decoded = decodeSnapshot(text.value)
      yield* Ref.set(lastHit, Option.map(decoded, (snapshot) => ({ text: text.value, snapshot })))
      return decoded
    })

    const snapshot = Effect.fn("Opnsense.snapshot")(function*(snapshotOptions?: { readonly fresh?: boolean }) {
      yield* Effect.annotateCurrentSpan({ "opnsense.site": site })
      if (snapshotOptions?.fresh !== true) {
        const cached = yield* cachedSnapshot
        if (Option.isSome(cached)) {
          yield* Effect.annotateCurrentSpan({ "cache.hit": true })
          return cached.value
        }
      }
      const result = yield* Effect.result(readSnapshot)
      if (result._tag === "Success") {
        yield* cache.set(snapshotKey(site), result.success, options.snapshotTtlSeconds)
        yield* Ref.set(lastGood, Option.some(result.success))
        return result.success
      }
      const error = result.failure
      const previous = yield* Ref.get(lastGood)
      const breakerOpen = error._tag === "CircuitOpenError" || (yield* breaker.state(site)) !== "closed"
      if (breakerOpen && Option.isSome(previous)) {
        yield* Effect.logWarning(
          `site "${site}": firewall unreachable (${error.message}); serving the snapshot of ${previous.value.fetchedAt} marked stale`
        )
        yield* Effect.annotateCurrentSpan({ "opnsense.stale": true })
        return { ...previous.value, stale: true }
      }
      return yield* Effect.fail(error)
    })

    // -- writes -----------------------------------------------------------------------------

    const invalidate = cache.invalidate(snapshotKey(site))

    /**
     * Versions before 25.7 are read, never written: their filter model cannot hold what later rules
     * do (Version.ts `missingRuleFeatures`), so a write would be refused or silently narrowed.
     */
    const writable = Effect.gen(function*() {
      const v = yield* version
      const c = Version.capabilities(v)
      if (c.writes) return
      return yield* Effect.fail(
        new UnsupportedVersionError({
          message: `OPNsense ${v.raw} on site "${site}" is read-only for opnsense-mcp: writes need 25.7 or later. ` +
            `Its filter model has ${c.missingRuleFeatures.map((f) => Version.ruleFeatureText[f]).join(", ")} ` +
            "(opnsense/core 24.7: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.xml). " +
            "Upgrade the firewall; plan, drift and import still read it",
          site,
          version: v.raw,
          missing: c.missingRuleFeatures
        })
      )
    })

    /** Every write drops the site's cached snapshot, whether it succeeded or not (it may have landed). */
    const writing = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.andThen(writable, Effect.ensuring(effect, invalidate))

    const post = (path: string, wrapper: string, body: unknown, idempotent: boolean) =>
      http.json(WriteResult, "POST", path, { body, idempotent }).pipe(
        Effect.flatMap((result) =>
          checkWrite({ site, baseUrl: transport.baseUrl, endpoint: `POST ${path}`, path }, wrapper, result)
        )
      )

    /**
     * add_* is not idempotent: a retry after a lost response could create a twin. So a retried
     * create first looks for the object its earlier attempt may have made, and only re-sends
     * when it is not there.
     */
    const create = (
      path: string,
      wrapper: string,
      body: unknown,
      findExisting: Effect.Effect<Option.Option<string>, OpnsenseError>
    ): Effect.Effect<string, OpnsenseError> => {
      const send = post(path, wrapper, body, false).pipe(
        Effect.flatMap((r) =>
          r.uuid !== undefined && r.result === "saved"
            ? Effect.succeed(r.uuid)
            : Effect.fail(
              new UnexpectedResponseError({
                message: `POST ${path} returned result "${r.result}" without a uuid`,
                site,
                endpoint: `POST ${path}`,
                status: 200
              })
            )
        )
      )
      return writing(retryNumbered(retry, (attempt) =>
        attempt === 1
          ? send
          : Effect.flatMap(findExisting, Option.match({ onNone: () => send, onSome: Effect.succeed }))))
    }

    const update = (path: string, wrapper: string, body: unknown) =>
      writing(Effect.asVoid(post(path, wrapper, body, true)))

    /** del is idempotent: "not found" on a retry means the first attempt deleted it. */
    const remove = (path: string, kind: string, uuid: string): Effect.Effect<void, OpnsenseError> =>
      writing(retryNumbered(retry, (attempt) =>
        http.json(WriteResult, "POST", path, { idempotent: false }).pipe(
          Effect.flatMap((r): Effect.Effect<void, OpnsenseError> => {
            if (r.result === "deleted" || (r.result === "not found" && attempt > 1)) return Effect.void
            if (r.result === "not found") {
              return Effect.fail(
                new NotFoundError({
                  message: `${kind} ${uuid} does not exist on site "${site}" (already deleted?)`,
                  site,
                  endpoint: `POST ${path}`
                })
              )
            }
            return Effect.fail(
              new UnexpectedResponseError({
                message: `POST ${path} returned result "${r.result}"`,
                site,
                endpoint: `POST ${path}`,
                status: 200
              })
            )
          })
        )))

    const reconfigure = (path: string, title: string) =>
      writing(
        http.json(StatusBody, "POST", path, { idempotent: true }).pipe(
          Effect.flatMap(({ status }) =>
            status.trim().toLowerCase() === "ok"
              ? Effect.void
              : Effect.fail(
                new OperationRefusedError({
                  message:
                    `${title} on site "${site}" did not succeed: the firewall answered status "${status.trim()}"; see System > Log Files > Backend`,
                  site,
                  endpoint: `POST ${path}`,
                  title
                })
              )
          )
        )
      )

    /** Category names → uuids, creating the categories that do not exist yet. */
    const categoryIds = (names: ReadonlyArray<string>) =>
      names.length === 0
        ? Effect.succeed<ReadonlyArray<string>>([])
        : Effect.gen(function*() {
          const index = yield* categoryIndex
          return yield* Effect.forEach(names, (name): Effect.Effect<string, OpnsenseError> => {
            const known = index.byName.get(name)
            if (known !== undefined) return Effect.succeed(known)
            return create(
              `${Categories.base}/add_item`,
              Categories.wrapper,
              Categories.toWire(name),
              categories.pipe(
                Effect.map((i) => Option.fromUndefinedOr(i.byName.get(name)))
              )
            ).pipe(
              Effect.tap((uuid) =>
                Ref.update(knownCategories, Option.map((i) => Categories.withCategory(i, name, uuid)))
              )
            )
          })
        })

    const kit: ClientKit = {
      site,
      baseUrl: transport.baseUrl,
      http,
      retry,
      version,
      capabilities: caps,
      create: (path, wrapper, body, findExisting) =>
        create(path, wrapper, body, Effect.map(findExisting, Option.fromUndefinedOr)),
      update,
      remove,
      reconfigure,
      writing,
      categories: Effect.map(categories, (index) => index.byId),
      categoryIds,
      forgettingCategories,
      interfaces: listInterfaces
    }
    const apis = Object.fromEntries(
      kinds.map((kind) => [kind.collection, kind.client(kit)])
    ) as unknown as ClientCollections

    // -- backups ----------------------------------------------------------------------------

    const listBackups = http.json(BackupList, "GET", "core/backup/backups/this").pipe(
      Effect.map((r): ReadonlyArray<Backup> =>
        r.items.map((item) => ({
          revision: revisionOf(item.id),
          time: item.time_iso ?? String(item.time),
          description: item.description ?? ""
        }))
      )
    )

    const backups: OpnsenseShape["backups"] = {
      list: listBackups.pipe(Effect.withSpan("Opnsense.backups.list")),
      current: listBackups.pipe(Effect.map((all) => all[0]), Effect.withSpan("Opnsense.backups.current")),
      // opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Core/Api/BackupController.php
      // downloadAction: without a backup id, the newest file (every save writes one: the running config)
      download: Effect.fn("Opnsense.backups.download")(function*(revision?: string) {
        const response = yield* http.raw(
          "GET",
          revision === undefined ? "core/backup/download/this" : `core/backup/download/this/${idOf(revision)}`
        )
        if (response.body.trim() === "") {
          return yield* Effect.fail(
            new NotFoundError({
              message: revision === undefined
                ? `site "${site}" offers no configuration backup to download`
                : `backup ${revision} does not exist on site "${site}"`,
              site,
              endpoint: "GET core/backup/download/this"
            })
          )
        }
        return response.body
      }),
      revert: Effect.fn("Opnsense.backups.revert")(function*(revision: string) {
        const path = `core/backup/revert_backup/${idOf(revision)}`
        const { status } = yield* writing(http.json(StatusBody, "POST", path, { idempotent: true }))
        if (status === "reverted") return
        if (status === "not_found") {
          return yield* Effect.fail(
            new NotFoundError({
              message: `backup ${revision} does not exist on site "${site}"`,
              site,
              endpoint: `POST ${path}`
            })
          )
        }
        return yield* Effect.fail(
          new OperationRefusedError({
            message: `revert to ${revision} on site "${site}" failed: status "${status}"`,
            site,
            endpoint: `POST ${path}`,
            title: "Revert"
          })
        )
      })
    }

    const ping = Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      yield* http.json(SystemStatus, "GET", "core/system/status")
      const end = yield* Clock.currentTimeMillis
      return { latencyMs: end - start }
    }).pipe(Effect.withSpan("Opnsense.ping", { attributes: { "opnsense.site": site } }))

    yield* cache.registerWarmer(snapshotKey(site), snapshot({ fresh: true }))

    return {
      site,
      url: transport.baseUrl,
      version,
      snapshot,
      ping,
      ...apis,
      backups
    } satisfies OpnsenseShape
  })

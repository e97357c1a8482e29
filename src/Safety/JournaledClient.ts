/**
 * An Opnsense client whose writes go through the apply journal and the apply lock: before each
 * call the lease is checked (a writer whose lock expired or was taken over stops here) and an
 * intent is appended; after it, the outcome with the uuids created. Reads pass through untouched.
 *
 * A write with no open journal for the site, a lost lease, or a journal that cannot be written is
 * refused as an OperationRefusedError before anything is sent, so the apply stops the way it stops
 * on any refused write: nothing further is written, touched subsystems are still reconfigured.
 */
import * as Effect from "effect/Effect"
import type { ResourceKind } from "../Domain/Model.ts"
import type { KindApi, LiveItem } from "../Kinds/Kind.ts"
import { apiOf, kinds } from "../Kinds/Registry.ts"
import type { OpnsenseShape, RowOutcome } from "../Opnsense.ts"
import { OperationRefusedError, type OpnsenseError } from "../Opnsense/Errors.ts"
import type { IntentRecord, JournalShape, Operation } from "./Journal.ts"
import type { Lease } from "./Lock.ts"

export interface Guard {
  readonly journal: JournalShape
  /** the lease of the apply lock, looked up per call (undefined: refuse) */
  readonly lease: (site: string) => Effect.Effect<Lease | undefined>
}

const refuse = (site: string, endpoint: string, message: string) =>
  new OperationRefusedError({ message, site, endpoint, title: "refused by the safety layer" })

export const journaled = (client: OpnsenseShape, guard: Guard): OpnsenseShape => {
  const site = client.site

  const write = <A>(
    kind: ResourceKind,
    op: Operation,
    names: ReadonlyArray<string>,
    uuid: string | undefined,
    call: Effect.Effect<A, OpnsenseError>,
    uuidsOf: (a: A) => ReadonlyArray<string>
  ): Effect.Effect<A, OpnsenseError> =>
    Effect.gen(function*() {
      const endpoint = `${kind}.${op}`
      const lease = yield* guard.lease(site)
      if (lease === undefined) {
        return yield* refuse(
          site,
          endpoint,
          `site "${site}": write attempted without holding the apply lock; nothing was sent`
        )
      }
      yield* lease.check.pipe(Effect.mapError((e) =>
        refuse(site, endpoint, `${e.message}; stopping before the next write so two writers never interleave`)
      ))
      const open = yield* guard.journal.active(site)
      if (open === undefined) {
        return yield* refuse(
          site,
          endpoint,
          `site "${site}": no apply journal is open; writes only happen inside a journaled apply`
        )
      }
      const intent: Omit<IntentRecord, "type" | "seq" | "at"> = {
        op,
        kind,
        names,
        ...(uuid === undefined ? {} : { uuid })
      }
      return yield* open.record(intent, call, uuidsOf).pipe(
        Effect.catchTag("JournalError", (e) =>
          Effect.fail(refuse(site, endpoint, `${e.message}; the write was not journaled, so the apply stops`)))
      )
    })

  const none = () => []
  // a bulk call: the names of every row, and the uuids of the rows the firewall saved
  const owners = (rows: ReadonlyArray<{ readonly owner: string }>) => rows.map((r) => r.owner)
  const saved = (outcomes: ReadonlyArray<RowOutcome>) => outcomes.flatMap((o) => (o._tag === "Saved" ? [o.uuid] : []))
  const one = (uuid: string) => [uuid]

  /** A kind's calls with every write journaled and fenced. */
  const wrap = (kind: ResourceKind, api: KindApi<unknown, LiveItem<unknown>>): KindApi<unknown, LiveItem<unknown>> => ({
    ...api,
    reconfigure: write(kind, "reconfigure", [], undefined, api.reconfigure, none),
    create: (spec, owner, at) => write(kind, "create", [owner], undefined, api.create(spec, owner, at), one),
    update: (uuid, spec, owner, at) =>
      at?.onlySequence === true
        ? write(kind, "sequence", [], uuid, api.update(uuid, spec, owner, at), none)
        : write(kind, "update", [owner], uuid, api.update(uuid, spec, owner, at), none),
    remove: (uuid) => write(kind, "delete", [], uuid, api.remove(uuid), none),
    bulk: api.bulk === undefined ? undefined : {
      ...api.bulk,
      // one intent for the call (creates and updates alike), closed with the uuids it saved
      upsert: (rows) =>
        write(kind, "upload", owners(rows), undefined, api.bulk?.upsert(rows) ?? Effect.succeed([]), saved),
      // one intent per uuid, all journaled (and fenced) before the call and closed after it;
      // recovery checks each uuid on the firewall, whatever the outcome record says
      removeMany: (uuids) =>
        uuids.reduceRight<Effect.Effect<ReadonlyArray<OpnsenseError | undefined>, OpnsenseError>>(
          (call, uuid) => write(kind, "delete", [], uuid, call, none),
          Effect.suspend(() => api.bulk?.removeMany(uuids) ?? Effect.succeed([]))
        ).pipe(Effect.catch((refused) => Effect.succeed(uuids.map(() => refused))))
    }
  })

  return {
    ...client,
    ...Object.fromEntries(kinds.map((kind) => [kind.collection, wrap(kind.name, apiOf(client, kind))]))
  } as OpnsenseShape
}

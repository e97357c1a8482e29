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
import type { OpnsenseShape, RowOutcome, Subsystem } from "../Opnsense.ts"
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
  const reconfigure = (kind: ResourceKind, subsystem: Subsystem): Subsystem => ({
    reconfigure: write(kind, "reconfigure", [], undefined, subsystem.reconfigure, none)
  })

  return {
    ...client,
    vlans: {
      ...client.vlans,
      ...reconfigure("vlan", client.vlans),
      create: (spec, owner) => write("vlan", "create", [owner], undefined, client.vlans.create(spec, owner), one),
      update: (uuid, spec, owner, device) =>
        write("vlan", "update", [owner], uuid, client.vlans.update(uuid, spec, owner, device), none),
      remove: (uuid) => write("vlan", "delete", [], uuid, client.vlans.remove(uuid), none)
    },
    aliases: {
      ...client.aliases,
      ...reconfigure("alias", client.aliases),
      create: (spec, owner) => write("alias", "create", [owner], undefined, client.aliases.create(spec, owner), one),
      update: (uuid, spec, owner) =>
        write("alias", "update", [owner], uuid, client.aliases.update(uuid, spec, owner), none),
      remove: (uuid) => write("alias", "delete", [], uuid, client.aliases.remove(uuid), none),
      createMany: (rows) => write("alias", "create", owners(rows), undefined, client.aliases.createMany(rows), saved)
    },
    rules: {
      ...client.rules,
      ...reconfigure("rule", client.rules),
      create: (spec, owner, sequence) =>
        write("rule", "create", [owner], undefined, client.rules.create(spec, owner, sequence), one),
      update: (uuid, spec, owner, sequence) =>
        write("rule", "update", [owner], uuid, client.rules.update(uuid, spec, owner, sequence), none),
      setSequence: (uuid, sequence) =>
        write("rule", "sequence", [], uuid, client.rules.setSequence(uuid, sequence), none),
      remove: (uuid) => write("rule", "delete", [], uuid, client.rules.remove(uuid), none),
      // one intent per uuid, all journaled (and fenced) before the call and closed after it;
      // recovery checks each uuid on the firewall, whatever the outcome record says
      removeMany: (uuids) =>
        uuids.reduceRight<Effect.Effect<ReadonlyArray<OpnsenseError | undefined>, OpnsenseError>>(
          (call, uuid) => write("rule", "delete", [], uuid, call, none),
          Effect.suspend(() => client.rules.removeMany(uuids))
        ).pipe(Effect.catch((refused) => Effect.succeed(uuids.map(() => refused)))),
      upload: (rows) => write("rule", "upload", owners(rows), undefined, client.rules.upload(rows), saved)
    }
  }
}

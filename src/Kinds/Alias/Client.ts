/**
 * Alias calls on one firewall (`firewall/alias`, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasController.php). Several new
 * aliases go in one `import` where the version has it (all or nothing, one save).
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import * as AliasImport from "./Import.ts"
import type { AliasSpec, LiveAlias } from "./Spec.ts"
import * as Aliases from "./Wire.ts"

export const client = (kit: ClientKit): KindApi<AliasSpec, LiveAlias> => {
  const { http } = kit
  const read = (names: ReadonlyMap<string, string>) =>
    Effect.flatMap(kit.capabilities, (c) =>
      c.rawSearchRows
        ? http.json(Aliases.SearchResponse, "POST", `${Aliases.base}/search_item`, { body: allRows, idempotent: true })
          .pipe(
            Effect.flatMap((r) => {
              const live = Aliases.fromSearch(r, names)
              const authgroups = Aliases.authgroupUuids(r)
              // authgroup rows carry group names (or nothing): their gids only come from export
              return authgroups.length === 0 ? Effect.succeed(live) : http.json(
                Aliases.ExportResponse,
                "GET",
                `${Aliases.base}/export?ids=${authgroups.map(encodeURIComponent).join(",")}`
              ).pipe(Effect.map((exported) => Aliases.withExportedContent(live, exported)))
            })
          )
        : http.json(Aliases.ExportResponse, "GET", `${Aliases.base}/export`).pipe(
          Effect.map((r) => Aliases.fromExport(r, names))
        ))
  const list = Effect.flatMap(kit.categories, read)

  const createMany = Effect.fn("Opnsense.aliases.createMany")(
    function*(rows: ReadonlyArray<{ readonly spec: AliasSpec; readonly owner: string }>) {
      yield* Effect.annotateCurrentSpan({ "opnsense.site": kit.site, "opnsense.rows": rows.length })
      const names = [...new Set(rows.flatMap((r) => r.spec.categories))]
      const ids = new Map(Arr.zip(names, yield* kit.forgettingCategories(kit.categoryIds(names))))
      return yield* AliasImport.write(rows, {
        site: kit.site,
        list,
        send: (sent) =>
          kit.writing(http.json(AliasImport.ImportResponse, "POST", `${Aliases.base}/import`, {
            body: AliasImport.body(
              sent.map((r) => Aliases.toWire(r.spec, r.owner, r.spec.categories.flatMap((n) => ids.get(n) ?? [])))
            ),
            // by name: a repeat finds the aliases of the first attempt and rewrites them with the same values
            idempotent: true
          }))
      })
    }
  )

  return {
    list: list.pipe(Effect.withSpan("Opnsense.aliases.list", { attributes: { "opnsense.site": kit.site } })),
    read: (context) => read(context.categories),
    create: Effect.fn("Opnsense.aliases.create")(function*(spec: AliasSpec, owner: string) {
      const ids = yield* kit.categoryIds(spec.categories)
      const existing = Effect.map(list, (all) => all.find((a) => a.spec.name === spec.name && a.owner === owner)?.uuid)
      return yield* kit.forgettingCategories(
        kit.create(`${Aliases.base}/add_item`, Aliases.wrapper, Aliases.toWire(spec, owner, ids), existing)
      )
    }),
    update: Effect.fn("Opnsense.aliases.update")(function*(uuid: string, spec: AliasSpec, owner: string) {
      const ids = yield* kit.categoryIds(spec.categories)
      yield* kit.forgettingCategories(
        kit.update(`${Aliases.base}/set_item/${uuid}`, Aliases.wrapper, Aliases.toWire(spec, owner, ids))
      )
    }),
    remove: Effect.fn("Opnsense.aliases.remove")(function*(uuid: string) {
      yield* kit.remove(`${Aliases.base}/del_item/${uuid}`, "alias", uuid)
    }),
    reconfigure: kit.reconfigure(`${Aliases.base}/reconfigure`, "Alias reconfigure").pipe(
      Effect.withSpan("Opnsense.aliases.reconfigure")
    ),
    bulk: {
      offer: Effect.map(
        kit.capabilities,
        (c) => ({ upsert: c.aliasImport ? ["create" as const] : [], removeMany: false })
      ),
      upsert: createMany,
      removeMany: (uuids) => Effect.forEach(uuids, () => Effect.succeed(undefined))
    }
  }
}

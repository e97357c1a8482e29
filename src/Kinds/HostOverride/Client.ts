/**
 * Host override calls on one firewall (`unbound/settings/*_host_override` and `*_host_alias`,
 * opnsense/core 25.7, 26.1.5 and 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Unbound/Api/SettingsController.php;
 * `unbound/service/reconfigure`, ServiceController via ApiMutableServiceControllerBase). A host is
 * written first, then its aliases (they name the host's uuid); deleting a host deletes its aliases
 * (delHostOverrideAction).
 */
import * as Effect from "effect/Effect"
import { allRows } from "../../Opnsense/Wire.ts"
import type { ClientKit, KindApi } from "../Kind.ts"
import { splitAlias } from "./Names.ts"
import type { HostOverrideSpec, LiveHostOverride } from "./Spec.ts"
import { refuseUnsupported } from "./Versions.ts"
import * as Hosts from "./Wire.ts"

export const reconfigurePath = "unbound/service/reconfigure"

export const client = (kit: ClientKit): KindApi<HostOverrideSpec, LiveHostOverride> => {
  const aliasRows = (host?: string) =>
    kit.http.json(
      Hosts.AliasSearch,
      "POST",
      `${Hosts.base}/search_host_alias${host === undefined ? "" : `?host=${encodeURIComponent(host)}`}`,
      { body: allRows, idempotent: true }
    ).pipe(Effect.map((r) => r.rows))
  const list = Effect.gen(function*() {
    const hosts = yield* kit.http.json(Hosts.HostSearch, "POST", `${Hosts.base}/search_host_override`, {
      body: allRows,
      idempotent: true
    })
    const aliases = yield* aliasRows()
    return hosts.rows.map((row) => Hosts.toLive(row, aliases))
  })
  const owned = (owner: string) => Effect.map(list, (all) => all.find((h) => h.owner === owner)?.uuid)

  /** Add the aliases the host lacks and delete the ones it should not have. */
  const syncAliases = Effect.fn("Opnsense.hostOverrides.aliases")(function*(uuid: string, spec: HostOverrideSpec) {
    const current = Hosts.aliasItems(yield* aliasRows(uuid), uuid, spec.domain)
    const wanted = new Set(spec.aliases)
    for (const item of current) {
      if (!wanted.has(item.name)) {
        yield* kit.remove(`${Hosts.base}/del_host_alias/${item.uuid}`, "host alias", item.uuid)
      }
    }
    const have = new Set(current.map((a) => a.name))
    for (const alias of spec.aliases) {
      if (have.has(alias)) continue
      const split = splitAlias(alias, spec.domain)
      const existing = Effect.map(
        aliasRows(uuid),
        (rows) => Hosts.aliasItems(rows, uuid, spec.domain).find((a) => a.name === alias)?.uuid
      )
      yield* kit.create(
        `${Hosts.base}/add_host_alias`,
        Hosts.aliasWrapper,
        Hosts.aliasBody(uuid, spec.domain, alias),
        split.hostname === "" && split.domain === "" ? Effect.succeed(undefined) : existing
      )
    }
  })

  return {
    list: list.pipe(Effect.withSpan("Opnsense.hostOverrides.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: Effect.fn("Opnsense.hostOverrides.create")(function*(spec: HostOverrideSpec, owner: string) {
      yield* refuseUnsupported(kit.site, yield* kit.version, spec)
      const uuid = yield* kit.create(
        `${Hosts.base}/add_host_override`,
        Hosts.hostWrapper,
        Hosts.hostBody(spec, owner),
        owned(owner)
      )
      yield* syncAliases(uuid, spec)
      return uuid
    }),
    update: Effect.fn("Opnsense.hostOverrides.update")(function*(uuid: string, spec: HostOverrideSpec, owner: string) {
      yield* refuseUnsupported(kit.site, yield* kit.version, spec)
      yield* kit.update(`${Hosts.base}/set_host_override/${uuid}`, Hosts.hostWrapper, Hosts.hostBody(spec, owner))
      yield* syncAliases(uuid, spec)
    }),
    remove: Effect.fn("Opnsense.hostOverrides.remove")(function*(uuid: string) {
      yield* kit.remove(`${Hosts.base}/del_host_override/${uuid}`, "host override", uuid)
    }),
    reconfigure: kit.reconfigure(reconfigurePath, "Unbound reconfigure").pipe(
      Effect.withSpan("Opnsense.unbound.reconfigure")
    )
  }
}

/**
 * The outbound NAT mode as a site setting (`outbound_nat_mode:` of a site in sites.yaml): one
 * object on the firewall, named `outbound_nat_mode`, whose change is an update in the plan and is
 * made active by the filter reload (src/Kinds/Kind.ts `setting`).
 *
 * OPNsense keeps the mode in config `nat/outbound/mode` (absent = automatic). Over the API
 * (opnsense/core, src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/SourceNatController.php
 * and models/OPNsense/Firewall/Filter.xml):
 * - 25.7 and 26.1 to 26.1.10: no API reads or writes it (only the GUI page
 *   src/www/firewall_nat_out.php, and the whole config.xml of core/backup/download);
 * - 26.1.11: Filter.xml `general.snat_mode` (SNatModeField, volatile, read from and written to
 *   `nat/outbound/mode`) appears in the whole-model `source_nat/get`, written by
 *   `POST source_nat/set_general` `{"filter":{"general":{"snat_mode":…}}}`;
 * - 26.7: `GET source_nat/get` is `{"filter":{"general":{"snat_mode":{<mode>:{value,selected}}}}}`,
 *   written by `POST source_nat/set` with the same body.
 * Both writes answer `{"result":"saved"}` or validations under `filter.general.snat_mode`.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { doc, Name } from "../../DesiredState/Fields.ts"
import type { FirmwareVersion } from "../../Domain/Model.ts"
import { liveFields } from "../../Domain/Model.ts"
import { NotFoundError, UnsupportedVersionError } from "../../Opnsense/Errors.ts"
import { atLeast } from "../../Opnsense/Version.ts"
import { single } from "../../Opnsense/Wire.ts"
import { type ClientKit, defineKind, type KindApi } from "../Kind.ts"
import { base, GeneralResponse } from "./Wire.ts"

/** The setting's one name: the plan's change, the journal and state.json know it by this. */
export const MODE = "outbound_nat_mode"

export const OutboundNatMode = Schema.Literals(["automatic", "hybrid", "advanced", "disabled"])
export type OutboundNatMode = typeof OutboundNatMode.Type

export const ModeSpec = Schema.Struct({ mode: OutboundNatMode })
export type ModeSpec = typeof ModeSpec.Type

export const LiveMode = Schema.Struct({ ...liveFields, spec: ModeSpec })
export type LiveMode = typeof LiveMode.Type

const ModeInput = Schema.Struct({
  name: Name,
  mode: doc(OutboundNatMode, "automatic, hybrid, advanced or disabled")
})

/** How the version reads and writes the mode, if at all. */
const apiOf = (v: FirmwareVersion) =>
  atLeast(v, 26, 7)
    ? { get: `${base}/get`, set: `${base}/set` }
    : atLeast(v, 26, 1, 11)
    ? { get: `${base}/get`, set: `${base}/set_general` }
    : undefined

const unreadable = (v: FirmwareVersion): string | undefined =>
  apiOf(v) !== undefined
    ? undefined
    : `outbound_nat_mode: OPNsense ${v.raw} has no API for the outbound NAT mode (config nat/outbound/mode; ` +
      "the API reads and writes it from 26.1.11), so the plan cannot compare it: check and set it in the GUI " +
      "under Firewall: NAT: Outbound"

const client = (kit: ClientKit): KindApi<ModeSpec, LiveMode> => {
  const refuse = (what: string) =>
    Effect.fail(
      new NotFoundError({
        message: `the outbound NAT mode of site "${kit.site}" is a setting: it cannot be ${what}, only changed`,
        site: kit.site,
        endpoint: `${base}/set`
      })
    )
  const list = Effect.flatMap(kit.version, (v) => {
    const api = apiOf(v)
    if (api === undefined) return Effect.succeed([])
    return kit.http.json(GeneralResponse, "GET", api.get).pipe(
      Effect.map((r): ReadonlyArray<LiveMode> => {
        const raw = single(r.filter.general?.snat_mode)
        // SNatModeField reads any other value as automatic
        const mode = Schema.is(OutboundNatMode)(raw) ? raw : "automatic"
        return [{ uuid: MODE, origin: "builtin", owner: MODE, spec: { mode } }]
      })
    )
  })
  return {
    list: list.pipe(Effect.withSpan("Opnsense.outboundNatMode.list", { attributes: { "opnsense.site": kit.site } })),
    read: () => list,
    create: () => refuse("created"),
    update: Effect.fn("Opnsense.outboundNatMode.update")(function*(_uuid: string, spec: ModeSpec) {
      const v = yield* kit.version
      const api = apiOf(v)
      if (api === undefined) {
        return yield* Effect.fail(
          new UnsupportedVersionError({
            message: unreadable(v) ?? "",
            site: kit.site,
            version: v.raw,
            missing: ["outbound NAT mode API"]
          })
        )
      }
      yield* kit.update(api.set, "filter", { filter: { general: { snat_mode: spec.mode } } })
    }),
    remove: () => refuse("deleted"),
    // FilterBaseController applyAction: the filter reload that regenerates the NAT rules
    reconfigure: kit.reconfigure(`${base}/apply`, "Filter apply")
  }
}

export const outboundNatMode = defineKind({
  name: MODE,
  collection: MODE,
  noun: ["outbound NAT mode", "outbound NAT mode"],
  // the mode decides which NAT rules the filter reload generates and loads
  subsystem: "rule",
  dependsOn: [],
  spec: ModeSpec,
  live: LiveMode,
  yaml: {
    input: ModeInput,
    description: "not here: the outbound NAT mode is a site setting, outbound_nat_mode in sites.yaml",
    // never reached: the loader refuses the key in resource files (src/DesiredState/Items.ts)
    check: () => [],
    normalise: (input) => ({ mode: input.mode }),
    render: (name, spec) => ({ name, mode: spec.mode })
  },
  identity: {
    adoptionKey: () => undefined,
    label: () => MODE,
    skipped: (live) =>
      live.map((l) => `outbound NAT mode ${l.spec.mode}: a site setting, written as outbound_nat_mode in sites.yaml`)
  },
  setting: {
    desired: (config) =>
      config.outboundNatMode === undefined ? undefined : {
        name: MODE,
        spec: { mode: config.outboundNatMode },
        source: { file: "sites.yaml", line: 1, column: 1 }
      },
    unreadable
  },
  importer: { file: "sites.yaml", name: () => MODE, fixedName: true },
  listing: {
    row: (l) => ({ uuid: l.uuid, name: MODE, managed: false, origin: l.origin, mode: l.spec.mode }),
    fields: ["name", "mode"]
  },
  client
})

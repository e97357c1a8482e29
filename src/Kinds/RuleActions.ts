/**
 * The writes every rule-like firewall controller inherits from FilterBaseController (opnsense/core
 * 25.7, 26.1.x, 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php):
 * `add_rule`, `set_rule/{uuid}` (a sequence-only move writes nothing else), `del_rule/{uuid}` and
 * `apply`, which runs the same configd `filter reload` as firewall/filter/apply. The NAT kinds
 * whose rows carry no categories (outbound NAT, 1:1) are written through these.
 */
import * as Effect from "effect/Effect"
import type { FirmwareVersion } from "../Domain/Model.ts"
import { type OpnsenseError, UnsupportedVersionError } from "../Opnsense/Errors.ts"
import type { ClientKit, KindApi } from "./Kind.ts"

export interface RuleActions<S> {
  /** controller path, e.g. "firewall/one_to_one" */
  readonly base: string
  /** body wrapper, "rule" */
  readonly wrapper: string
  /** for messages: "1:1 NAT entry" */
  readonly noun: string
  /** span name part: "oneToOne" gives Opnsense.oneToOne.create */
  readonly span: string
  readonly toWire: (spec: S, owner: string, sequence: number, version: FirmwareVersion) => unknown
  /** what of a spec the version cannot hold (Kind.unsupported): such a write is refused before it is sent */
  readonly unsupported?: (spec: S, version: FirmwareVersion) => ReadonlyArray<string>
}

export const ruleActions = <S, L extends { readonly uuid: string; readonly owner?: string | undefined }>(
  kit: ClientKit,
  list: Effect.Effect<ReadonlyArray<L>, OpnsenseError>,
  actions: RuleActions<S>
): Omit<KindApi<S, L>, "list" | "read"> => {
  const { base, noun, span, toWire, wrapper } = actions
  const owned = (owner: string) => Effect.map(list, (all) => all.find((r) => r.owner === owner)?.uuid)
  /** the body for this version, or the refusal when it cannot hold the spec */
  const body = (spec: S, owner: string, sequence: number) =>
    Effect.flatMap(kit.version, (v) => {
      const missing = actions.unsupported?.(spec, v) ?? []
      return missing.length === 0 ? Effect.succeed(toWire(spec, owner, sequence, v)) : Effect.fail(
        new UnsupportedVersionError({
          message: `OPNsense ${v.raw} on site "${kit.site}" cannot hold this ${noun}: it lacks ${
            missing.join(", ")
          }. Upgrade the firewall or change the ${noun}`,
          site: kit.site,
          version: v.raw,
          missing
        })
      )
    })
  return {
    create: Effect.fn(`Opnsense.${span}.create`)(function*(spec: S, owner: string, at) {
      return yield* kit.create(`${base}/add_rule`, wrapper, yield* body(spec, owner, at?.sequence ?? 0), owned(owner))
    }),
    update: Effect.fn(`Opnsense.${span}.update`)(function*(uuid: string, spec: S, owner: string, at) {
      const sequence = at?.sequence ?? 0
      yield* kit.update(
        `${base}/set_rule/${uuid}`,
        wrapper,
        at?.onlySequence === true ? { [wrapper]: { sequence: String(sequence) } } : yield* body(spec, owner, sequence)
      )
    }),
    remove: Effect.fn(`Opnsense.${span}.remove`)(function*(uuid: string) {
      yield* kit.remove(`${base}/del_rule/${uuid}`, noun, uuid)
    }),
    reconfigure: kit.reconfigure(`${base}/apply`, "Filter apply").pipe(Effect.withSpan(`Opnsense.${span}.reconfigure`))
  }
}

/**
 * The writes every rule-like firewall controller inherits from FilterBaseController (opnsense/core
 * 25.7, 26.1.x, 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php):
 * `add_rule`, `set_rule/{uuid}` (a sequence-only move writes nothing else), `del_rule/{uuid}` and
 * `apply`, which runs the same configd `filter reload` as firewall/filter/apply. The NAT kinds
 * whose rows carry no categories (outbound NAT, 1:1) are written through these.
 */
import * as Effect from "effect/Effect"
import type { OpnsenseError } from "../Opnsense/Errors.ts"
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
  readonly toWire: (spec: S, owner: string, sequence: number) => unknown
}

export const ruleActions = <S, L extends { readonly uuid: string; readonly owner?: string | undefined }>(
  kit: ClientKit,
  list: Effect.Effect<ReadonlyArray<L>, OpnsenseError>,
  actions: RuleActions<S>
): Omit<KindApi<S, L>, "list" | "read"> => {
  const { base, noun, span, toWire, wrapper } = actions
  const owned = (owner: string) => Effect.map(list, (all) => all.find((r) => r.owner === owner)?.uuid)
  return {
    create: Effect.fn(`Opnsense.${span}.create`)(function*(spec: S, owner: string, at) {
      return yield* kit.create(`${base}/add_rule`, wrapper, toWire(spec, owner, at?.sequence ?? 0), owned(owner))
    }),
    update: Effect.fn(`Opnsense.${span}.update`)(function*(uuid: string, spec: S, owner: string, at) {
      const sequence = at?.sequence ?? 0
      yield* kit.update(
        `${base}/set_rule/${uuid}`,
        wrapper,
        at?.onlySequence === true ? { [wrapper]: { sequence: String(sequence) } } : toWire(spec, owner, sequence)
      )
    }),
    remove: Effect.fn(`Opnsense.${span}.remove`)(function*(uuid: string) {
      yield* kit.remove(`${base}/del_rule/${uuid}`, noun, uuid)
    }),
    reconfigure: kit.reconfigure(`${base}/apply`, "Filter apply").pipe(Effect.withSpan(`Opnsense.${span}.reconfigure`))
  }
}

/**
 * Filter rule calls on one firewall (`firewall/filter`, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php and
 * FilterBaseController.php): single writes with a sequence, `upload_rules` for runs of creates
 * and updates (26.1+), `del_rule` with comma lists for runs of deletes where the version takes them.
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import { randomUUID } from "node:crypto"
import type { FirmwareVersion } from "../../Domain/Model.ts"
import {
  NotFoundError,
  type OpnsenseError,
  UnexpectedResponseError,
  UnsupportedVersionError,
  ValidationError
} from "../../Opnsense/Errors.ts"
import { WriteResult } from "../../Opnsense/Response.ts"
import * as Version from "../../Opnsense/Version.ts"
import { allRows } from "../../Opnsense/Wire.ts"
import type { BulkRow, ClientKit, KindApi } from "../Kind.ts"
import type { LiveRule, RuleSpec } from "./Spec.ts"
import * as Upload from "./Upload.ts"
import * as Rules from "./Wire.ts"

/**
 * uuids per del_rule call: the list travels in the URL (the action takes it as a path parameter),
 * kept to about 3.7 kB so a web server's request-line limit is never near.
 */
const DELETE_CHUNK = 100

export const client = (kit: ClientKit): KindApi<RuleSpec, LiveRule> => {
  const { http, site } = kit

  const read = (names: ReadonlyMap<string, string>, interfaces: Parameters<typeof Rules.fromSearch>[2]) =>
    Effect.flatMap(kit.capabilities, (c) =>
      c.ruleListing === "search"
        ? http.json(Rules.SearchResponse, "POST", `${Rules.base}/search_rule`, { body: allRows, idempotent: true })
          .pipe(Effect.map((r) => Rules.fromSearch(r, names, interfaces)))
        : http.json(Rules.ModelResponse, "GET", `${Rules.base}/get`).pipe(
          Effect.map((r) => Rules.fromModel(r, names))
        ))
  const list = Effect.flatMap(kit.categories, (names) => read(names, undefined))
  const owned = (owner: string) => Effect.map(list, (all) => all.find((r) => r.owner === owner)?.uuid)

  const checkSequenceOf = (c: Version.Capabilities, sequence: number) =>
    Number.isInteger(sequence) && sequence >= 1 && sequence <= c.maxSequence
      ? Effect.void
      : Effect.fail(
        new ValidationError({
          message: `rule sequence ${sequence} is outside 1..${c.maxSequence} for OPNsense on site "${site}"`,
          site,
          endpoint: `POST ${Rules.base}/set_rule`,
          validations: { "rule.sequence": `Sequence shall be between 1 and ${c.maxSequence}.` }
        })
      )
  const checkSequence = (sequence: number) => Effect.flatMap(kit.capabilities, (c) => checkSequenceOf(c, sequence))

  /** A rule value this version's filter model lacks is refused before anything is sent. */
  const checkRuleFeaturesOf = (v: FirmwareVersion, spec: RuleSpec): Effect.Effect<void, UnsupportedVersionError> => {
    const missing = Version.capabilities(v).missingRuleFeatures
    const lacking = Version.ruleFeaturesOf(spec).filter((f) => missing.includes(f))
    if (lacking.length === 0) return Effect.void
    return Effect.fail(
      new UnsupportedVersionError({
        message: `OPNsense ${v.raw} on site "${site}" cannot hold this rule: its filter model has ${
          lacking.map((f) => Version.ruleFeatureText[f]).join(", ")
        } (opnsense/core ${v.major}.${v.minor}: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.xml). ` +
          (lacking.includes("direction any")
            ? "Write one rule per direction (in, out), or upgrade to 26.1 or later"
            : "Upgrade the firewall to 25.7 or later"),
        site,
        version: v.raw,
        missing: lacking
      })
    )
  }
  const checkRuleFeatures = (spec: RuleSpec) => Effect.flatMap(kit.version, (v) => checkRuleFeaturesOf(v, spec))

  const sequenceOnly = (sequence: number) => ({ [Rules.wrapper]: { sequence: String(sequence) } })

  const removeOne = (uuid: string) => kit.remove(`${Rules.base}/del_rule/${uuid}`, "rule", uuid)

  const removeMany = Effect.fn("Opnsense.rules.removeMany")(function*(uuids: ReadonlyArray<string>) {
    yield* Effect.annotateCurrentSpan({ "opnsense.site": site, "opnsense.rows": uuids.length })
    const lists = yield* Effect.result(kit.capabilities)
    if (lists._tag === "Failure") return uuids.map(() => lists.failure)
    if (!lists.success.ruleDeleteLists || uuids.length === 1) {
      return yield* Effect.forEach(
        uuids,
        (uuid) => Effect.match(removeOne(uuid), { onSuccess: () => undefined, onFailure: (error) => error })
      )
    }
    const outcomes: Array<OpnsenseError | undefined> = []
    for (const chunk of Arr.chunksOf(uuids, DELETE_CHUNK)) {
      const path = `${Rules.base}/del_rule/${chunk.join(",")}`
      // delBase deletes what it finds and saves once: after any answer every listed rule is
      // gone (the answer names only the last one), so a retry is harmless
      const result = yield* Effect.result(kit.writing(http.json(WriteResult, "POST", path, { idempotent: true })))
      for (const _ of chunk) outcomes.push(result._tag === "Failure" ? result.failure : undefined)
    }
    return outcomes
  })

  const upload = Effect.fn("Opnsense.rules.upload")(function*(rows: ReadonlyArray<BulkRow<RuleSpec>>) {
    const c = yield* kit.capabilities
    const path = `${Rules.base}/upload_rules`
    if (!c.uploadRules) {
      return yield* Effect.fail(
        new NotFoundError({
          message: `upload_rules needs OPNsense 26.1 or later; site "${site}" runs ${
            (yield* kit.version).raw
          }: write rules one by one`,
          site,
          endpoint: `POST ${path}`
        })
      )
    }
    yield* Effect.annotateCurrentSpan({ "opnsense.site": site, "opnsense.rows": rows.length })
    // the capabilities already in hand: not a version lookup (and its span) per row
    for (const row of rows) yield* checkSequenceOf(c, row.sequence ?? 0)
    const v = yield* kit.version
    for (const row of rows) yield* checkRuleFeaturesOf(v, row.spec)
    // upload_rules drops category names it does not know: create them first, as single writes do
    const names = [...new Set(rows.flatMap((r) => r.spec.categories))]
    const ids = new Map(Arr.zip(names, yield* kit.forgettingCategories(kit.categoryIds(names))))
    // our own v4 uuid on every new row: saved under it, retried as an update, found afterwards
    const sent = rows.map((r) => ({
      ...r,
      sequence: r.sequence ?? 0,
      uuid: r.uuid ?? randomUUID(),
      isNew: r.uuid === undefined
    }))
    return yield* Upload.write(sent, {
      send: (payload) =>
        kit.writing(
          http.json(Upload.UploadResponse, "POST", path, { body: { payload }, idempotent: true }).pipe(
            Effect.flatMap((r) =>
              r.validations !== undefined ? Effect.succeed(r) : Effect.fail(
                new UnexpectedResponseError({
                  message: `POST ${path} on site "${site}" answered status "${
                    r.status ?? ""
                  }" without validations: the payload was not taken`,
                  site,
                  endpoint: `POST ${path}`,
                  status: 200
                })
              )
            )
          )
        ),
      setRule: (row) =>
        kit.update(
          `${Rules.base}/set_rule/${row.uuid}`,
          Rules.wrapper,
          row.onlySequence === true && !row.isNew
            ? sequenceOnly(row.sequence)
            : Rules.toWire(row.spec, row.owner, row.sequence, row.spec.categories.flatMap((n) => ids.get(n) ?? []))
        ),
      liveUuids: Effect.map(list, (live) => new Set(live.map((r) => r.uuid)))
    })
  })

  return {
    list: list.pipe(Effect.withSpan("Opnsense.rules.list", { attributes: { "opnsense.site": site } })),
    read: (context) => read(context.categories, context.interfaces),
    create: Effect.fn("Opnsense.rules.create")(function*(spec: RuleSpec, owner: string, at) {
      const sequence = at?.sequence ?? 0
      yield* checkSequence(sequence)
      yield* checkRuleFeatures(spec)
      const ids = yield* kit.categoryIds(spec.categories)
      return yield* kit.forgettingCategories(
        kit.create(`${Rules.base}/add_rule`, Rules.wrapper, Rules.toWire(spec, owner, sequence, ids), owned(owner))
      )
    }),
    update: Effect.fn("Opnsense.rules.update")(function*(uuid: string, spec: RuleSpec, owner: string, at) {
      const sequence = at?.sequence ?? 0
      yield* checkSequence(sequence)
      // reordering without touching other fields
      if (at?.onlySequence === true) {
        return yield* kit.update(`${Rules.base}/set_rule/${uuid}`, Rules.wrapper, sequenceOnly(sequence))
      }
      yield* checkRuleFeatures(spec)
      const ids = yield* kit.categoryIds(spec.categories)
      yield* kit.forgettingCategories(
        kit.update(`${Rules.base}/set_rule/${uuid}`, Rules.wrapper, Rules.toWire(spec, owner, sequence, ids))
      )
    }),
    remove: Effect.fn("Opnsense.rules.remove")(function*(uuid: string) {
      yield* removeOne(uuid)
    }),
    reconfigure: kit.reconfigure(`${Rules.base}/apply`, "Filter apply").pipe(
      Effect.withSpan("Opnsense.rules.reconfigure")
    ),
    bulk: {
      offer: Effect.map(kit.capabilities, (c) => ({
        upsert: c.uploadRules ? ["create" as const, "update" as const] : [],
        removeMany: c.ruleDeleteLists
      })),
      upsert: upload,
      removeMany
    }
  }
}

/**
 * What the rule-like kinds share (filter rules, port forwards, outbound NAT, 1:1 NAT): objects in
 * an evaluation order (`sequence`), with a free-text description and no natural key of their own.
 */
import { ITEM_NAME } from "../DesiredState/Names.ts"
import { slug } from "../Domain/Text.ts"

interface Ordered {
  readonly uuid: string
  readonly origin: string
  readonly owner?: string | undefined
  readonly sequence: number
  readonly spec: { readonly description: string }
}

/**
 * The source and destination fields of a rule-like row (Filter.xml `rules.rule`, `snatrules.rule`;
 * `onetoone.rule` has no ports): every such kind reads them by these names.
 */
export const endpointFields = [
  "source_net",
  "source_not",
  "source_port",
  "destination_net",
  "destination_not",
  "destination_port"
] as const

/** No natural key: adopted only when every canonical field is equal. */
export const everyFieldEqual = (spec: unknown): string => JSON.stringify(spec)

/**
 * The identity of a rule-like kind without a natural key: adopted only when every field is equal,
 * labelled by description; `skipped` says why the read-only rows are left alone.
 */
export const orderedIdentity = <L extends Ordered>(skipped: (readOnly: ReadonlyArray<L>) => ReadonlyArray<string>) => ({
  adoptionKey: everyFieldEqual,
  label: (live: L) => live.spec.description || live.uuid,
  unmanagedLabel: (live: L) => live.spec.description || `(sequence ${live.sequence})`,
  skipped
})

/** An imported object's YAML name: the name it was owned as, else its description, else `<prefix>-<sequence>`. */
export const orderedImportName = (prefix: string) => (live: Ordered, known: string | undefined): string => {
  const preferred = known ?? live.owner ?? slug(live.spec.description) ?? `${prefix}-${live.sequence}`
  return ITEM_NAME.test(preferred) ? preferred : `${prefix}-${live.sequence}`
}

/** The `list_live` row: named by owner, else description, else uuid; the spec one level deep. */
export const orderedRow = (live: Ordered & { readonly spec: object }): Readonly<Record<string, unknown>> => ({
  uuid: live.uuid,
  name: live.owner ?? (live.spec.description === "" ? live.uuid : live.spec.description),
  managed: live.owner !== undefined,
  origin: live.origin,
  sequence: live.sequence,
  ...live.spec
})

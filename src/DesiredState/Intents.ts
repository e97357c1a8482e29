/**
 * The `intents` top-level key of any desired-state file: what traffic must be passed or blocked
 * whatever the rules say. Intents are not objects on the firewall: they are decoded here with their
 * positions and checked against rule sets by Policy/Intents.ts (validate, lint, plan, apply, drift).
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type { Issue } from "../Domain/Desired.ts"
import type { Intent } from "../Domain/Intent.ts"
import { flattenSchemaIssue, makeIssue, suggestion } from "./Issues.ts"
import { ITEM_NAME } from "./Names.ts"
import { locate, type YamlFile } from "./Yaml.ts"

export const INTENTS_KEY = "intents"

const doc = <S extends Schema.Top>(schema: S, description: string) => schema.annotate({ description })

const Endpoint = doc(
  Schema.String,
  "an address, CIDR, alias, interface net such as opt2, (self) for the firewall, or any"
)

/** One intent as people write it (the JSON Schema for editors comes from this too). */
export const IntentInput = Schema.Struct({
  name: doc(Schema.String, "unique among the site's intents; errors and the apply override name it"),
  from: Endpoint,
  to: Endpoint,
  protocol: Schema.optionalKey(doc(Schema.String, "tcp, udp, tcp/udp, icmp, ...; any when omitted")),
  port: Schema.optionalKey(
    doc(
      Schema.Union([Schema.Int, Schema.String]),
      "destination port: 22, \"8000-8080\" or a port alias; any when omitted (needs tcp or udp)"
    )
  ),
  interface: Schema.optionalKey(
    doc(Schema.String, "interface the traffic arrives on; inferred from the source's interface network when omitted")
  ),
  expect: doc(Schema.Literals(["pass", "block"]), "the decision every packet from → to must get")
})
export type IntentInput = typeof IntentInput.Type

const decode = Schema.decodeUnknownExit(IntentInput)
const fields: ReadonlySet<string> = new Set(Object.keys(IntentInput.fields))

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

export const toIntent = (value: IntentInput, source?: Intent["source"]): Intent => ({
  name: value.name,
  from: value.from.trim(),
  to: value.to.trim(),
  ...(value.protocol !== undefined ? { protocol: value.protocol.trim() } : {}),
  ...(value.port !== undefined ? { port: String(value.port).trim() } : {}),
  ...(value.interface !== undefined ? { interface: value.interface.trim() } : {}),
  expect: value.expect,
  ...(source !== undefined ? { source } : {})
})

const intentsOf = (file: YamlFile, list: unknown, intents: Array<Intent>, issues: Array<Issue>) => {
  if (list === null || list === undefined) return
  if (!Array.isArray(list)) {
    issues.push(makeIssue(file.path, locate(file, [INTENTS_KEY]), {
      code: "type",
      message: `"${INTENTS_KEY}" must be a list of intents`,
      hint: "write each intent as \"- name: ...\" under intents:"
    }))
    return
  }
  list.forEach((raw, index) => {
    const path = [INTENTS_KEY, index] as const
    const at = locate(file, path)
    const name = isRecord(raw) && typeof raw["name"] === "string" ? raw["name"] : undefined
    const context = { kind: "intent", ...(name !== undefined ? { name } : {}) }
    if (!isRecord(raw)) {
      issues.push(makeIssue(file.path, at, {
        ...context,
        code: "type",
        message: "each intent must be a mapping of fields",
        hint: "write \"- name: ...\" followed by from, to and expect"
      }))
      return
    }
    for (const key of Object.keys(raw).filter((k) => !fields.has(k))) {
      issues.push(makeIssue(file.path, locate(file, [...path, key], "key"), {
        ...context,
        code: "unknown-field",
        message: `unknown field "${key}" in intent${name === undefined ? ` #${index + 1}` : ""}`,
        hint: suggestion(key, fields) ?? `known fields: ${[...fields].join(", ")}`
      }))
    }
    const known = Object.fromEntries(Object.entries(raw).filter(([key]) => fields.has(key)))
    const exit = decode(known, { errors: "all" })
    if (Exit.isFailure(exit)) {
      const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
      const flat = error === undefined ? [] : flattenSchemaIssue(error.issue, known)
      for (const problem of flat) {
        issues.push(makeIssue(file.path, locate(file, [...path, ...problem.path]), { ...context, ...problem }))
      }
      if (flat.length === 0) {
        issues.push(makeIssue(file.path, at, { ...context, code: "type", message: "invalid intent" }))
      }
      return
    }
    const value = exit.value
    if (!ITEM_NAME.test(value.name)) {
      issues.push(makeIssue(file.path, locate(file, [...path, "name"]), {
        ...context,
        code: "invalid-name",
        message: `name "${value.name}" must be 1-64 characters of letters, digits and _ . : -`,
        hint: "apply --override-intent takes this name; use e.g. guests-never-reach-servers"
      }))
      return
    }
    intents.push(toIntent(value, { file: file.path, line: at.line, column: at.column }))
  })
}

/** Every file's intents in file order, and their shape problems; duplicate names point at the first. */
export const collectIntents = (
  files: ReadonlyArray<YamlFile>
): { readonly intents: ReadonlyArray<Intent>; readonly issues: ReadonlyArray<Issue> } => {
  const intents: Array<Intent> = []
  const issues: Array<Issue> = []
  for (const file of files) {
    if (isRecord(file.value) && INTENTS_KEY in file.value) intentsOf(file, file.value[INTENTS_KEY], intents, issues)
  }
  const seen = new Map<string, Intent>()
  const unique: Array<Intent> = []
  for (const intent of intents) {
    const first = seen.get(intent.name)
    if (first === undefined) {
      seen.set(intent.name, intent)
      unique.push(intent)
      continue
    }
    const at = intent.source ?? { file: "", line: 1, column: 1 }
    issues.push(makeIssue(at.file, at, {
      kind: "intent",
      name: intent.name,
      code: "duplicate-name",
      message:
        `intent "${intent.name}" is already defined at ${first.source?.file}:${first.source?.line}:${first.source?.column}`,
      hint: "intent names are what errors and --override-intent refer to: rename one of them"
    }))
  }
  return { intents: unique, issues }
}

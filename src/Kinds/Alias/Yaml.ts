/**
 * Aliases: name rules (see Names.ts), content per type, nested aliases (must exist, fit the
 * type, no cycles), and their canonical specs.
 */
import { isHostname, isWildcardMask, parseCidr, parseRange } from "../../DesiredState/Addresses.ts"
import { canonicalCategories, checkCommon } from "../../DesiredState/Common.ts"
import { type IssueInput, suggestion } from "../../DesiredState/Issues.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import { ALIAS_NAME, aliasNameProblem, isBuiltinAlias } from "../../DesiredState/Names.ts"
import type { Issue } from "../../Domain/Desired.ts"
import { normalizePort, sortedSet } from "../../Domain/Normalize.ts"
import type { AliasInput } from "./Input.ts"
import type { AliasSpec, AliasTable, AliasType } from "./Spec.ts"

export const aliasTable = (aliases: ReadonlyArray<Located<AliasInput>>): AliasTable =>
  new Map(aliases.map((a) => [a.name, a.value.type]))

/** Type of a site alias or built-in alias ("external"), undefined when the name is unknown. */
export const aliasTypeOf = (table: AliasTable, name: string): AliasType | undefined =>
  table.get(name) ?? (isBuiltinAlias(name) ? (name.startsWith("__") ? "internal" : "external") : undefined)

const urlTypes: ReadonlySet<AliasType> = new Set(["url", "urltable", "urljson"])

type Entry =
  | { readonly _tag: "Value"; readonly value: string; readonly warning?: IssueInput | undefined }
  | { readonly _tag: "Ref"; readonly name: string }
  | { readonly _tag: "Bad"; readonly code: string; readonly message: string; readonly hint: string }

const contentHints: Readonly<Record<string, string>> = {
  "invalid-alias-content": "see the content rules per alias type in docs/desired-state.md",
  "unknown-alias": "define the alias in this site, or correct the name"
}

const bad = (code: string, message: string, hint?: string): Entry => ({
  _tag: "Bad",
  code,
  message,
  hint: hint ?? contentHints[code] ?? "correct the entry"
})

const addressEntry = (raw: string, allowHostname: boolean): Entry | undefined => {
  const value = raw.startsWith("!") ? raw.slice(1) : raw
  for (const parsed of [parseCidr(value), parseRange(value)]) {
    if (parsed._tag === "Literal") {
      return { _tag: "Value", value: raw.includes(":") ? raw.toLowerCase() : raw, warning: parsed.warning }
    }
    if (parsed._tag === "Invalid") {
      return bad("invalid-address", parsed.reason, "write an address, a CIDR or a range such as 10.0.0.1-10.0.0.9")
    }
  }
  if (isWildcardMask(value)) return { _tag: "Value", value: raw }
  if (allowHostname && !raw.startsWith("!") && isHostname(value)) return { _tag: "Value", value: raw.toLowerCase() }
  return undefined
}

/** Classify one content entry for the alias's type. */
const entryFor = (type: AliasType, raw: string, table: AliasTable): Entry => {
  const isRef = ALIAS_NAME.test(raw) && aliasTypeOf(table, raw) !== undefined
  switch (type) {
    case "host":
    case "network": {
      if (isRef) return { _tag: "Ref", name: raw }
      const entry = addressEntry(raw, type === "host")
      if (entry !== undefined) return entry
      return ALIAS_NAME.test(raw)
        ? bad(
          "unknown-alias",
          `"${raw}" is not an alias defined in this site`,
          suggestion(raw, table.keys()) ?? "define the alias, or write an address or CIDR"
        )
        : bad(
          "invalid-alias-content",
          `"${raw}" is not a valid ${type === "host" ? "address, range or hostname" : "network (address, CIDR, range)"}`
        )
    }
    case "networkgroup":
      if (isRef) return { _tag: "Ref", name: raw }
      return bad(
        "unknown-alias",
        `"${raw}" is not an alias defined in this site`,
        suggestion(raw, table.keys()) ?? "a networkgroup holds alias names only"
      )
    case "port": {
      const port = normalizePort(raw)
      if (port._tag === "Port") {
        return port.value === ""
          ? bad("invalid-alias-content", "\"any\" is not a port")
          : { _tag: "Value", value: port.value.replace("-", ":") }
      }
      if (port._tag === "Invalid") {
        return bad("invalid-port", port.reason, "write 443, 8000-8080, 8000:8080 or a service name such as https")
      }
      if (isRef) return { _tag: "Ref", name: raw }
      return bad(
        "unknown-alias",
        `"${raw}" is not a port, service name or alias defined in this site`,
        suggestion(raw, table.keys())
      )
    }
    case "geoip":
      return /^[A-Za-z]{2}$/.test(raw)
        ? { _tag: "Value", value: raw.toUpperCase() }
        : bad("invalid-alias-content", `"${raw}" is not a two-letter country code (or EU)`)
    case "mac":
      return /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){1,5}$/.test(raw)
        ? { _tag: "Value", value: raw.toLowerCase() }
        : bad("invalid-alias-content", `"${raw}" is not a MAC address or prefix (2-6 colon-separated octets)`)
    case "asn": {
      const n = /^\d{1,10}$/.test(raw) ? Number(raw) : 0
      return n >= 1 && n <= 4294967296
        ? { _tag: "Value", value: String(n) }
        : bad("invalid-alias-content", `"${raw}" is not an AS number (1-4294967296)`)
    }
    case "dynipv6host":
      return /^::[0-9A-Fa-f:]*$/.test(raw)
        ? { _tag: "Value", value: raw.toLowerCase() }
        : bad("invalid-alias-content", `"${raw}" is not an IPv6 suffix such as ::1000`)
    case "authgroup":
      return /^\d+$/.test(raw)
        ? { _tag: "Value", value: raw }
        : bad("invalid-alias-content", `"${raw}" is not a group id (gid)`)
    case "url":
    case "urltable":
    case "urljson":
      return URL.canParse(raw) && /^https?:\/\//i.test(raw)
        ? { _tag: "Value", value: raw }
        : bad("invalid-alias-content", `"${raw}" is not an http(s) URL`)
    case "external":
    case "internal":
      return { _tag: "Value", value: raw }
  }
}

const entriesOf = (alias: AliasInput, table: AliasTable): ReadonlyArray<Entry> =>
  (alias.content ?? []).map((c) => entryFor(alias.type, String(c).trim(), table))

export const aliasSpec = (input: AliasInput, table: AliasTable): AliasSpec => ({
  name: input.name,
  type: input.type,
  content: sortedSet(
    entriesOf(input, table).flatMap((e) => (e._tag === "Value" ? [e.value] : e._tag === "Ref" ? [e.name] : []))
  ),
  enabled: input.enabled ?? true,
  description: input.description ?? "",
  categories: canonicalCategories(input.categories),
  updateFrequency: input.update_frequency === undefined ? "" : String(input.update_frequency)
})

const checkAlias = (
  alias: Located<AliasInput>,
  entries: ReadonlyArray<Entry>,
  table: AliasTable
): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...checkCommon(alias)]
  const { name, type, content } = alias.value
  const nameProblem = aliasNameProblem(name)
  if (nameProblem !== undefined) issues.push(report(alias, ["name"], { code: "invalid-alias-name", ...nameProblem }))
  if (type === "internal") {
    issues.push(
      report(alias, ["type"], {
        code: "invalid-value",
        message: "internal aliases are created by OPNsense itself",
        hint: "reference the built-in alias by name instead"
      })
    )
  }
  if (type === "external" && (content?.length ?? 0) > 0) {
    issues.push(
      report(alias, ["content"], {
        code: "invalid-alias-content",
        message: "external aliases are filled outside the configuration and take no content",
        hint: "remove content, or use type host/network"
      })
    )
  }
  if (alias.value.update_frequency !== undefined && !urlTypes.has(type)) {
    issues.push(report(alias, ["update_frequency"], {
      code: "invalid-value",
      message: `update_frequency only applies to url, urltable and urljson aliases, not ${type}`,
      hint: "remove update_frequency"
    }))
  }
  entries.forEach((entry, index) => {
    if (entry._tag === "Value" && entry.warning !== undefined) {
      issues.push(report(alias, ["content", index], entry.warning))
    }
    if (entry._tag === "Bad") {
      issues.push(report(alias, ["content", index], { code: entry.code, message: entry.message, hint: entry.hint }))
      return
    }
    if (entry._tag === "Ref") {
      const refType = aliasTypeOf(table, entry.name)
      if ((type === "port") !== (refType === "port")) {
        issues.push(report(alias, ["content", index], {
          code: "alias-type-mismatch",
          message: `${type} alias "${name}" cannot contain ${refType} alias "${entry.name}"`,
          hint: type === "port" ? "port aliases nest port aliases only" : "address aliases cannot contain port aliases"
        }))
      }
    } else if (type === "host" && ALIAS_NAME.test(entry.value) && !entry.value.includes(".")) {
      const near = suggestion(entry.value, table.keys())
      if (near !== undefined) {
        issues.push(report(alias, ["content", index], {
          severity: "warning",
          code: "possible-alias-typo",
          message: `"${entry.value}" is taken as a hostname, but it looks like an alias name`,
          hint: near
        }))
      }
    }
  })
  return issues
}

/** Nested aliases must not loop back on themselves; each loop is reported once. */
const checkCycles = (
  aliases: ReadonlyArray<Located<AliasInput>>,
  entries: ReadonlyMap<Located<AliasInput>, ReadonlyArray<Entry>>
): ReadonlyArray<Issue> => {
  const byName = new Map(aliases.map((a) => [a.name, a]))
  const refs = (a: Located<AliasInput>) =>
    (entries.get(a) ?? []).flatMap((e) => (e._tag === "Ref" && byName.has(e.name) ? [e.name] : []))
  const state = new Map<string, "visiting" | "done">()
  const issues: Array<Issue> = []
  const visit = (name: string, trail: ReadonlyArray<string>): void => {
    const alias = byName.get(name)
    if (alias === undefined || state.get(name) === "done") return
    state.set(name, "visiting")
    for (const next of refs(alias)) {
      if (state.get(next) === "visiting") {
        const path = [...trail, name]
        const loop = [...path.slice(path.indexOf(next)), next]
        const index = (alias.value.content ?? []).findIndex((c) => String(c).trim() === next)
        issues.push(report(alias, ["content", index], {
          code: "alias-cycle",
          message: `aliases nest each other in a loop: ${loop.join(" → ")}`,
          hint: `remove "${next}" from "${name}" or restructure the nesting`
        }))
      } else visit(next, [...trail, name])
    }
    state.set(name, "done")
  }
  for (const alias of aliases) visit(alias.name, [])
  return issues
}

/** `table` is aliasTable(aliases), which the rules' checks take too. */
export const checkAliases = (aliases: ReadonlyArray<Located<AliasInput>>, table: AliasTable): ReadonlyArray<Issue> => {
  const entries = new Map(aliases.map((a) => [a, entriesOf(a.value, table)] as const))
  return [...aliases.flatMap((a) => checkAlias(a, entries.get(a) ?? [], table)), ...checkCycles(aliases, entries)]
}

/**
 * Alias findings: unused (no rule reaches it, directly or through nesting), empty (a rule using it
 * matches nothing), and duplicate contents (two aliases that resolve to the same set).
 */
import type { CompiledPolicy } from "../Compile.ts"
import type { PolicyAlias } from "../Domain.ts"
import * as R from "../Ranges.ts"
import type { AddressSet, PortSet } from "../Resolve.ts"
import { aliasDraft, type Draft, quote } from "./Finding.ts"

const concreteTypes = new Set(["host", "network", "networkgroup", "port"])

const isPortSet = (set: AddressSet | PortSet): set is PortSet => "ranges" in set

const showRanges = (ranges: R.Ranges) => ranges.map((r) => `${r.lo}-${r.hi}`).join(",")

const fingerprint = (alias: PolicyAlias, set: AddressSet | PortSet): string =>
  concreteTypes.has(alias.spec.type)
    ? isPortSet(set)
      ? `port|${showRanges(set.ranges)}|${set.tokens.join(",")}`
      : `addr|${showRanges(set.v4)}|${showRanges(set.v6)}|${set.tokens.join(",")}`
    : `${alias.spec.type}|${alias.spec.content.join("\n")}`

const isEmpty = (set: AddressSet | PortSet) =>
  isPortSet(set)
    ? !set.any && set.ranges.length === 0 && set.tokens.length === 0
    : !set.any && set.v4.length === 0 && set.v6.length === 0 && set.tokens.length === 0

export const aliasFindings = (policy: CompiledPolicy): ReadonlyArray<Draft> => {
  const { input, resolver } = policy
  const byName = new Map(input.aliases.map((a) => [a.name, a]))
  const users = new Map<string, Array<string>>()
  const reached = new Set<string>()
  const visit = (name: string) => {
    if (reached.has(name)) return
    const alias = byName.get(name)
    if (alias === undefined) return
    reached.add(name)
    for (const entry of alias.spec.content) visit(entry.trim())
  }
  for (const rule of input.rules) {
    const { source, destination } = rule.spec
    for (const name of [...source.addresses, ...destination.addresses, source.port, destination.port]) {
      if (!byName.has(name)) continue
      const list = users.get(name)
      if (list === undefined) users.set(name, [rule.name])
      else list.push(rule.name)
      visit(name)
    }
  }
  const drafts: Array<Draft> = []
  const seen = new Map<string, PolicyAlias>()
  for (const alias of input.aliases) {
    if (alias.origin !== "mvc") continue
    if (!reached.has(alias.name)) {
      drafts.push(aliasDraft(
        alias,
        "unused-alias",
        `alias ${quote(alias.name)} is not used by any rule, directly or through another alias`,
        `delete ${quote(alias.name)}, or reference it where it was meant to be used`
      ))
    }
    if (!alias.spec.enabled) continue
    const set = resolver.alias(alias.name)
    if (set === undefined) continue
    if (concreteTypes.has(alias.spec.type) && isEmpty(set)) {
      const usedBy = users.get(alias.name) ?? []
      drafts.push(aliasDraft(
        alias,
        "empty-alias",
        `alias ${quote(alias.name)} resolves to nothing${
          usedBy.length > 0 ? `: rules using it (${usedBy.join(", ")}) match no packet` : ""
        }`,
        `add entries to ${quote(alias.name)}, or remove it and the rules that use it`,
        usedBy
      ))
      continue
    }
    if (set.tokens.some((t) => t.includes("nesting cycle"))) continue
    const key = fingerprint(alias, set)
    const first = seen.get(key)
    if (first !== undefined) {
      drafts.push(aliasDraft(
        alias,
        "duplicate-alias-content",
        `alias ${quote(alias.name)} has the same contents as ${quote(first.name)}`,
        `use ${quote(first.name)} instead and delete ${quote(alias.name)}, or nest one in the other`,
        [first.name]
      ))
    } else {
      seen.set(key, alias)
    }
  }
  return drafts
}

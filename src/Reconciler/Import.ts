/**
 * Import: YAML for live objects in the repository layout (vlans.yaml, aliases.yaml, rules.yaml in
 * the site folder), written so that loading it gives back the same canonical specs and therefore,
 * with the imported objects recorded in the inventory, an empty plan. Built-in aliases and
 * legacy/automatic rules are left out: the API cannot write them.
 *
 * The YAML itself comes from src/DesiredState/Render.ts, the one spec → friendly YAML renderer.
 */
import { type RenderInput, renderYaml } from "../DesiredState/Render.ts"
import type { LiveAlias, LiveRule, LiveSnapshot, LiveVlan, ResourceKind } from "../Domain/Model.ts"
import type { ImportResult } from "../Domain/Reports.ts"
import type { Inventory } from "../Store/StateFile.ts"
import { isBuiltinAlias } from "./Diff.ts"
import { isWritable } from "./Identity.ts"

const ITEM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/

/** A name from free text: lower-case words joined by "-", or undefined when nothing usable is left. */
const slug = (text: string): string | undefined => {
  const s = text.toLowerCase().replace(/[^a-z0-9_.:-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 56)
  return s === "" ? undefined : s
}

const uniqueNamer = () => {
  const used = new Set<string>()
  return (preferred: string): string => {
    let name = preferred
    for (let n = 2; used.has(name); n++) name = `${preferred}-${n}`
    used.add(name)
    return name
  }
}

export interface Imported {
  readonly result: ImportResult
  /** name → uuid of every imported object, for the inventory */
  readonly inventory: Inventory
}

const HEADER = "Imported from the live firewall by `opnsense-mcp import`. Review, then commit."

export const importSnapshot = (site: string, live: LiveSnapshot, kinds: ReadonlyArray<ResourceKind>): Imported => {
  const skipped: Array<string> = []
  const inventory: Record<ResourceKind, Record<string, string>> = { vlan: {}, alias: {}, rule: {} }
  const files: Array<{ path: string; content: string }> = []
  const write = (path: string, input: RenderInput) => {
    if (Object.values(input).some((items: ReadonlyArray<unknown>) => items.length > 0)) {
      files.push({ path, content: renderYaml(input, { header: HEADER }) })
    }
  }

  if (kinds.includes("vlan")) {
    const named = uniqueNamer()
    const vlans = live.vlans.filter((v: LiveVlan) => isWritable(v))
    write("vlans.yaml", {
      vlans: vlans.map((v) => {
        const name = named(v.owner ?? slug(v.spec.description) ?? `${v.spec.parent}-${v.spec.tag}`)
        inventory.vlan[name] = v.uuid
        return { name, spec: v.spec }
      })
    })
  }
  if (kinds.includes("alias")) {
    const aliases = live.aliases.filter((a: LiveAlias) => {
      const keep = isWritable(a) && !isBuiltinAlias(a)
      if (!keep) skipped.push(`alias ${a.spec.name}: built-in, managed by OPNsense`)
      return keep
    })
    write("aliases.yaml", {
      aliases: aliases.map((a) => {
        inventory.alias[a.spec.name] = a.uuid
        return { spec: a.spec }
      })
    })
  }
  if (kinds.includes("rule")) {
    const named = uniqueNamer()
    const readOnly = live.rules.filter((r) => !isWritable(r))
    if (readOnly.length > 0) {
      skipped.push(`${readOnly.length} legacy/automatic rules: read-only in the API, never managed`)
    }
    const rules = live.rules.filter((r: LiveRule) => isWritable(r)).sort((a, b) => a.sequence - b.sequence)
    write("rules.yaml", {
      rules: rules.map((r) => {
        const preferred = r.owner ?? slug(r.spec.description) ?? `rule-${r.sequence}`
        const name = named(ITEM_NAME.test(preferred) ? preferred : `rule-${r.sequence}`)
        inventory.rule[name] = r.uuid
        return { name, spec: r.spec }
      })
    })
  }
  return {
    inventory,
    result: {
      site,
      files,
      counts: {
        vlan: Object.keys(inventory.vlan).length,
        alias: Object.keys(inventory.alias).length,
        rule: Object.keys(inventory.rule).length
      },
      skipped
    }
  }
}

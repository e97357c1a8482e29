/** Aliases (`aliases:` in YAML, firewall/alias on the firewall). */
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { AliasInput } from "./Input.ts"
import { friendlyAlias } from "./Render.ts"
import { AliasSpec, LiveAlias } from "./Spec.ts"
import { aliasSpec, checkAliases } from "./Yaml.ts"

/**
 * Built-in aliases (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/static_aliases/core.json)
 * are read-only whatever the client reports.
 */
const BUILTIN_ALIASES = new Set(["bogons", "bogonsv6", "virusprot", "sshlockout"])
export const isBuiltinAlias = (alias: LiveAlias): boolean =>
  alias.origin === "builtin" || alias.spec.name.startsWith("__") || BUILTIN_ALIASES.has(alias.spec.name)

export const alias = defineKind({
  name: "alias",
  collection: "aliases",
  noun: ["alias", "aliases"],
  subsystem: "alias",
  dependsOn: [],
  spec: AliasSpec,
  live: LiveAlias,
  yaml: {
    input: AliasInput,
    check: (items, context) => checkAliases(items, context.aliases),
    normalise: (input, context) => aliasSpec(input, context.aliases),
    render: (_name, spec) => friendlyAlias(spec)
  },
  identity: {
    adoptionKey: (spec) => spec.name,
    label: (live) => live.spec.name,
    readOnly: isBuiltinAlias,
    skipped: (builtin) => builtin.map((a) => `alias ${a.spec.name}: built-in, managed by OPNsense`)
  },
  // nested aliases are written before the aliases that hold them, and deleted after
  references: (spec) => spec.content,
  importer: {
    file: "aliases.yaml",
    name: (live) => live.spec.name,
    fixedName: true
  },
  listing: {
    row: (a) => ({ uuid: a.uuid, managed: a.owner !== undefined, origin: a.origin, ...a.spec }),
    fields: ["name", "uuid", "managed", "origin", "type", "content", "description"]
  },
  client
})

/**
 * Loading one site from its files' text: parse, decode, check, normalise, digest. Pure and
 * synchronous, so it can be fed arbitrary input in property tests; Files.ts does the reading.
 */
import type { DesiredSite, Issue, SiteConfig } from "../Domain/Desired.ts"
import { byCodeUnit, canonicalJson, sha256 } from "../Domain/Digest.ts"
import type { AliasInput } from "../Kinds/Alias/Input.ts"
import { aliasTable } from "../Kinds/Alias/Yaml.ts"
import type { LoadContext } from "../Kinds/Kind.ts"
import { desiredOf, kinds } from "../Kinds/Registry.ts"
import { checkDuplicates } from "./Common.ts"
import { collectIntents } from "./Intents.ts"
import { sortIssues } from "./Issues.ts"
import { collectItems } from "./Items.ts"
import type { Located } from "./Located.ts"
import { defaultLimits, type Limits, parseYaml, type YamlFile } from "./Yaml.ts"

export interface SourceFile {
  /** relative to DESIRED_STATE_DIR, with forward slashes */
  readonly path: string
  readonly text: string
}

export interface SiteResult {
  /** undefined when the site has errors */
  readonly site: DesiredSite | undefined
  /** errors and warnings, sorted by file and position */
  readonly issues: ReadonlyArray<Issue>
}

export const hasErrors = (issues: ReadonlyArray<Issue>): boolean => issues.some((i) => i.severity === "error")

const byName = <A extends { readonly name: string }>(items: ReadonlyArray<A>) =>
  [...items].sort((a, b) => byCodeUnit(a.name, b.name))

/** sha256 over what the site means: configuration (not its folder), items by name, ordered kinds in order. */
export const siteDigest = (site: Omit<DesiredSite, "digest">): string => {
  const { path: _path, ...config } = site.config
  const content = {
    config,
    ...Object.fromEntries(kinds.map((kind) => {
      const items = desiredOf(site, kind)
      return [
        kind.collection,
        (kind.sequence === undefined ? byName(items) : items).map(({ name, spec }) => ({ name, spec }))
      ]
    })),
    // intents decide whether a plan may be applied: a plan made under other intents is stale
    ...(site.intents !== undefined && site.intents.length > 0
      ? { intents: site.intents.map(({ source: _source, ...intent }) => intent) }
      : {})
  }
  return sha256(canonicalJson(content))
}

/** Load one site from the text of its files (any order: they are taken in lexical order). */
export const loadSite = (
  config: SiteConfig,
  sources: ReadonlyArray<SourceFile>,
  limits: Limits = defaultLimits
): SiteResult => {
  const issues: Array<Issue> = []
  const files: Array<YamlFile> = []
  for (const source of [...sources].sort((a, b) => byCodeUnit(a.path, b.path))) {
    const parsed = parseYaml(source.path, source.text, limits)
    issues.push(...parsed.issues)
    if (parsed.file !== undefined) files.push(parsed.file)
  }
  const { items, issues: shapeIssues } = collectItems(files)
  const intents = collectIntents(files)
  issues.push(...shapeIssues, ...intents.issues)
  // every kind may name aliases in its address and port fields: the table is built first
  const context: LoadContext = {
    aliases: aliasTable((items.byKind["aliases"] ?? []) as ReadonlyArray<Located<AliasInput>>),
    // checks across kinds (a DHCP reservation inside its subnet, a route's gateway) read the other
    // kinds' items, and the site's settings (the outbound NAT mode, the declared interfaces)
    items: (collection) => items.byKind[collection] ?? [],
    site: config
  }
  for (const kind of kinds) {
    issues.push(...checkDuplicates(items.named[kind.collection] ?? []))
  }
  for (const kind of kinds) {
    issues.push(...kind.yaml.check(items.byKind[kind.collection] ?? [], context))
  }
  const sorted = sortIssues(issues)
  if (hasErrors(sorted)) return { site: undefined, issues: sorted }
  const content = {
    config,
    ...Object.fromEntries(kinds.map((kind) => [
      kind.collection,
      // a site setting's one object comes from sites.yaml (src/Kinds/Kind.ts `setting`)
      kind.setting !== undefined ?
        [kind.setting.desired(config)].filter((d) => d !== undefined) :
        (items.byKind[kind.collection] ?? []).map((item) => ({
          name: item.name,
          spec: kind.yaml.normalise(item.value, context),
          source: item.source
        }))
    ])),
    ...(intents.intents.length > 0 ? { intents: intents.intents } : {})
  } as unknown as Omit<DesiredSite, "digest">
  return { site: { ...content, digest: siteDigest(content) }, issues: sorted }
}

/**
 * The desired state as a service: load and validate the YAML tree under DESIRED_STATE_DIR.
 * Implementation in DesiredState/ (schema, YAML with positions, normalisation, validation).
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import { readTree, type TreeSources } from "./DesiredState/Files.ts"
import { sortIssues } from "./DesiredState/Issues.ts"
import { hasErrors, loadSite, type SiteResult, type SourceFile } from "./DesiredState/Load.ts"
import { defaultLimits, type Limits } from "./DesiredState/Yaml.ts"
import type { DesiredSite, DesiredTree, Issue } from "./Domain/Desired.ts"

/** The tree has errors; every one found in the whole tree is listed, not just the first. */
export class DesiredStateInvalid extends Data.TaggedError("DesiredStateInvalid")<{
  readonly message: string
  readonly issues: ReadonlyArray<Issue>
}> {}

export interface LoadOptions {
  /** DESIRED_STATE_DIR */
  readonly dir: string
  /** only this site (all sites when undefined) */
  readonly site?: string | undefined
  /** hostile-input limits (file size, alias expansions, nesting, files per site); defaults in Yaml.ts */
  readonly limits?: Partial<Limits> | undefined
}

export interface DesiredStateShape {
  /** fails with DesiredStateInvalid when any error-severity issue exists; warnings ride along */
  readonly load: (
    options: LoadOptions
  ) => Effect.Effect<{ readonly tree: DesiredTree; readonly warnings: ReadonlyArray<Issue> }, DesiredStateInvalid>
  /** every issue (errors and warnings) without failing: for `validate` and the MCP tool */
  readonly validate: (
    options: LoadOptions
  ) => Effect.Effect<{ readonly tree: DesiredTree | undefined; readonly issues: ReadonlyArray<Issue> }>
  /** the YAML files as `load` and `validate` read them (same limits, refusals as issues), unparsed: for editors */
  readonly sources: (options: LoadOptions) => Effect.Effect<TreeSources>
}

const summary = (issues: ReadonlyArray<Issue>): string => {
  const errors = issues.filter((i) => i.severity === "error")
  const first = errors[0]
  const where = first === undefined ? "" : `; first: ${first.file}:${first.line}:${first.column}: ${first.message}`
  return `desired state has ${errors.length} error${
    errors.length === 1 ? "" : "s"
  }${where} (run \`opnsense-mcp validate\` for all)`
}

const sameFiles = (a: ReadonlyArray<SourceFile>, b: ReadonlyArray<SourceFile>): boolean =>
  a.length === b.length && a.every((file, i) => file.path === b[i]?.path && file.text === b[i]?.text)

export const make = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem

  /**
   * Each site's last result, reused while its files (read again every time), its sites.yaml entry
   * and the limits are the same text: a CLI `plan` reads the tree for the site list and then for
   * the site, `apply` once more for its stale-plan check, and the MCP tools and the reconcile loop
   * on every call; at 10,000 rules each parse and check is ~0.3 s.
   */
  const lastResults = new Map<string, {
    readonly key: string
    readonly files: ReadonlyArray<SourceFile>
    readonly result: SiteResult
  }>()
  const loadSiteOnce = (
    dir: string,
    site: { readonly config: DesiredSite["config"]; readonly files: ReadonlyArray<SourceFile> },
    limits: Limits
  ) => {
    const slot = `${dir}\0${site.config.name}`
    const key = JSON.stringify([site.config, limits])
    const last = lastResults.get(slot)
    if (last !== undefined && last.key === key && sameFiles(last.files, site.files)) return last.result
    const result = loadSite(site.config, site.files, limits)
    lastResults.set(slot, { key, files: site.files, result })
    return result
  }

  const validate = Effect.fn("DesiredState.validate")(function*(options: LoadOptions) {
    const limits = { ...defaultLimits, ...options.limits }
    yield* Effect.annotateCurrentSpan({ dir: options.dir, site: options.site ?? "*" })
    const sources = yield* readTree(fs, options.dir, options.site, limits)
    const issues: Array<Issue> = [...sources.issues]
    const sites: Array<DesiredSite> = []
    for (const site of sources.sites) {
      const result = loadSiteOnce(options.dir, site, limits)
      issues.push(...result.issues)
      if (result.site !== undefined) sites.push(result.site)
    }
    const sorted = sortIssues(issues)
    yield* Effect.annotateCurrentSpan({ sites: sites.length, issues: sorted.length })
    const tree: DesiredTree | undefined = hasErrors(sorted) ? undefined : { root: options.dir, sites }
    return { tree, issues: sorted }
  })

  const load = Effect.fn("DesiredState.load")(function*(options: LoadOptions) {
    const { issues, tree } = yield* validate(options)
    if (tree === undefined) return yield* new DesiredStateInvalid({ message: summary(issues), issues })
    return { tree, warnings: issues }
  })

  const sources = Effect.fn("DesiredState.sources")(function*(options: LoadOptions) {
    yield* Effect.annotateCurrentSpan({ dir: options.dir, site: options.site ?? "*" })
    return yield* readTree(fs, options.dir, options.site, { ...defaultLimits, ...options.limits })
  })

  return { load, validate, sources } satisfies DesiredStateShape
})

export class DesiredState extends Context.Service<DesiredState, DesiredStateShape>()("opnsense-mcp/DesiredState") {
  /** Reads the tree through the platform FileSystem (NodeServices in the CLI). */
  static readonly layer: Layer.Layer<DesiredState, never, FileSystem.FileSystem> = Layer.effect(this, make)
}

export const layer = DesiredState.layer
